import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { frame, SEGMENT_MAGIC, segmentName } from '../../engine/authz/decision-journal.ts';
import { toDecisionRecord, type DecisionRecord } from '../../engine/authz/decision-record.ts';
import { openDatabase } from '../../engine/db/database.ts';
import { buildDemoEntities } from '../../engine/demo/demo-entities.ts';
import { spawnTenet } from '../helpers/spawn-tenet.ts';
import { createChildDatabase } from '../helpers/test-database.ts';

/**
 * Answered ⇒ durable, with a real `tenet serve` process killed with SIGKILL (kill -9) at a random moment under
 * load, and restarted on the same data directory and database: every decisionId any client received must be in
 * the decisions table. Then a crash in the middle of the replay of a large journal (0 lost, 0 duplicated, PII-reveal
 * rows once), with a torn tail on the journal the load left. Embedded PostgreSQL under `npm test`; the server in
 * DATABASE_URL (a fresh database) under `.ci/run`.
 */

const dataDir = mkdtempSync(path.join(tmpdir(), 'tenet-crash-'));
const journalDir = path.join(dataDir, 'decision-journal');
const admin = 'crash-safety-admin-token-0123456789abcdef';
const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
let rand = seed;
const random = () => (rand = (Math.imul(rand, 1664525) + 1013904223) >>> 0) / 2 ** 32;
let database: Awaited<ReturnType<typeof createChildDatabase>> | undefined;
let databaseUrl: string | undefined;
let env: Record<string, string | undefined>;
let server: { url: string; child: ChildProcess; exited: Promise<number | null> } | undefined;

const answered = new Set<string>();
const answeredReveals = new Set<string>();

beforeAll(async () => {
  console.log(`crash-safety seed ${seed} (CRASH_SEED to repeat)`);
  env = { ...process.env, TENET_DATA_DIR: dataDir, TENET_BOOTSTRAP_TOKEN: admin, TENET_SCHEDULER: 'false', LOG_LEVEL: 'info', PORT: '0', HOST: '127.0.0.1' };
  database = await createChildDatabase('tenet_crash');
  databaseUrl = database.url;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;
}, 60_000);

afterAll(async () => {
  if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  await database?.drop();
}, 60_000);

async function start(): Promise<void> {
  server = await spawnTenet({ args: ['serve'], env, timeoutMs: 180_000 });
}

async function kill9(): Promise<void> {
  server!.child.kill('SIGKILL');
  await server!.exited;
  server = undefined;
}

async function sigterm(): Promise<void> {
  server!.child.kill('SIGTERM');
  expect(await server!.exited).toBe(0);
  server = undefined;
}

/** Reads the database while no server runs (embedded) or beside it (server). */
async function withDb<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>): Promise<T> {
  const h = await openDatabase({ databaseUrl, dataDir, migrate: false });
  try {
    return await fn(h.db);
  } finally {
    await h.close();
  }
}

/** Of `ids`: how many rows the decisions table holds, how many distinct; the same for pii_reveals of `reveals`. */
async function countIn(ids: string[], reveals: string[]): Promise<{ decisions: number; reveals: number; revealRows: number }> {
  return withDb(async (db) => {
    let decisions = 0;
    let revealRows = 0;
    const distinctReveals = new Set<string>();
    for (let i = 0; i < ids.length; i += 5000) {
      decisions += (
        await db
          .selectFrom('decisions')
          .select('id')
          .where('id', 'in', ids.slice(i, i + 5000))
          .execute()
      ).length;
    }
    for (let i = 0; i < reveals.length; i += 5000) {
      const rows = await db
        .selectFrom('pii_reveals')
        .select('decision_id')
        .where('decision_id', 'in', reveals.slice(i, i + 5000))
        .execute();
      revealRows += rows.length;
      for (const r of rows) distinctReveals.add(r.decision_id);
    }
    return { decisions, reveals: distinctReveals.size, revealRows };
  });
}

const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
const requestBody = (i: number) =>
  i % 2
    ? { principal: { type: 'User', id: 'asha' }, action: { id: 'read' }, resource: { type: 'Order', id: 'o-1001' } }
    : { principal: { type: 'User', id: 'asha' }, action: { id: 'reveal_buyer_pii' }, resource: { type: 'Order', id: 'o-1001' }, context: { mfa: true } };

/**
 * `clients` callers in a loop until the process dies: single calls, or batches of `batch` decisions. Every
 * decisionId in a 200 answer is recorded (reveals apart: they must also be in pii_reveals).
 */
