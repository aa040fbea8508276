import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import type { Db, DatabaseHandle } from '../db/database.ts';
import { createLogger } from '../kernel/logger.ts';
import { DecisionJournal, frame, JournalUnavailableError, readFrames } from './decision-journal.ts';
import { DecisionLog } from './decision-log.ts';
import { toDecisionRecord, type DecisionRecord } from './decision-record.ts';

/**
 * The decision journal under the decision log, on real files and a real database: records are durable before
 * `append` resolves, a torn tail is dropped, a replay is idempotent (decisions and PII-reveal rows once), and the
 * size bound fails closed and recovers once the database takes the backlog.
 */
let database: DatabaseHandle;
const dirs: string[] = [];
const logger = createLogger({ level: 'silent' });
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'tenet-journal-'));
  dirs.push(d);
  return d;
};
const until = async (ok: () => boolean, ms = 5000) => {
  for (const started = Date.now(); !ok() && Date.now() - started < ms;) await new Promise((r) => setTimeout(r, 10));
};
const segments = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.journal'))
    .sort();

const rec = (i: number, action = i % 3 === 0 ? 'reveal_buyer_pii' : 'read'): DecisionRecord =>
  toDecisionRecord({
    request: {
      principal: { type: 'User', id: `u-${i}` },
      action: { id: action },
      resource: { type: 'Order', id: `o-${i}` },
      context: { mfa: true, purpose: 'fulfilment', audience: '+919876543210' },
    },
    decision: { decision: i % 2 ? 'allow' : 'deny', reasons: ['p'], errors: [], policyHash: 'h', entityVersion: '1', latencyUs: 7 },
    requestId: `req-${i}`,
    caller: 'key-1',
    tenancy: action === 'reveal_buyer_pii' ? { agencyId: 'ag-1', clientId: 'cl-1' } : undefined,
  });

async function counts(db: Db, ids: string[]) {
  const decisions = await db.selectFrom('decisions').select('id').where('id', 'in', ids).execute();
  const reveals = await db.selectFrom('pii_reveals').select('decision_id').where('decision_id', 'in', ids).execute();
  return {
    decisions: decisions.length,
    distinct: new Set(decisions.map((r) => r.id)).size,
    reveals: reveals.length,
    distinctReveals: new Set(reveals.map((r) => r.decision_id)).size,
  };
}

