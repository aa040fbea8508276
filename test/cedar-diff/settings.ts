/**
 * Run settings from the environment, shared by the vitest file and the benchmark:
 * CEDAR_DIFF_SEED (default: a fresh seed, printed), CEDAR_DIFF_RUNS (generated worlds; each carries
 * REQUESTS_PER_WORLD requests, so cases = runs × REQUESTS_PER_WORLD).
 */
import type { WorldSize } from './arbitraries.ts';

export const REQUESTS_PER_WORLD = 25;
export const WORLD_SIZE: WorldSize = { maxPolicies: 8, requests: REQUESTS_PER_WORLD };

function intFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
}

export function seedFromEnv(): number {
  return intFromEnv('CEDAR_DIFF_SEED') ?? (Date.now() ^ (process.pid << 10)) >>> 0;
}

export function runsFromEnv(fallback: number): number {
  return intFromEnv('CEDAR_DIFF_RUNS') ?? fallback;
}