function drive(props: { clients: number; batch?: number }, onAnswered: (n: number) => void): { stop: () => Promise<void> } {
  let stopped = false;
  const url = server!.url;
  const client = async (c: number) => {
    let i = c;
    while (!stopped) {
      try {
        const body = props.batch ? { requests: Array.from({ length: props.batch }, (_, k) => requestBody(i + k)) } : requestBody(i);
        const res = await fetch(`${url}/v1/authorize${props.batch ? '/batch' : ''}`, { method: 'POST', headers, body: JSON.stringify(body) });
        if (res.status !== 200) {
          await res.text();
          continue;
        }
        const json = (await res.json()) as { decisionId?: string; results?: Array<{ decisionId: string }> };
        const ids = props.batch ? json.results!.map((r) => r.decisionId) : [json.decisionId!];
        ids.forEach((id, k) => {
          answered.add(id);
          if ((i + k) % 2 === 0) answeredReveals.add(id);
        });
        onAnswered(ids.length);
        i += props.batch ?? 1;
      } catch {
        // The process was killed: connections reset. Nothing more is answered.
        if (stopped) return;
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  };
  const clients = Array.from({ length: props.clients }, (_, c) => client(c * 1000));
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(clients);
    },
  };
}

const segmentsIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.journal'))
    .sort();

/** Waits until `n` decisions were answered (or `capMs` passed), then a random 0–`jitterMs` more. */
async function loadFor(count: () => number, n: number, capMs: number, jitterMs: number): Promise<void> {
  const started = Date.now();
  while (count() < n && Date.now() - started < capMs) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, random() * jitterMs));
}

