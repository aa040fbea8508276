import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDemoSnapshot } from '../../engine/demo/demo-environment.ts';
import { spawnTenet } from '../helpers/spawn-tenet.ts';
import { newKeySet } from '../../evidence/ledger/keys.ts';
import { createTestDatabase, hasServerDatabase } from '../helpers/test-database.ts';

// Two processes can share a database only on a PostgreSQL server (an embedded data directory has one owner).
describe.runIf(hasServerDatabase)('two tenet serve processes on one database', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tenet-replicas-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('run each scheduled control once per tick', async () => {
    const database = await createTestDatabase();
    const snapshot = path.join(dir, 'snapshot.json');
    writeFileSync(snapshot, JSON.stringify(buildDemoSnapshot()));
    const fast = ['storage.s3-versioning', 'retention.log-groups', 'identity.admin-mfa'];
    const settings = path.join(dir, 'controls.json');
    writeFileSync(settings, JSON.stringify({ snapshots: [snapshot], schedules: Object.fromEntries(fast.map((c) => [c, '* * * * * *'])) }));
    // Replicas share their keys by configuration (a replica without them is stopped rather than signing with its own).
    const env = {
      ...(process.env as Record<string, string>),
      DATABASE_URL: database.url!,
      TENET_CONFIG_FILE: settings,
      LOG_LEVEL: 'warn',
      PORT: '0',
      TENET_KEYS: JSON.stringify(newKeySet()),
    };
    const a = await spawnTenet({ args: ['serve'], env: { ...env, LOG_LEVEL: 'info', TENET_DATA_DIR: path.join(dir, 'a') } });
    const b = await spawnTenet({ args: ['serve'], env: { ...env, LOG_LEVEL: 'info', TENET_DATA_DIR: path.join(dir, 'b') } });
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 6_000));
    for (const p of [a, b]) p.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
    const window = Date.now() - started;
    try {
      const rows = await sql<{ control_id: string; scheduled_for: Date; runs: number; replicas: number; statuses: string[] }>`
        SELECT control_id, scheduled_for, count(*)::int AS runs, count(DISTINCT replica)::int AS replicas, array_agg(status) AS statuses
        FROM control_runs WHERE trigger = 'schedule' GROUP BY control_id, scheduled_for ORDER BY control_id, scheduled_for`.execute(database.db);
      const replicas = await sql<{ n: number }>`SELECT count(DISTINCT replica)::int AS n FROM control_runs`.execute(database.db);
      for (const c of fast) {
        const ticks = rows.rows.filter((r) => r.control_id === c);
        // Both processes fire every second for ~6 s: expect a run for (nearly) every tick, and never two.
        expect(ticks.length, c).toBeGreaterThanOrEqual(Math.floor(window / 1000) - 3);
        for (const t of ticks) {
          expect(t.runs, `${c} at ${t.scheduled_for.toISOString()}`).toBe(1);
          expect(['pass', 'fail'], `${c}: a finished verdict, never left running or errored`).toContain(t.statuses[0]);
        }
        // Consecutive ticks, one second apart: no tick lost to the other replica holding the lock.
        const seconds = ticks.map((t) => t.scheduled_for.getTime() / 1000);
        for (let i = 1; i < seconds.length; i++) expect(seconds[i] - seconds[i - 1]).toBe(1);
      }
      expect(replicas.rows[0].n).toBe(2); // both processes took part
    } finally {
      await database.close();
    }
  }, 60_000);
});