/** A database that refuses every write as an outage would (connection failure), while `down.value` is true. */
function flaky(db: Db, down: { value: boolean }): Db {
  return new Proxy(db, {
    get(target, key, receiver) {
      if (key === 'transaction' && down.value) {
        return () => ({ execute: () => Promise.reject(Object.assign(new Error('connection terminated'), { code: '08006' })) });
      }
      const value = Reflect.get(target, key, receiver);
      // Kysely keeps its state in private fields: its methods must run on the real instance.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('decision journal', () => {
  it('frames: a record reads back whole; a torn or corrupted tail is cut at the first bad frame', () => {
    const a = rec(1);
    const b = rec(2);
    const good = Buffer.concat([frame(a), frame(b)]);
    expect(readFrames(good).frames.map((f) => JSON.parse(f.payload.toString()).id)).toEqual([a.id, b.id]);
    expect(readFrames(good).torn).toBe(false);
    const torn = readFrames(Buffer.concat([good, frame(rec(3)).subarray(0, 30)]));
    expect(torn.frames).toHaveLength(2);
    expect(torn.torn).toBe(true);
    expect(torn.end).toBe(good.length);
    const flipped = Buffer.concat([good, frame(rec(4))]);
    flipped[flipped.length - 5] ^= 0xff;
    expect(readFrames(flipped).frames).toHaveLength(2);
    // A zero-filled tail (a file extended without its data after a power loss) is not a record either.
    expect(readFrames(Buffer.concat([good, Buffer.alloc(64)])).frames).toHaveLength(2);
  });

  it('a journal left by a crash, with a torn tail, is replayed up to the tear; replaying it again writes nothing twice', async () => {
    const dir = tempDir();
    // A process that journaled 300 records and died before shipping any: its writer never took them.
    const first = new DecisionJournal({ dir, maxBytes: 64 * 1024 * 1024, segmentBytes: 32 * 1024, logger });
    await first.open();
    const records = Array.from({ length: 300 }, (_, i) => rec(i));
    // In groups of 20 (one group per turn of the event loop); segments rotate between groups.
    for (let i = 0; i < records.length; i += 20) await Promise.all(records.slice(i, i + 20).map((r) => first.append(r)));
    expect(first.fsyncs).toBeGreaterThan(0);
    const files = segments(dir);
    expect(files.length).toBeGreaterThan(2); // rotated at 32 KiB
    // The crash tore the last write: half a frame of a record that was never answered.
    const unanswered = rec(1000);
    appendFileSync(path.join(dir, files[files.length - 1]), frame(unanswered).subarray(0, 40));
    const copy = mkdtempSync(path.join(tmpdir(), 'tenet-journal-copy-'));
    dirs.push(copy);
    for (const f of segments(dir)) writeFileSync(path.join(copy, f), readFileSync(path.join(dir, f)));
    // (the process is gone: no close; its lock names this process, which a restart in the same process may take)

    const replay = async (from: string) => {
      const journal = new DecisionJournal({ dir: from, maxBytes: 64 * 1024 * 1024, logger });
      await journal.open();
      const log = new DecisionLog({ db: database.db, logger, flushMs: 5, maxBatch: 128, journal });
      log.start();
      await log.flush();
      return { journal, log };
    };
    const { journal, log } = await replay(dir);
    expect(journal.recovered.records).toBe(300);
    expect(journal.recovered.tornTails).toBe(1);
    const ids = records.map((r) => r.id);
    expect(await counts(database.db, [...ids, unanswered.id])).toEqual({ decisions: 300, distinct: 300, reveals: 100, distinctReveals: 100 });
    // Shipped segments are deleted (in the background); only the new, empty one is left.
    await until(() => segments(dir).length === 1);
    expect(segments(dir)).toHaveLength(1);
    expect(log.depth).toBe(0);
    await log.close();
    await until(() => segments(dir).length === 0);
    expect(segments(dir)).toHaveLength(0);

    // The same segments again (a crash after the COMMIT, before the segments were deleted): nothing is written twice.
    const again = await replay(copy);
    expect(again.journal.recovered.records).toBe(300);
    expect(await counts(database.db, ids)).toEqual({ decisions: 300, distinct: 300, reveals: 100, distinctReveals: 100 });
    await again.log.close();
  });

  it('an append resolves only once its record is on disk, and the writer ships it; the record is the DecisionRecord', async () => {
    const dir = tempDir();
    const journal = new DecisionJournal({ dir, maxBytes: 16 * 1024 * 1024, logger });
    await journal.open();
    const log = new DecisionLog({ db: database.db, logger, flushMs: 1_000_000, journal });
    const r = rec(7, 'reveal_buyer_pii');
    await log.append(r);
    // Not written to the database yet (the flush timer is far away), but durable: the file holds it whole.
    const [file] = segments(dir);
    const bytes = readFileSync(path.join(dir, file));
    const frames = readFrames(bytes, 8).frames;
    expect(frames).toHaveLength(1);
    expect(JSON.parse(frames[0].payload.toString())).toEqual(JSON.parse(JSON.stringify(r)));
    // Context keys only, as in the decisions table: no context value reaches the journal.
    expect(bytes.toString()).not.toContain('9876543210');
    expect(r.contextKeys).toEqual(['audience', 'mfa', 'purpose']);
    expect(log.depth).toBe(1);
    await log.flush();
    expect(await counts(database.db, [r.id])).toEqual({ decisions: 1, distinct: 1, reveals: 1, distinctReveals: 1 });
    await log.close();
  });

  it('database down: decisions stay durable on disk past the memory queue; at the size bound appends fail closed (503) until the database takes the backlog', async () => {
    const dir = tempDir();
    const down = { value: true };
    const journal = new DecisionJournal({ dir, maxBytes: 256 * 1024, segmentBytes: 64 * 1024, logger });
    await journal.open();
    const log = new DecisionLog({ db: flaky(database.db, down), logger, flushMs: 5, maxQueue: 100, maxBatch: 50, journal });
    const answered: DecisionRecord[] = [];
    let refused: unknown;
    for (let i = 0; i < 5000 && !refused; i++) {
      const r = rec(10_000 + i);
      await log.append(r).then(
        () => answered.push(r),
        (e: unknown) => (refused = e),
      );
    }
    // Far more than the memory queue holds (100) was answered: the journal holds them.
    expect(answered.length).toBeGreaterThan(300);
    expect(refused).toBeInstanceOf(JournalUnavailableError);
    expect((refused as JournalUnavailableError).code).toBe('unavailable');
    expect(journal.healthy).toBe(false);
    expect(journal.status.state).toBe('full');
    expect(log.readiness).toEqual({ decisionJournal: false });
    await expect(log.append(rec(99_999))).rejects.toBeInstanceOf(JournalUnavailableError);

    down.value = false;
    const started = Date.now();
    while (!journal.healthy && Date.now() - started < 15_000) {
      await log.flush().catch(() => {});
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(journal.status).toMatchObject({ state: 'ok' });
    await log.flush();
    const ids = answered.map((r) => r.id);
    const c = await counts(database.db, ids);
    expect(c.decisions).toBe(answered.length);
    expect(c.distinct).toBe(answered.length);
    expect(c.reveals).toBe(answered.filter((r) => r.action === 'reveal_buyer_pii').length);
    const after = rec(20_000);
    await log.append(after);
    await log.flush();
    expect((await counts(database.db, [after.id])).decisions).toBe(1);
    expect(journal.bytes).toBeLessThan(256 * 1024);
    await until(
      () =>
        segments(dir)
          .map((f) => statSync(path.join(dir, f)).size)
          .reduce((a, b) => a + b, 0) === journal.bytes,
    );
    const sizes = segments(dir).map((f) => statSync(path.join(dir, f)).size);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(journal.bytes);
    await log.close();
  });
});