/** Waits until none of `files` is left in the journal: every record in them shipped, the segments deleted. */
async function replayed(files: Set<string>, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (segmentsIn(journalDir).some((f) => files.has(f))) {
    if (Date.now() - started > timeoutMs) throw new Error(`the journal was not replayed within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The answered decisions missing from the decisions table, and the answered reveals missing from pii_reveals. */
async function missing(): Promise<{ decisions: string[]; reveals: string[]; revealRows: number }> {
  const all = [...answered];
  const reveals = [...answeredReveals];
  return withDb(async (db) => {
    const found = new Set<string>();
    for (let i = 0; i < all.length; i += 5000)
      for (const r of await db
        .selectFrom('decisions')
        .select('id')
        .where('id', 'in', all.slice(i, i + 5000))
        .execute())
        found.add(r.id);
    const revealed = new Set<string>();
    let revealRows = 0;
    for (let i = 0; i < reveals.length; i += 5000) {
      for (const r of await db
        .selectFrom('pii_reveals')
        .select('decision_id')
        .where('decision_id', 'in', reveals.slice(i, i + 5000))
        .execute()) {
        revealed.add(r.decision_id);
        revealRows++;
      }
    }
    return { decisions: all.filter((id) => !found.has(id)), reveals: reveals.filter((id) => !revealed.has(id)), revealRows };
  });
}

it('kill -9 at a random moment under single-call load, then under batch load (8 clients × 100), a torn tail, a restart: every answered decision is in the decisions table', async () => {
  await start();
  const put = await fetch(`${server!.url}/v1/entities`, { method: 'PUT', headers, body: JSON.stringify({ entities: buildDemoEntities() }) });
  expect(put.status).toBe(200);

  // Single calls, 16 clients; SIGKILL once 1,000 are answered (or 20 s), plus a random 0–1.5 s.
  let singleAnswered = 0;
  const single = drive({ clients: 16 }, (n) => (singleAnswered += n));
  await loadFor(() => singleAnswered, 1000, 20_000, 1500);
  // A control run answered under that load: its evidence was committed before the answer, so the crash right
  // after it keeps it.
  const ran = await fetch(`${server!.url}/v1/controls/run`, { method: 'POST', headers, body: JSON.stringify({ controls: ['audit.pii-reveal-retention'] }) });
  expect(ran.status).toBe(200);
  const run = ((await ran.json()) as { runs: Array<{ id: string; status: string; evidenceSeq: number }> }).runs[0];
  await kill9();
  await single.stop();
  expect(singleAnswered).toBeGreaterThan(100);

  await start();
  // Batches of 100, 8 clients; SIGKILL once 8,000 are answered (or 20 s), plus a random 0–2 s.
  let batchAnswered = 0;
  const batch = drive({ clients: 8, batch: 100 }, (n) => (batchAnswered += n));
  await loadFor(() => batchAnswered, 8000, 20_000, 2000);
  await kill9();
  await batch.stop();
  expect(batchAnswered).toBeGreaterThanOrEqual(1600);

  // The crash tore the journal's last write: half a frame of a record that was never answered.
  const left = segmentsIn(journalDir);
  expect(left.length).toBeGreaterThan(0);
  const torn = toDecisionRecord({
    request: { principal: { type: 'User', id: 'torn' }, action: { id: 'read' }, resource: { type: 'Order', id: 'o-1001' } },
    decision: { decision: 'deny', reasons: [], errors: [], policyHash: 'h', entityVersion: '0', latencyUs: 1 },
  });
  appendFileSync(path.join(journalDir, left[left.length - 1]), frame(torn).subarray(0, 37));

  await start();
  await replayed(new Set(left), 180_000);
  await sigterm();
  console.log(`crash-safety: answered ${singleAnswered} single + ${batchAnswered} batched before the two SIGKILLs`);
  const lost = await missing();
  expect(lost.decisions, `${lost.decisions.length} of ${answered.size} answered decisions are not in the decisions table`).toEqual([]);
  expect(lost.reveals).toHaveLength(0);
  expect(lost.revealRows).toBe(answeredReveals.size);
  expect((await countIn([torn.id], [])).decisions).toBe(0);
  const evidence = await withDb(async (db) => ({
    run: await db.selectFrom('control_runs').select(['status', 'evidence_seq']).where('id', '=', run.id).executeTakeFirst(),
    record: await db.selectFrom('evidence_records').select(['seq', 'payload']).where('seq', '=', String(run.evidenceSeq)).executeTakeFirst(),
  }));
  expect(evidence.run).toMatchObject({ status: run.status });
  expect(Number(evidence.run!.evidence_seq)).toBe(run.evidenceSeq);
  expect((evidence.record!.payload as { runId: string }).runId).toBe(run.id);
}, 600_000);

it('a crash during the replay of a large journal, then a restart: 0 lost, 0 duplicated, PII-reveal rows once', async () => {
  expect(segmentsIn(journalDir)).toEqual([]);
  // 24 segments of 1,250 journaled decisions each (every third a PII reveal), as a process that lost its database
  // for a while and then crashed would leave them.
  const synthetic: DecisionRecord[] = [];
  const syntheticFiles: string[] = [];
  for (let s = 0; s < 24; s++) {
    const records = Array.from({ length: 1250 }, (_, k) => {
      const reveal = (s * 1250 + k) % 3 === 0;
      return toDecisionRecord({
        request: {
          principal: { type: 'User', id: `replay-${s}-${k}` },
          action: { id: reveal ? 'reveal_buyer_pii' : 'read' },
          resource: { type: 'Order', id: 'o-1001' },
          context: { mfa: true },
        },
        decision: { decision: 'allow', reasons: ['permit'], errors: [], policyHash: 'h', entityVersion: '1', latencyUs: 5 },
        caller: 'crash-test',
        tenancy: reveal ? { agencyId: 'a', clientId: 'c' } : undefined,
      });
    });
    synthetic.push(...records);
    const name = segmentName(1_000_000 + s);
    syntheticFiles.push(name);
    writeFileSync(path.join(journalDir, name), Buffer.concat([SEGMENT_MAGIC, ...records.map(frame)]), { mode: 0o600 });
  }
  const ids = synthetic.map((r) => r.id);
  const revealIds = synthetic.filter((r) => r.action === 'reveal_buyer_pii').map((r) => r.id);
  // Start; SIGKILL as soon as the first synthetic segment has been shipped (and deleted), while most remain. The
  // replay starts before the process listens, so the process is watched from the moment it is spawned.
  let child: ChildProcess | undefined;
  const starting = spawnTenet({ args: ['serve'], env, timeoutMs: 180_000, onSpawn: (c) => (child = c) });
  starting.catch(() => {}); // it is killed, perhaps before it listens
  let remaining = syntheticFiles.length;
  const started = Date.now();
  while (remaining === syntheticFiles.length && Date.now() - started < 180_000) {
    await new Promise((r) => setTimeout(r, 2));
    if (child && (child.exitCode !== null || child.signalCode !== null))
      throw new Error(`tenet serve exited (${child.exitCode}) before the replay got anywhere`);
    const present = new Set(segmentsIn(journalDir));
    remaining = syntheticFiles.filter((f) => present.has(f)).length;
  }
  child!.kill('SIGKILL');
  await new Promise((r) => (child!.exitCode !== null || child!.signalCode !== null ? r(undefined) : child!.once('exit', r)));
  const present = new Set(segmentsIn(journalDir));
  remaining = syntheticFiles.filter((f) => present.has(f)).length;
  expect(remaining).toBeGreaterThan(0);
  expect(remaining).toBeLessThan(syntheticFiles.length);
  const mid = await countIn(ids, revealIds);
  console.log(`crash-safety: killed during replay with ${remaining} of ${syntheticFiles.length} segments left; ${mid.decisions} of ${ids.length} written`);
  expect(mid.decisions).toBeGreaterThan(0);
  expect(mid.decisions).toBeLessThan(ids.length);

  // Restart: the replay resumes from the segments left; nothing is lost, nothing is written twice.
  await start();
  await replayed(new Set(syntheticFiles), 180_000);
  await sigterm();
  expect(segmentsIn(journalDir)).toEqual([]);

  const after = await countIn(ids, revealIds);
  expect(after.decisions).toBe(ids.length);
  expect(after.reveals).toBe(revealIds.length);
  expect(after.revealRows).toBe(revealIds.length); // once each
}, 600_000);
