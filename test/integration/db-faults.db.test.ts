import { execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isDatabaseUnavailable, openDatabase } from '../../engine/db/database.ts';
import { spawnTenet } from '../helpers/spawn-tenet.ts';

/**
 * Database faults fail fast. A private PostgreSQL cluster, started here (it ignores DATABASE_URL,
 * so it runs the same under `npm test` and the server run of `.ci/run`), is frozen (SIGSTOP on every process of the
 * cluster), resumed, stopped and started again under a running `tenet serve` process.
 */

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'pg_ctl'))) : [];
  if (versions.length === 0) {
    throw new Error(
      'db-faults needs the PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/<version>/bin: install the Debian package postgresql',
    );
  }
  versions.sort((a, b) => Number(b) - Number(a));
  return path.join(root, versions[0], 'bin');
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const clusterDir = mkdtempSync(path.join(tmpdir(), 'tenet-dbfaults-pg-'));
const dataDir = mkdtempSync(path.join(tmpdir(), 'tenet-dbfaults-data-'));
const pgData = path.join(clusterDir, 'data');
const admin = 'db-faults-test-admin-token-0123456789abcdef';
// A password the server never asks for (trust): it must never appear in Tenet's output.
const password = 'never-logged-pw-7f3a91';
let bin = '';
let port = 0;
let child: ChildProcess | undefined;
let exited: Promise<number | null> | undefined;
let url = '';
let output = '';
let frozen: number[] = [];

const asPostgres = (cmd: string, args: string[]): string =>
  execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const pgCtl = (action: 'start' | 'stop', extra: string[] = []): string =>
  asPostgres('pg_ctl', ['-D', pgData, '-l', path.join(clusterDir, 'server.log'), '-w', '-t', '30', ...extra, action]);

function startCluster(): void {
  pgCtl('start', ['-o', `-p ${port} -k ${clusterDir} -c listen_addresses=127.0.0.1 -c fsync=off`]);
}

/** Every process of the cluster: the postmaster and its children (backends, checkpointer, walwriter …). */
function clusterPids(): number[] {
  const postmaster = Number(readFileSync(path.join(pgData, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' })
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
  return [postmaster, ...children];
}

function freeze(): void {
  frozen = clusterPids();
  for (const pid of frozen) process.kill(pid, 'SIGSTOP');
}

function thaw(): void {
  for (const pid of frozen) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      /* gone */
    }
  }
  frozen = [];
}

async function call(route: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; ms: number; body: any }> {
  const started = performance.now();
  const res = await fetch(`${url}${route}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${admin}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, ms, body };
}

const authorize = () =>
  call('/v1/authorize', {
    method: 'POST',
    body: { principal: { type: 'User', id: 'asha' }, action: { id: 'read' }, resource: { type: 'Order', id: 'o-1001' } },
  });

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await check().catch(() => false)) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;

/** Every decision answered while the database was frozen or stopped: once it is back, each must be in the log. */
const answeredDuringFaults: string[] = [];
async function authorizeDuringFault(): Promise<Awaited<ReturnType<typeof authorize>>> {
  const r = await authorize();
  if (r.status === 200) answeredDuringFaults.push(r.body.decisionId);
  return r;
}

/** Waits until every decision answered during a fault is in the decisions table; returns how many there are. */
async function allAnsweredLogged(): Promise<number> {
  const h = await openDatabase({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/postgres`, migrate: false });
  try {
    await until(
      'decisions answered during the faults are in the log',
      async () => {
        const rows = await h.db.selectFrom('decisions').select('id').where('id', 'in', answeredDuringFaults).execute();
        return rows.length === answeredDuringFaults.length;
      },
      20_000,
    );
  } finally {
    await h.close();
  }
  return answeredDuringFaults.length;
}

