import { execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../../engine/db/database.ts';
import { buildDemoEntities } from '../../engine/demo/demo-entities.ts';
import { spawnTenet } from '../helpers/spawn-tenet.ts';
import { createChildDatabase } from '../helpers/test-database.ts';

/**
 * A full disk under the decision journal fails closed: a real `tenet serve` whose journal lives on a 64 MiB tmpfs
 * (mounted here: the suite runs as root, as CI does), filled to the last byte while decisions are asked for.
 * Decisions then answer 503 `unavailable` — never an allow, never a decision id that is not durable — and /readyz
 * answers 503 naming the journal; once space returns, both recover without a restart, and every decision that was
 * answered is in the decisions table.
 */

const dataDir = mkdtempSync(path.join(tmpdir(), 'tenet-diskfull-'));
const mount = mkdtempSync(path.join(tmpdir(), 'tenet-diskfull-mnt-'));
const filler = path.join(mount, 'filler');
const admin = 'disk-full-test-admin-token-0123456789abcdef';
let mounted = false;
let database: Awaited<ReturnType<typeof createChildDatabase>> | undefined;
let databaseUrl: string | undefined;
let server: { url: string; child: ChildProcess; exited: Promise<number | null> } | undefined;

beforeAll(async () => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0700', 'tmpfs', mount], { stdio: 'pipe' });
    mounted = true;
  } catch (error) {
    throw new Error(
      `journal-disk-full mounts a tmpfs for the journal and needs root (CAP_SYS_ADMIN): ${String((error as { stderr?: Buffer }).stderr ?? error)}`,
    );
  }
  const env: Record<string, string | undefined> = {
    ...process.env,
    TENET_DATA_DIR: dataDir,
    TENET_JOURNAL_DIR: path.join(mount, 'journal'),
    TENET_BOOTSTRAP_TOKEN: admin,
    TENET_SCHEDULER: 'false',
    LOG_LEVEL: 'info',
    PORT: '0',
    HOST: '127.0.0.1',
  };
  database = await createChildDatabase('tenet_diskfull');
  databaseUrl = database.url;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;
  server = await spawnTenet({ args: ['serve'], env, timeoutMs: 180_000 });
}, 240_000);

afterAll(async () => {
  if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  if (mounted) execFileSync('umount', ['-l', mount]);
  rmSync(mount, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
  await database?.drop();
}, 60_000);

const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
const one = { principal: { type: 'User', id: 'asha' }, action: { id: 'reveal_buyer_pii' }, resource: { type: 'Order', id: 'o-1001' }, context: { mfa: true } };

async function call(route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(server!.url + route, { method: body ? 'POST' : 'GET', headers, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: await res.json() };
}

/** Fills the tmpfs to the last byte. */
function fill(): void {
  const fd = openSync(filler, 'a');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  // The last partial chunk: byte by byte is too slow, halves are enough.
  const fd2 = openSync(filler, 'a');
  try {
    for (let size = 32 * 1024; size >= 1; size >>= 1) {
      try {
        for (;;) writeSync(fd2, Buffer.alloc(size));
      } catch {
        /* next size */
      }
    }
  } finally {
    closeSync(fd2);
  }
}

it('disk full under the journal: 503 unavailable and no decision given out, /readyz 503 naming the journal; recovers when space returns; every answer is in the table', async () => {
  const put = await fetch(`${server!.url}/v1/entities`, { method: 'PUT', headers, body: JSON.stringify({ entities: buildDemoEntities() }) });
  expect(put.status).toBe(200);
  const answered: string[] = [];
  const first = await call('/v1/authorize', one);
  expect(first.status).toBe(200);
  answered.push(first.body.decisionId);
  expect((await call('/readyz')).status).toBe(200);

  fill();
  // The journal's last page fills within a few decisions; each answer up to then is durable, then 503s.
  let refused: { status: number; body: any } | undefined;
  for (let i = 0; i < 2000 && !refused; i++) {
    const r = await call('/v1/authorize', one);
    if (r.status === 200) answered.push(r.body.decisionId);
    else refused = r;
  }
  expect(refused?.status).toBe(503);
  expect(refused!.body.error.code).toBe('unavailable');
  expect(refused!.body.error.message).toMatch(/decision journal cannot write \(ENOSPC/);
  expect(refused!.body.decision).toBeUndefined();
  expect(refused!.body.decisionId).toBeUndefined();

  // Fail closed, steadily: every decision, single or batched, is refused while the disk is full.
  await new Promise((r) => setTimeout(r, 1000));
  for (let i = 0; i < 20; i++) {
    const r = await call('/v1/authorize', one);
    expect(r.status).toBe(503);
    expect(r.body.decision).toBeUndefined();
  }
  const batch = await call('/v1/authorize/batch', { requests: Array.from({ length: 100 }, () => one) });
  expect(batch.status).toBe(503);
  expect(batch.body.results).toBeUndefined();
  const readyz = await call('/readyz');
  expect(readyz.status).toBe(503);
  expect(readyz.body.checks.decisionJournal).toBe(false);
  expect(readyz.body.failed).toContain('decisionJournal');
  expect(readyz.body.decisionJournal.state).toBe('failed');

  // Space returns: the journal writes again without a restart.
  rmSync(filler);
  const started = Date.now();
  while ((await call('/readyz')).status !== 200) {
    expect(Date.now() - started).toBeLessThan(10_000);
    await new Promise((r) => setTimeout(r, 100));
  }
  const again = await call('/v1/authorize', one);
  expect(again.status).toBe(200);
  answered.push(again.body.decisionId);
  const batchAgain = await call('/v1/authorize/batch', { requests: Array.from({ length: 100 }, () => one) });
  expect(batchAgain.status).toBe(200);
  answered.push(...batchAgain.body.results.map((r: { decisionId: string }) => r.decisionId));

  server!.child.kill('SIGTERM');
  expect(await server!.exited).toBe(0);
  server = undefined;
  const h = await openDatabase({ databaseUrl, dataDir, migrate: false });
  try {
    const decisions = await h.db.selectFrom('decisions').select('id').where('id', 'in', answered).execute();
    const reveals = await h.db.selectFrom('pii_reveals').select('decision_id').where('decision_id', 'in', answered).execute();
    expect(decisions.length).toBe(answered.length);
    expect(reveals.length).toBe(answered.length);
  } finally {
    await h.close();
  }
}, 240_000);
