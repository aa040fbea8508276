/**
 * Tenet's Cedar evaluator answers exactly as cedar-wasm `isAuthorized` with the schema and
 * all entities — decision, reasons and erroring policies — on generated schemas, policy sets, entity stores and
 * requests (see arbitraries.ts for what is generated, harness.ts for how both sides are asked).
 *
 * ≥ 10,000 cases per run: CEDAR_DIFF_RUNS worlds (default 420) × 25 requests. The seed is fresh each run and
 * printed; CEDAR_DIFF_SEED=<seed> replays a run. Every kind of disagreement is shrunk to a minimal case, printed
 * and written to a JSON file.
 */
import { describe, expect, it } from 'vitest';
import { missingCoverage, runDifferential, summary } from './harness.ts';
import { REQUESTS_PER_WORLD, WORLD_SIZE, runsFromEnv, seedFromEnv } from './settings.ts';

const DEFAULT_RUNS = 420;

describe('differential: evaluator == cedar-wasm', () => {
  it(`agrees with cedar-wasm on ${runsFromEnv(DEFAULT_RUNS) * REQUESTS_PER_WORLD} generated cases`, () => {
    const seed = seedFromEnv();
    const worlds = runsFromEnv(DEFAULT_RUNS);
    console.log(`cedar-diff: seed ${seed}, ${worlds} worlds × ${REQUESTS_PER_WORLD} requests`);
    const result = runDifferential({ seed, worlds, size: WORLD_SIZE, shrinkBudgetMs: 15_000, minimizeBudgetMs: 15_000, maxReported: 3 });
    console.log(summary(result));

    // The run must have tested what it claims to: the count, every construct, and a mix of outcomes.
    expect(result.stats.cases).toBe(worlds * REQUESTS_PER_WORLD);
    expect(missingCoverage(result.stats)).toEqual([]);
    for (const outcome of ['allow', 'deny', 'deny+errors']) expect(result.stats.outcomes.get(outcome) ?? 0, outcome).toBeGreaterThan(0);

    expect(result.failures.map((f) => `${f.kind} (${f.count}×, seed ${seed} path ${f.path}${f.file ? `, case in ${f.file}` : ''})`)).toEqual([]);
  }, 900_000);
});
