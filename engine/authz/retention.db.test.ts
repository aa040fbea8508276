import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { ensureDecisionPartitions, listDecisionPartitions } from './decision-partitions.ts';
import { runRetention } from './retention.ts';

let h: DatabaseHandle;
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(async () => h?.close());

const day = 86_400_000;
const decision = (id: string, at: Date) => ({
  id,
  at,
  principal_type: 'User',
  principal_id: 'u',
  action: 'reveal_buyer_pii',
  resource_type: 'Order',
  resource_id: 'o',
  decision: 'allow' as const,
  reasons: '[]',
  errors: '[]',
  policy_hash: 'h',
  entity_version: '1',
  latency_us: 1,
  context_keys: '[]',
  request_id: null,
  caller: null,
});
const reveal = (id: string, at: Date) => ({
  decision_id: id,
  at,
  principal_type: 'User',
  principal_id: 'u',
  resource_type: 'Order',
  resource_id: 'o',
  agency_id: 'a',
  client_id: 'c',
  decision: 'allow' as const,
  reasons: '[]',
  purpose: null,
  caller: null,
});

it('deletes audit rows past their retention and keeps 365 days of reveals (rows outside every daily partition, in DEFAULT)', async () => {
  const now = new Date('2026-11-22T12:00:00Z');
  const ages = { fresh: 1, year: 364, old: 366, ancient: 500 };
  for (const [id, days] of Object.entries(ages)) {
    const at = new Date(now.getTime() - days * day);
    await h.db.insertInto('decisions').values(decision(id, at)).execute();
    await h.db.insertInto('pii_reveals').values(reveal(id, at)).execute();
  }
  // No daily partition covers these days: the rows are in DEFAULT, deleted one by one by age.
  const result = await runRetention({ db: h.db, decisionDays: 400, revealDays: 365, now, aheadDays: 0 });
  expect(result).toEqual({
    ran: true,
    decisionsDeleted: 1,
    partitionsDropped: [],
    defaultRowsDeleted: 1,
    awaitingExport: [],
    partitionsCreated: ['2026-11-22'],
    revealsDeleted: 2,
  });
  const reveals = (await h.db.selectFrom('pii_reveals').select('decision_id').orderBy('decision_id').execute()).map((r) => r.decision_id);
  expect(reveals).toEqual(['fresh', 'year']);
  const decisions = (await h.db.selectFrom('decisions').select('id').orderBy('id').execute()).map((r) => r.id);
  expect(decisions).toEqual(['fresh', 'old', 'year']);
});

const partitionExists = async (name: string) =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_class WHERE relname = ${name}`.execute(h.db)).rows[0].n === 1;

it('drops whole daily partitions once their day ends before the cutoff (detached, then dropped), and keeps the rest', async () => {
  // Days 2025-01-10 .. 2025-01-13, two decisions each.
  await ensureDecisionPartitions({ db: h.db, now: new Date('2025-01-10T05:00:00Z'), aheadDays: 3 });
  for (const d of ['10', '11', '12', '13']) {
    await h.db
      .insertInto('decisions')
      .values(decision(`p-${d}-a`, new Date(`2025-01-${d}T00:00:00Z`)))
      .execute();
    await h.db
      .insertInto('decisions')
      .values(decision(`p-${d}-b`, new Date(`2025-01-${d}T23:59:59.999Z`)))
      .execute();
  }
  // Cutoff 2025-01-12T06:00Z: the 10th and the 11th have ended before it; the 12th has not (its early row is past
  // the cutoff, yet stays until the whole day is), nor has the 13th.
  const now = new Date(Date.parse('2025-01-12T06:00:00Z') + 30 * day);
  const r = await runRetention({ db: h.db, decisionDays: 30, revealDays: 365, now, aheadDays: 0 });
  expect(r).toMatchObject({ ran: true, partitionsDropped: ['2025-01-10', '2025-01-11'], decisionsDeleted: 4, defaultRowsDeleted: 0, awaitingExport: [] });
  const days = (await listDecisionPartitions(h.db)).map((p) => p.day);
  expect(days).not.toContain('2025-01-10');
  expect(days).not.toContain('2025-01-11');
  expect(days).toEqual(expect.arrayContaining(['2025-01-12', '2025-01-13', '2026-11-22']));
  // Gone from pg_inherits and from the catalogue altogether (dropped, not only detached).
  expect(await partitionExists('decisions_p20250110')).toBe(false);
  expect(await partitionExists('decisions_p20250111')).toBe(false);
  const left = (await h.db.selectFrom('decisions').select('id').where('id', 'like', 'p-%').orderBy('id').execute()).map((x) => x.id);
  expect(left).toEqual(['p-12-a', 'p-12-b', 'p-13-a', 'p-13-b']);
  // Today's partition (the real one, made by the migration) is never touched.
  expect(await partitionExists(`decisions_p${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`)).toBe(true);
});

it('with export configured, drops only exported days whose export holds every row; a day that gained rows is exported again first', async () => {
  const now = new Date(Date.parse('2025-01-14T00:00:00Z') + 30 * day); // cutoff: the 12th and the 13th have ended
  const first = await runRetention({ db: h.db, decisionDays: 30, revealDays: 365, now, aheadDays: 0, requireExport: true });
  expect(first).toMatchObject({ ran: true, partitionsDropped: [], decisionsDeleted: 0, awaitingExport: ['2025-01-12', '2025-01-13'] });
  expect(await partitionExists('decisions_p20250112')).toBe(true);
  const exported = (d: string, rows: number) =>
    sql`INSERT INTO decision_log_exports (day, status, claimed_by, lease_until, object_key, manifest_key, sha256, lines_sha256, rows, bytes, exported_at)
        VALUES (${d}::date, 'done', 'test', now(), 'k', 'm', 's', 'l', ${rows}, 1, now())`.execute(h.db);
  await exported('2025-01-12', 2);
  await exported('2025-01-13', 1); // the 13th gained a row after its export
  const second = await runRetention({ db: h.db, decisionDays: 30, revealDays: 365, now, aheadDays: 0, requireExport: true });
  expect(second).toMatchObject({ partitionsDropped: ['2025-01-12'], decisionsDeleted: 2, awaitingExport: ['2025-01-13'] });
  expect(await partitionExists('decisions_p20250112')).toBe(false);
  expect(await partitionExists('decisions_p20250113')).toBe(true);
  // Its record is withdrawn, so the next export round writes the whole day again.
  const records = await sql<{ day: string }>`SELECT day::text AS day FROM decision_log_exports ORDER BY day`.execute(h.db);
  expect(records.rows.map((x) => x.day)).toEqual(['2025-01-12']);
});
