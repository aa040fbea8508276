import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { EvidenceStore } from '../../evidence/ledger/evidence-store.ts';
import { newKeySet } from '../../evidence/ledger/keys.ts';
import { spawnTenet } from '../helpers/spawn-tenet.ts';
import { createTestDatabase, hasServerDatabase } from '../helpers/test-database.ts';

const CONTROL = 'webhooks.signature-validation';
const LEASE_MS = 3_000;
const HEARTBEAT_MS = 1_000;
const TICK_MS = 1_000;

interface RunRow {
  id: string;
  replica: string;
  status: string;
  started_at: Date;
  finished_at: Date | null;
  evidence_seq: string | null;
}

// Two processes can share a database only on a PostgreSQL server (an embedded data directory has one owner).
describe.runIf(hasServerDatabase)('a replica killed while it runs a control', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tenet-lease-'));
  // The probed webhook endpoint holds every request until released: the first run lasts as long as the test needs.
  const held: http.ServerResponse[] = [];
  let holding = true;
  const endpoint = http.createServer((req, res) => {
    req.resume();
    if (holding) held.push(res);
    else res.writeHead(400).end();
  });
  const release = () => {
    holding = false;
    for (const res of held.splice(0)) if (!res.destroyed) res.writeHead(400).end();
  };
  afterAll(async () => {
    release();
    endpoint.closeAllConnections();
    await new Promise((r) => endpoint.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('has its run abandoned, and the other replica runs the control again within the lease and a tick', async () => {
    await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
    const port = (endpoint.address() as AddressInfo).port;
    const database = await createTestDatabase();
    const settings = path.join(dir, 'controls.json');
    writeFileSync(
      settings,
      JSON.stringify({
        runLeaseMs: LEASE_MS,
        runHeartbeatMs: HEARTBEAT_MS,
        schedules: { [CONTROL]: '* * * * * *' },
        probes: {
          allowedHosts: [`127.0.0.1:${port}`],
          timeoutMs: 60_000,
          webhooks: [{ name: 'held', url: `http://127.0.0.1:${port}/hook`, provider: 'stripe' }],
        },
      }),
    );
    const env = {
      ...(process.env as Record<string, string>),
      DATABASE_URL: database.url!,
      TENET_CONFIG_FILE: settings,
      LOG_LEVEL: 'warn',
      PORT: '0',
      TENET_KEYS: JSON.stringify(newKeySet()),
    };
    // Info level: spawnTenet waits for the "tenet listening" line.
    const started: Array<{ child: ChildProcess }> = [];
    const start = (name: string) =>
      spawnTenet({ args: ['serve'], env: { ...env, LOG_LEVEL: 'info', TENET_DATA_DIR: path.join(dir, name) }, onSpawn: (child) => started.push({ child }) });
    const runs = async () =>
      (
        await sql<RunRow>`SELECT id, replica, status, started_at, finished_at, evidence_seq FROM control_runs
          WHERE control_id = ${CONTROL} ORDER BY id`.execute(database.db)
      ).rows;
    const until = async <T>(what: string, find: () => Promise<T | undefined>, timeoutMs: number): Promise<T> => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const found = await find();
        if (found !== undefined) return found;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await runs())}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      const a = await start('a');
      const b = await start('b');
      // One replica claims the run; its collection waits on the held endpoint. Let it heartbeat a few times.
      const first = await until('a running run', async () => (await runs()).find((r) => r.status === 'running'), 15_000);
      await new Promise((r) => setTimeout(r, HEARTBEAT_MS * 2.5));
      expect((await runs()).filter((r) => r.status !== 'running' && Number(r.id) > Number(first.id))).toEqual([]);
      const [victim, survivor] = first.replica.startsWith(`${a.child.pid}-`) ? [a, b] : [b, a];
      expect(first.replica.startsWith(`${victim.child.pid}-`)).toBe(true);

      victim.child.kill('SIGKILL');
      const killedAt = Date.now();
      expect(await victim.exited).toBeNull();

      // The other replica's next tick after the lease lapsed abandons the run and starts the control again.
      const rerun = await until(
        'the re-run',
        async () => (await runs()).find((r) => Number(r.id) > Number(first.id) && r.replica.startsWith(`${survivor.child.pid}-`)),
        LEASE_MS + TICK_MS + 5_000,
      );
      const rerunSeenMs = Date.now() - killedAt;
      const dead = (await runs()).find((r) => r.id === first.id)!;
      expect(dead.status).toBe('abandoned');
      expect(dead.evidence_seq).not.toBeNull();
      // Within the lease and a tick of the kill (the lease was renewed at most a heartbeat before it, so it lapses
      // within LEASE_MS), give or take the 50 ms poll and a busy machine's scheduling (measured 3.3-3.9 s); without
      // leases the wait was twice the run timeout, minutes.
      expect(rerunSeenMs).toBeLessThanOrEqual(LEASE_MS + TICK_MS + 3_000);
      console.log(`kill -9 → re-run started on the other replica: ${rerunSeenMs} ms (lease ${LEASE_MS} ms, tick ${TICK_MS} ms)`);

      // Released, the re-run finishes with a verdict, recorded after the abandonment, on a valid chain.
      release();
      const finished = await until('the re-run to finish', async () => (await runs()).find((r) => r.id === rerun.id && r.status !== 'running'), 30_000);
      expect(['pass', 'fail']).toContain(finished.status);
      expect(Number(finished.evidence_seq)).toBeGreaterThan(Number(dead.evidence_seq));
      const evidence = new EvidenceStore(database.db);
      expect(await evidence.get(Number(dead.evidence_seq))).toMatchObject({ payload: { runId: dead.id, status: 'abandoned' } });
      expect(await evidence.verify()).toMatchObject({ ok: true });
      // Never two runs of the control going at once, and nothing left running by the dead replica.
      expect((await runs()).filter((r) => r.replica === first.replica && r.status === 'running')).toEqual([]);

      survivor.child.kill('SIGTERM');
      expect(await survivor.exited).toBe(0);
    } finally {
      for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await database.close();
    }
  }, 90_000);
});
