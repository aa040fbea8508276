import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { createLogger } from '../kernel/logger.ts';
import { DecisionLog } from './decision-log.ts';
import { toDecisionRecord, type DecisionRecord } from './decision-record.ts';

/**
 * At the writer: a record PostgreSQL refuses must not wedge the log. It is kept (escaped) in
 * decision_quarantine and counted; every other record of its batch, and every later one, is written.
 */
let database: DatabaseHandle;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

const decision = { decision: 'deny' as const, reasons: [], errors: [], policyHash: 'h', entityVersion: '0', latencyUs: 3 };
const rec = (props: { principal?: string; action?: string; context?: Record<string, unknown>; resource?: string; latencyUs?: number }): DecisionRecord => {
  const r = toDecisionRecord({
    request: {
      principal: { type: 'User', id: props.principal ?? 'meera' },
      action: { id: props.action ?? 'read' },
      resource: { type: 'Order', id: props.resource ?? 'o-1001' },
      context: props.context,
    },
    decision: { ...decision, latencyUs: props.latencyUs ?? 3 },
  });
  return r;
};

async function counts(ids: string[]) {
  const db = database.db;
  const written = await db.selectFrom('decisions').select('id').where('id', 'in', ids).execute();
  const reveals = await db.selectFrom('pii_reveals').select('decision_id').where('decision_id', 'in', ids).execute();
  const kept = await db.selectFrom('decision_quarantine').selectAll().where('decision_id', 'in', ids).execute();
  return { written: written.length, reveals: reveals.length, kept };
}

describe('DecisionLog quarantine', () => {
  it('a NUL principal id is quarantined; the 20 decisions queued after it are written', async () => {
    const log = new DecisionLog({ db: database.db, logger: createLogger({ level: 'silent' }), flushMs: 5 });
    const bad = rec({ principal: 'asha\u0000' });
    const later = Array.from({ length: 20 }, () => rec({}));
    await log.append(bad);
    for (const r of later) await log.append(r);
    await log.flush();
    const c = await counts([bad.id, ...later.map((r) => r.id)]);
    expect(c.written).toBe(20);
    expect(c.kept).toHaveLength(1);
    expect(c.kept[0].decision_id).toBe(bad.id);
    expect(c.kept[0].tables).toBe('decisions');
    // Escaped, not lost: the record reads back whole.
    expect(JSON.parse(c.kept[0].record).principal.id).toBe('asha\u0000');
    expect(log.quarantined).toBe(1);
    expect(log.depth).toBe(0);
    await log.close();
  });

  it('lone surrogates in an id or a context key, and a PII-reveal record, are isolated the same way', async () => {
    const log = new DecisionLog({ db: database.db, logger: createLogger({ level: 'silent' }), maxBatch: 50 });
    const badId = rec({ resource: 'a\ud800b' });
    const badKey = rec({ context: { ['mfa\udfff']: true } });
    const badReveal = rec({ action: 'reveal_buyer_pii', principal: 'x\u0000' });
    const goodReveal = rec({ action: 'reveal_buyer_pii' });
    const good = Array.from({ length: 10 }, () => rec({}));
    const all = [good[0], badId, good[1], good[2], badKey, ...good.slice(3, 7), badReveal, goodReveal, ...good.slice(7)];
    for (const r of all) await log.append(r);
    await log.flush();
    const c = await counts(all.map((r) => r.id));
    expect(c.written).toBe(11);
    expect(c.reveals).toBe(1);
    expect(c.kept.map((k) => k.decision_id).sort()).toEqual([badId.id, badKey.id, badReveal.id].sort());
    expect(c.kept.find((k) => k.decision_id === badReveal.id)?.tables).toBe('decisions+pii_reveals');
    expect(log.quarantined).toBe(3);
    await log.close();
  });

  it('a record the database refuses for another reason (a value out of range) is found by halving and kept; its batch is written', async () => {
    const log = new DecisionLog({ db: database.db, logger: createLogger({ level: 'silent' }), maxBatch: 1000 });
    // latency_us is an integer column: 2^40 is out of range (SQLSTATE 22003), and no edge check knows it.
    const batch = Array.from({ length: 100 }, (_, i) => rec({ latencyUs: i === 61 ? 2 ** 40 : 5 }));
    for (const r of batch) await log.append(r);
    await log.flush();
    const c = await counts(batch.map((r) => r.id));
    expect(c.written).toBe(99);
    expect(c.kept).toHaveLength(1);
    expect(c.kept[0].decision_id).toBe(batch[61].id);
    expect(c.kept[0].reason).toMatch(/^22003/);
    await log.close();
  });

  it('an outage is not a bad record: nothing is quarantined, the batch stays queued and is written when the database is back', async () => {
    const log = new DecisionLog({ db: database.db, logger: createLogger({ level: 'silent' }), flushMs: 5 });
    const w = log as unknown as { write: (b: DecisionRecord[]) => Promise<void> };
    const realWrite = w.write.bind(log);
    let down = true;
    w.write = async (b) => {
      if (down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      return realWrite(b);
    };
    const batch = Array.from({ length: 5 }, () => rec({}));
    for (const r of batch) await log.append(r);
    await expect(log.flush()).rejects.toThrow(/ECONNREFUSED/);
    expect(log.depth).toBe(5);
    expect(log.quarantined).toBe(0);
    down = false;
    await log.flush();
    expect((await counts(batch.map((r) => r.id))).written).toBe(5);
    expect(log.depth).toBe(0);
    await log.close();
  });

  it('quarantined rows cannot be updated (append-only, like the log)', async () => {
    await expect(database.db.updateTable('decision_quarantine').set({ reason: 'edited' }).execute()).rejects.toThrow(/append-only/);
  });
});
