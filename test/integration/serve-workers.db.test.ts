import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { newKeySet } from '../../evidence/ledger/keys.ts';
import { spawnTenet } from '../helpers/spawn-tenet.ts';
import { createTestDatabase, hasServerDatabase } from '../helpers/test-database.ts';

const bin = new URL('../../engine/bin/tenet.mjs', import.meta.url).pathname;

/** CPU time (user + system, clock ticks) a process has used so far. */
const cpuTicks = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
/** The node processes a process started (its workers; not, say, the esbuild service tsx runs from sources). */
const childrenOf = (pid: number) =>
  execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)])
    .toString()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([p, comm]) => p && comm === 'node')
    .map(([p]) => Number(p));

describe('tenet serve --workers', () => {
  it('refuses more than one worker on an embedded database, and a bad count, saying why', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tenet-workers-'));
    try {
      for (const [args, message] of [
        [['--workers', '2'], /needs a PostgreSQL server \(DATABASE_URL\)/],
        [['--workers', '0'], /--workers must be a whole number from 1 to 64/],
        [['--workers', 'two'], /--workers must be a whole number from 1 to 64/],
      ] as const) {
        let out = '';
        try {
          execFileSync(process.execPath, [bin, 'serve', '--port', '0', ...args], {
            env: { ...process.env, DATABASE_URL: '', TENET_DATA_DIR: dir, LOG_LEVEL: 'warn' },
            stdio: 'pipe',
            timeout: 30_000,
          });
        } catch (error) {
          out = String((error as { stderr?: Buffer }).stderr);
          expect((error as { status?: number }).status).not.toBe(0);
        }
        expect(out).toMatch(message);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Workers share a PostgreSQL server (an embedded data directory has one owner).
  describe.runIf(hasServerDatabase)('on a PostgreSQL server', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tenet-workers-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('serves one port from every worker, logs every decision, restarts a worker that dies, and stops all on SIGTERM', async () => {
      const database = await createTestDatabase();
      const admin = `tnt_test_${randomBytes(24).toString('base64url')}`;
      let server: Awaited<ReturnType<typeof spawnTenet>> | undefined;
      let log = '';
      const listening = () => log.split('"msg":"tenet listening"').length - 1;
      try {
        server = await spawnTenet({
          args: ['serve', '--demo', '--workers', '2'],
          onSpawn: (child) => child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString())),
          env: {
            ...(process.env as Record<string, string>),
            DATABASE_URL: database.url!,
            TENET_DATA_DIR: dir,
            TENET_BOOTSTRAP_TOKEN: admin,
            TENET_KEYS: JSON.stringify(newKeySet()),
            TENET_SCHEDULER: 'false',
            LOG_LEVEL: 'info',
            PORT: '0',
          },
        });
        const url = server.url;
        // Both workers listening (the second starts after the first; the primary says so).
        const primary = server.child.pid!;
        const deadline = Date.now() + 60_000;
        while (!log.includes('"msg":"tenet workers listening"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        const workers = childrenOf(primary);
        expect(workers).toHaveLength(2);
        const made = await fetch(`${url}/v1/api-keys`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'workers test', role: 'service' }),
        });
        const service = ((await made.json()) as { key: string }).key;
        const ask = { principal: { type: 'User', id: 'asha' }, action: { id: 'read' }, resource: { type: 'Order', id: 'o-1001' } };
        const decide = (key: string) =>
          fetch(`${url}/v1/authorize`, {
            method: 'POST',
            // A new connection each: the primary hands connections to the workers in turn.
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', connection: 'close' },
            body: JSON.stringify(ask),
          }).then(async (r) => ({ status: r.status, decision: ((await r.json()) as { decision?: string }).decision }));
        const before = workers.map(cpuTicks);
        const answers = await Promise.all(Array.from({ length: 400 }, () => decide(service)));
        // Allowed or denied (the demo's integrations turn ready as their first control runs pass): answered.
        expect(answers.filter((a) => a.status !== 200 || !['allow', 'deny'].includes(a.decision!))).toEqual([]);
        const used = workers.map((pid, i) => cpuTicks(pid) - before[i]);
        // Each worker did a share of the work (a worker left idle would use next to nothing).
        for (const u of used) expect(u).toBeGreaterThan(Math.max(...used) / 5);

        // A worker killed is started again, and the port keeps answering.
        process.kill(workers[1], 'SIGKILL');
        const restartBy = Date.now() + 30_000;
        let now = childrenOf(primary);
        while ((now.length < 2 || now.includes(workers[1])) && Date.now() < restartBy) {
          await new Promise((r) => setTimeout(r, 100));
          now = childrenOf(primary);
        }
        expect(now).toHaveLength(2);
        expect(now).not.toContain(workers[1]);
        while (listening() < 3 && Date.now() < restartBy) await new Promise((r) => setTimeout(r, 100));
        expect(listening(), 'two workers, then the restarted one, listening').toBe(3);
        expect((await fetch(`${url}/healthz`)).status).toBe(200);

        server.child.kill('SIGTERM');
        expect(await server.exited).toBe(0);
        for (const pid of now) expect(() => process.kill(pid, 0)).toThrow();
        const logged = await sql<{ n: number }>`SELECT count(*)::int AS n FROM decisions WHERE principal_type = 'User'`.execute(database.db);
        expect(logged.rows[0].n).toBeGreaterThanOrEqual(400);
      } finally {
        if (server && server.child.exitCode === null) {
          server.child.kill('SIGKILL');
          await server.exited;
        }
        await database.close();
      }
    }, 120_000);

    it('workers stop themselves when their primary is killed', async () => {
      const database = await createTestDatabase();
      let log = '';
      const server = await spawnTenet({
        args: ['serve', '--workers', '2'],
        onSpawn: (child) => child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString())),
        env: {
          ...(process.env as Record<string, string>),
          DATABASE_URL: database.url!,
          TENET_DATA_DIR: path.join(dir, 'orphans'),
          TENET_KEYS: JSON.stringify(newKeySet()),
          TENET_SCHEDULER: 'false',
          LOG_LEVEL: 'info',
          PORT: '0',
        },
      });
      let workers: number[] = [];
      try {
        const until = Date.now() + 60_000;
        while (!log.includes('"msg":"tenet workers listening"') && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
        workers = childrenOf(server.child.pid!);
        expect(workers).toHaveLength(2);
        server.child.kill('SIGKILL');
        await server.exited;
        const gone = () => workers.every((pid) => !existsSync(`/proc/${pid}`));
        const by = Date.now() + 20_000;
        while (!gone() && Date.now() < by) await new Promise((r) => setTimeout(r, 100));
        expect(gone()).toBe(true);
      } finally {
        for (const pid of workers.filter((p) => existsSync(`/proc/${p}`))) process.kill(pid, 'SIGKILL');
        if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
        await database.close();
      }
    }, 120_000);

    it('refuses to start with fewer workers while a removed worker journal still holds decisions', async () => {
      const base = path.join(dir, 'stranded');
      mkdirSync(`${base}/decision-journal-worker-3`, { recursive: true });
      writeFileSync(`${base}/decision-journal-worker-3/0000000000000001.seg`, 'x');
      let out = '';
      try {
        execFileSync(process.execPath, [bin, 'serve', '--port', '0', '--workers', '2'], {
          env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL, TENET_DATA_DIR: base, LOG_LEVEL: 'warn' },
          stdio: 'pipe',
          timeout: 30_000,
        });
      } catch (error) {
        out = String((error as { stderr?: Buffer }).stderr);
      }
      expect(out).toMatch(/workers beyond 2 still hold decisions .*decision-journal-worker-3.*start with as many workers as before/);
    });
  });
});
