import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newKeySet } from '../../evidence/ledger/keys.ts';
import { spawnTenet } from './spawn-tenet.ts';
import { createChildDatabase } from './test-database.ts';

/** The p-th percentile (nearest rank) of `xs`. */
export const percentile = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))];

/** ms from `write()` answering (on one replica) until `seen()` holds (on another), polled about every millisecond. */
export async function propagation(write: () => Promise<void>, seen: () => Promise<boolean>, limitMs = 10_000): Promise<number> {
  await write();
  const t0 = performance.now();
  while (!(await seen())) {
    if (performance.now() - t0 > limitMs) throw new Error(`not seen within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 1));
  }
  return performance.now() - t0;
}

/** A caller of one replica's API with a bearer key: status and parsed JSON body. */
export function apiCaller(url: string, key: string) {
  return async (p: string, init: { method?: string; body?: unknown; key?: string } = {}): Promise<{ status: number; body: any }> => {
    const res = await fetch(url + p, {
      method: init.method ?? (init.body ? 'POST' : 'GET'),
      headers: { authorization: `Bearer ${init.key ?? key}`, 'content-type': 'application/json' },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
  };
}

export type Replica = Awaited<ReturnType<typeof spawnTenet>>;

/**
 * Two `tenet serve` replicas on a database of their own on the PostgreSQL server, each with its own data directory,
 * sharing an admin token and a key set. The fallback poll is slowed to 10 s and the scheduler is off, so what one
 * replica sees of the other's writes quickly came through the change feed. `args` per replica (default `serve`);
 * `env` is added to both. `stop()` stops both and drops the database.
 */
export async function startTwoReplicas(props: { name: string; args?: [string[], string[]]; env?: Record<string, string> }) {
  const dir = mkdtempSync(path.join(tmpdir(), `tenet-${props.name}-`));
  const admin = `tnt_test_${randomBytes(24).toString('base64url')}`;
  const database = await createChildDatabase(`tenet_${props.name}`);
  const env = {
    ...(process.env as Record<string, string>),
    DATABASE_URL: database.url!,
    TENET_BOOTSTRAP_TOKEN: admin,
    TENET_KEYS: JSON.stringify(newKeySet()),
    TENET_ENTITY_REFRESH_MS: '10000',
    TENET_SCHEDULER: 'false',
    LOG_LEVEL: 'info',
    PORT: '0',
    ...props.env,
  };
  const started: Replica[] = [];
  const stop = async () => {
    for (const r of started) r.child.kill('SIGTERM');
    await Promise.all(started.map((r) => r.exited));
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const [k, name] of ['a', 'b'].entries())
      started.push(await spawnTenet({ args: props.args?.[k] ?? ['serve'], env: { ...env, TENET_DATA_DIR: path.join(dir, name) } }));
  } catch (error) {
    await stop();
    throw error;
  }
  const [a, b] = started;
  const call = (r: Replica, p: string, init: { method?: string; body?: unknown; key?: string } = {}) => apiCaller(r.url, admin)(p, init);
  return { a, b, admin, call, stop };
}