beforeAll(async () => {
  bin = postgresBin();
  port = await freePort();
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(clusterDir, uid, gid);
  asPostgres('initdb', ['-D', pgData, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  startCluster();

  const env: Record<string, string | undefined> = {
    ...process.env,
    DATABASE_URL: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    TENET_DATA_DIR: dataDir,
    TENET_BOOTSTRAP_TOKEN: admin,
    LOG_LEVEL: 'info',
    PORT: '0',
    HOST: '127.0.0.1',
  };
  const started = await spawnTenet({ args: ['serve', '--demo'], env, stderr: 'pipe', timeoutMs: 90_000 });
  ({ child, exited, url } = started);
  child!.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child!.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await until('ready after start', async () => (await call('/readyz')).status === 200, 60_000);
}, 180_000);

afterAll(async () => {
  thaw();
  if (alive()) {
    child!.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (alive()) child!.kill('SIGKILL');
  }
  try {
    if (existsSync(path.join(pgData, 'postmaster.pid'))) pgCtl('stop', ['-m', 'immediate']);
  } finally {
    rmSync(clusterDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 60_000);

it('frozen database (SIGSTOP): decisions answer from memory, /readyz 503 within 1 s, other routes 503 within 2.5 s; SIGCONT recovers', async () => {
  const ready = await call('/readyz');
  expect(ready.status).toBe(200);
  expect(ready.body.authorization.entitiesStaleMs).toBeGreaterThanOrEqual(0);
  expect(ready.body.authorization.entitiesStaleMs).toBeLessThan(5_000);
  expect((await call('/v1/decisions?limit=1')).status).toBe(200);
  expect((await authorize()).status).toBe(200); // the API key is now in its lookup cache (5 s)

  freeze();
  try {
    const decision = await authorizeDuringFault();
    expect(decision.status).toBe(200);
    expect(decision.body.decision).toBe('allow');
    expect(decision.ms).toBeLessThan(1_000);
    for (let i = 0; i < 20; i++) expect((await authorizeDuringFault()).status).toBe(200);

    const readyz = await call('/readyz');
    expect(readyz.status).toBe(503);
    expect(readyz.ms).toBeLessThanOrEqual(1_000);
    expect(readyz.body.checks.database).toBe(false);
    expect(readyz.body.failed).toContain('database');
    expect(typeof readyz.body.authorization.entitiesStaleMs).toBe('number');

    const decisions = await call('/v1/decisions?limit=1');
    expect(decisions.status).toBe(503);
    expect(decisions.body.error.code).toBe('unavailable');
    expect(decisions.ms).toBeLessThanOrEqual(2_500);

    // Once the entity refreshes have failed for a while, /readyz says how old the authorization data is.
    await new Promise((r) => setTimeout(r, 1_500));
    const stale = await call('/readyz');
    expect(stale.ms).toBeLessThanOrEqual(1_000);
    expect(stale.body.authorization.entitiesStaleMs).toBeGreaterThanOrEqual(1_500);
    // Several requests at once, while still frozen: none waits beyond the limits (nothing piles up).
    const burst = await Promise.all(Array.from({ length: 20 }, () => call('/v1/decisions?limit=1')));
    for (const r of burst) {
      expect(r.status).toBe(503);
      expect(r.ms).toBeLessThanOrEqual(2_500);
    }
  } finally {
    thaw();
  }
  const recovered = await until('ready after SIGCONT', async () => (await call('/readyz')).status === 200, 10_000);
  expect(recovered).toBeLessThan(10_000);
  expect((await call('/v1/decisions?limit=1')).status).toBe(200);
  expect((await authorize()).status).toBe(200);
  expect(alive()).toBe(true);
  // Answered while frozen ⇒ durable: all 21 are in the log once the database is back (0 lost).
  expect(await allAnsweredLogged()).toBe(21);
}, 90_000);

it('stopped database: the process survives its connections being cut, answers 503 fast, and recovers when it is back', async () => {
  pgCtl('stop', ['-m', 'fast']);
  await new Promise((r) => setTimeout(r, 1_500));
  expect(alive()).toBe(true);

  const readyz = await call('/readyz');
  expect(readyz.status).toBe(503);
  expect(readyz.ms).toBeLessThanOrEqual(1_000);
  expect(readyz.body.checks.database).toBe(false);
  const decisions = await call('/v1/decisions?limit=1');
  expect(decisions.status).toBe(503);
  expect(decisions.body.error.code).toBe('unavailable');
  expect(decisions.ms).toBeLessThanOrEqual(2_500);
  // A decision answers from memory, or — once the API key's cache has expired — 503 fast; never a hang or a 500.
  const decision = await authorizeDuringFault();
  expect([200, 503]).toContain(decision.status);
  expect(decision.ms).toBeLessThanOrEqual(2_500);

  startCluster();
  await until('ready after restart', async () => (await call('/readyz')).status === 200, 15_000);
  expect((await call('/v1/decisions?limit=1')).status).toBe(200);
  expect((await authorize()).status).toBe(200);
  expect(alive()).toBe(true);
  // The idle connections' errors were logged, without the connection string or its password.
  expect(output).toMatch(/database connection error/);
  expect(output).not.toContain(password);
  // Whatever was answered while it was stopped is in the log too.
  expect(await allAnsweredLogged()).toBeGreaterThanOrEqual(21);
}, 90_000);

it('the pool itself: statement timeout, pool wait, a hung query abandoned, a blocked event loop not taken for an outage', async () => {
  const h = await openDatabase({
    databaseUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    migrate: false,
    poolMax: 1,
    timeouts: { statementMs: 300, poolWaitMs: 400 },
  });
  const timed = async (p: Promise<unknown>): Promise<{ error: unknown; ms: number }> => {
    const started = performance.now();
    const error = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    return { error, ms: performance.now() - started };
  };
  try {
    // Statement timeout: the server cancels it (57014), which the HTTP layer answers 503.
    const slow = await timed(sql`select pg_sleep(5)`.execute(h.db));
    expect((slow.error as { code?: string }).code).toBe('57014');
    expect(isDatabaseUnavailable(slow.error)).toBe(true);
    expect(slow.ms).toBeLessThan(2_000);

    // Pool wait: the only connection is held by a transaction; another query gives up after 400 ms.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const trx = h.db.transaction().execute(async (t) => {
      await sql`select 1`.execute(t);
      await held;
    });
    await new Promise((r) => setTimeout(r, 100));
    const waited = await timed(sql`select 1`.execute(h.db));
    expect(isDatabaseUnavailable(waited.error)).toBe(true);
    expect(waited.ms).toBeLessThan(1_500);
    release();
    await trx;

    // The event loop blocked for 1.5 s (longer than the probe's limit) is not an outage.
    let downs = 0;
    const unsubscribe = h.health!.onDown(() => downs++);
    const probing = h.health!.probe(); // in flight while the loop is blocked: its answer arrives, unread, meanwhile
    const busyUntil = Date.now() + 1_500;
    while (Date.now() < busyUntil) {
      /* busy */
    }
    expect(await probing).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    unsubscribe();
    expect(downs).toBe(0);
    expect(h.health?.up).toBe(true);
    expect(await sql`select 1 as one`.execute(h.db)).toMatchObject({ rows: [{ one: 1 }] });

    // A query waiting on a server that freezes is abandoned once the probe notices (about 1.5 s), not left hanging.
    const h2 = await openDatabase({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/postgres`, migrate: false, timeouts: { statementMs: 0 } });
    try {
      freeze();
      const hung = await timed(sql`select 1`.execute(h2.db));
      expect(isDatabaseUnavailable(hung.error)).toBe(true);
      expect(hung.ms).toBeLessThan(2_500);
      expect(h2.health?.up).toBe(false);
    } finally {
      thaw();
    }
    await until('the probe sees the server again', async () => h2.health?.up === true, 5_000);
    expect(await sql`select 1 as one`.execute(h2.db)).toMatchObject({ rows: [{ one: 1 }] });
    await h2.close();
  } finally {
    await h.close();
  }
}, 60_000);

it('a connection held inside a transaction when the server stops: the error is handled, the process lives on', async () => {
  const h = await openDatabase({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/postgres`, migrate: false });
  try {
    let stopped!: () => void;
    const serverStopped = new Promise<void>((r) => (stopped = r));
    const trx = h.db.transaction().execute(async (t) => {
      await sql`select 1`.execute(t);
      await serverStopped; // checked out, no statement running, while the server goes away
      await sql`select 1`.execute(t);
    });
    const outcome = trx.then(
      () => 'committed',
      (e: unknown) => (isDatabaseUnavailable(e) ? 'unavailable' : String(e)),
    );
    await new Promise((r) => setTimeout(r, 200));
    pgCtl('stop', ['-m', 'fast']);
    await new Promise((r) => setTimeout(r, 500));
    stopped();
    expect(await outcome).toBe('unavailable');
    startCluster();
    await until('the probe sees the server again', async () => h.health?.up === true, 10_000);
    expect(await sql`select 1 as one`.execute(h.db)).toMatchObject({ rows: [{ one: 1 }] });
  } finally {
    await h.close();
  }
}, 60_000);
