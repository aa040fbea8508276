import { Migrator, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, hasServerDatabase } from '../../test/helpers/test-database.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { migrationProvider } from '../db/migrations/index.ts';
import { createLogger } from '../kernel/logger.ts';
import { DecisionLog } from './decision-log.ts';
import type { DecisionRecord } from './decision-record.ts';
import { RETENTION_LOCK, ensureDecisionPartitions, listDecisionPartitions, nextDay, utcDay } from './decision-partitions.ts';

const DAY = 86_400_000;
const logger = createLogger({ level: 'silent' });

const row = (id: string, at: Date, extra: Partial<Record<string, unknown>> = {}) => ({
  id,
  at,
  principal_type: 'User',
  principal_id: `u-${id}`,
  action: 'reveal_buyer_pii',
  resource_type: 'Order',
  resource_id: `o-${id}`,
  decision: 'allow' as const,
  reasons: JSON.stringify(['policy0']),
  errors: '[]',
  policy_hash: 'h',
  entity_version: '7',
  latency_us: 12,
  context_keys: JSON.stringify(['purpose']),
  request_id: `r-${id}`,
  caller: null,
  ...extra,
});

const record = (id: string, at: Date): DecisionRecord => ({
  id,
  at,
  principal: { type: 'User', id: `u-${id}` },
  action: 'reveal_buyer_pii',
  resource: { type: 'Order', id: `o-${id}` },
  decision: 'allow',
  reasons: ['policy0'],
  errors: [],
  policyHash: 'h',
  entityVersion: '7',
  latencyUs: 12,
  contextKeys: ['purpose'],
  requestId: `r-${id}`,
  requestEntities: [],
  agencyId: 'a',
  clientId: 'c',
});

async function partitionOf(h: DatabaseHandle, id: string): Promise<string | undefined> {
  const r = await sql<{ t: string }>`SELECT tableoid::regclass::text AS t FROM decisions WHERE id = ${id}`.execute(h.db);
  return r.rows[0]?.t;
}

describe('migration 0018: the decision log partitioned by day', () => {
  let h: DatabaseHandle;
  const today = utcDay(new Date());
  const old = [
    { id: 'd-jan', at: new Date('2026-01-15T10:00:00.123Z') },
    { id: 'd-nov', at: new Date('2026-11-20T23:59:59.999Z') },
    { id: 'd-nov-2', at: new Date('2026-11-20T00:00:00.000Z') },
    { id: 'd-today', at: new Date(`${today}T00:00:01.000Z`) },
  ];
  beforeAll(async () => {
    h = await createTestDatabase({ migrate: false });
    const migrator = new Migrator({ db: h.db, provider: migrationProvider });
    const r = await migrator.migrateTo('0017_control_run_leases');
    expect(r.error).toBeUndefined();
    for (const o of old) {
      await h.db.insertInto('decisions').values(row(o.id, o.at)).execute();
      await sql`INSERT INTO decisions (id, at, principal_type, principal_id, action, resource_type, resource_id, decision, reasons, errors,
                                       policy_hash, entity_version, latency_us, context_keys, request_entities)
                SELECT ${o.id + '-e'}, at, principal_type, principal_id, action, resource_type, resource_id, decision, reasons, errors,
                       policy_hash, entity_version, latency_us, context_keys, '[{"type":"Order","id":"x"}]'::jsonb FROM decisions WHERE id = ${o.id}`.execute(
        h.db,
      );
    }
    const up = await migrator.migrateToLatest();
    expect(up.error).toBeUndefined();
  });
  afterAll(async () => h?.close());

  it('keeps every existing row, byte for byte, in the partition of its day', async () => {
    const rows = await h.db.selectFrom('decisions').selectAll().orderBy('id').execute();
    expect(rows.map((r) => r.id)).toEqual(['d-jan', 'd-jan-e', 'd-nov', 'd-nov-2', 'd-nov-2-e', 'd-nov-e', 'd-today', 'd-today-e']);
    const jan = rows.find((r) => r.id === 'd-jan')!;
    expect(jan).toMatchObject({
      at: new Date('2026-01-15T10:00:00.123Z'),
      principal_id: 'u-d-jan',
      reasons: ['policy0'],
      context_keys: ['purpose'],
      request_entities: [],
    });
    expect(rows.find((r) => r.id === 'd-jan-e')!.request_entities).toEqual([{ type: 'Order', id: 'x' }]);
    expect(await partitionOf(h, 'd-jan')).toBe('decisions_p20260115');
    // The last millisecond of a day and the first of the day are both in that day's partition.
    expect(await partitionOf(h, 'd-nov')).toBe('decisions_p20261120');
    expect(await partitionOf(h, 'd-nov-2')).toBe('decisions_p20261120');
    expect(await partitionOf(h, 'd-today')).toBe(`decisions_p${today.replaceAll('-', '')}`);
    const kind = await sql<{ relkind: string }>`SELECT relkind FROM pg_class WHERE oid = 'decisions'::regclass`.execute(h.db);
    expect(kind.rows[0].relkind).toBe('p');
    expect(await sql`SELECT 1 FROM pg_class WHERE relname = 'decisions_unpartitioned'`.execute(h.db).then((r) => r.rows.length)).toBe(0);
  });

  it('made partitions for the old rows’ days, today and the next 7 days, and a DEFAULT partition', async () => {
    const days = (await listDecisionPartitions(h.db)).map((p) => p.day);
    const ahead = Array.from({ length: 8 }, (_, i) => utcDay(new Date(Date.parse(`${today}T00:00:00Z`) + i * DAY)));
    expect(days).toEqual([...new Set(['2026-01-15', '2026-11-20', ...ahead])].sort());
    const def = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'decisions'::regclass AND c.relname = 'decisions_default' AND c.relpartbound IS NOT NULL`.execute(h.db);
    expect(def.rows[0].n).toBe(1);
  });

  it('keys on (id, at), keeps the console’s indexes on every partition, and refuses UPDATE on the table and on each partition', async () => {
    const pk = await sql<{ col: string }>`
      SELECT a.attname AS col FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
      WHERE i.indrelid = 'decisions'::regclass AND i.indisprimary ORDER BY a.attname`.execute(h.db);
    expect(pk.rows.map((r) => r.col)).toEqual(['at', 'id']);
    const indexes = await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'decisions' ORDER BY 1`.execute(h.db);
    expect(indexes.rows.map((r) => r.name)).toEqual(['decisions_action_idx', 'decisions_at_idx', 'decisions_pkey', 'decisions_principal_idx']);
    const onPartition = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'decisions_p20260115'`.execute(h.db);
    expect(onPartition.rows[0].n).toBe(4);
    await expect(h.db.updateTable('decisions').set({ decision: 'deny' }).where('id', '=', 'd-jan').execute()).rejects.toThrow(/append-only/);
    await expect(sql`UPDATE decisions_p20260115 SET decision = 'deny'`.execute(h.db)).rejects.toThrow(/append-only/);
    // Every partition, DEFAULT included, carries its clone of the trigger.
    const without = await sql<{ name: string }>`
      SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'decisions'::regclass
        AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'decisions_append_only' AND t.tgenabled <> 'D')`.execute(h.db);
    expect(without.rows).toEqual([]);
  });

  it('the decision log still writes a replayed record once (ON CONFLICT (id, at)), with its PII-reveal row once', async () => {
    const log = new DecisionLog({ db: h.db, logger });
    const r = record('replayed', new Date(`${today}T01:02:03.456Z`));
    await log.append(r);
    await log.flush();
    await log.append({ ...r });
    await log.append(record('d-nov', new Date('2026-11-20T23:59:59.999Z'))); // a pre-migration row, replayed
    await log.close();
    const n = await sql<{
      id: string;
      n: number;
    }>`SELECT id, count(*)::int AS n FROM decisions WHERE id IN ('replayed', 'd-nov') GROUP BY id ORDER BY id`.execute(h.db);
    expect(n.rows).toEqual([
      { id: 'd-nov', n: 1 },
      { id: 'replayed', n: 1 },
    ]);
    const reveals = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pii_reveals WHERE decision_id IN ('replayed', 'd-nov')`.execute(h.db);
    expect(reveals.rows[0].n).toBe(1);
  });

  it('down makes the plain table again with every row, and up partitions it again', async () => {
    const migrator = new Migrator({ db: h.db, provider: migrationProvider });
    const before = (await h.db.selectFrom('decisions').select('id').orderBy('id').execute()).map((r) => r.id);
    expect((await migrator.migrateTo('0017_control_run_leases')).error).toBeUndefined();
    const kind = await sql<{ relkind: string }>`SELECT relkind FROM pg_class WHERE oid = 'decisions'::regclass`.execute(h.db);
    expect(kind.rows[0].relkind).toBe('r');
    expect((await h.db.selectFrom('decisions').select('id').orderBy('id').execute()).map((r) => r.id)).toEqual(before);
    await expect(h.db.updateTable('decisions').set({ decision: 'deny' }).execute()).rejects.toThrow(/append-only/);
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect((await h.db.selectFrom('decisions').select('id').orderBy('id').execute()).map((r) => r.id)).toEqual(before);
    expect(await partitionOf(h, 'd-jan')).toBe('decisions_p20260115');
  });
});

describe('daily partitions', () => {
  let h: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    h = await createTestDatabase();
  });
  afterAll(async () => h?.close());

  it('routes a row into its day’s partition, and one outside every range into DEFAULT', async () => {
    const now = new Date();
    await h.db.insertInto('decisions').values(row('now', now)).execute();
    await h.db
      .insertInto('decisions')
      .values(row('far-future', new Date('2031-03-01T00:00:00Z')))
      .execute();
    await h.db
      .insertInto('decisions')
      .values(row('long-ago', new Date('2020-03-01T00:00:00Z')))
      .execute();
    expect(await partitionOf(h, 'now')).toBe(`decisions_p${utcDay(now).replaceAll('-', '')}`);
    expect(await partitionOf(h, 'far-future')).toBe('decisions_default');
    expect(await partitionOf(h, 'long-ago')).toBe('decisions_default');
  });

  it('creates a partition over rows DEFAULT already holds for that day: they move into it, the others stay', async () => {
    const day = '2031-03-01';
    await h.db
      .insertInto('decisions')
      .values(row('far-future-2', new Date('2031-03-01T23:59:59.999Z')))
      .execute();
    await h.db
      .insertInto('decisions')
      .values(row('next-day', new Date('2031-03-02T00:00:00.000Z')))
      .execute();
    const r = await ensureDecisionPartitions({ db: h.db, now: new Date(`${day}T12:00:00Z`), aheadDays: 0 });
    expect(r).toEqual({ ran: true, created: [day], movedFromDefault: 2 });
    expect(await partitionOf(h, 'far-future')).toBe('decisions_p20310301');
    expect(await partitionOf(h, 'far-future-2')).toBe('decisions_p20310301');
    expect(await partitionOf(h, 'next-day')).toBe('decisions_default');
    // The attached partition got the partitioned indexes and the append-only trigger.
    const idx = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'decisions_p20310301'`.execute(h.db);
    expect(idx.rows[0].n).toBe(4);
    await expect(sql`UPDATE decisions_p20310301 SET decision = 'deny'`.execute(h.db)).rejects.toThrow(/append-only/);
    // And the key holds across the move: the same (id, at) again is a conflict.
    await expect(
      h.db
        .insertInto('decisions')
        .values(row('far-future', new Date('2031-03-01T00:00:00Z')))
        .execute(),
    ).rejects.toThrow(/duplicate key/);
    // Again: nothing to do.
    expect(await ensureDecisionPartitions({ db: h.db, now: new Date(`${day}T12:00:00Z`), aheadDays: 1 })).toEqual({
      ran: true,
      created: [nextDay(day)],
      movedFromDefault: 1,
    });
    expect(await partitionOf(h, 'next-day')).toBe('decisions_p20310302');
  });

  it.skipIf(!hasServerDatabase)('skips the round while another replica holds the retention lock', async () => {
    const other = new pg.Client({ connectionString: h.url });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [RETENTION_LOCK]);
      expect(await ensureDecisionPartitions({ db: h.db, now: new Date('2032-01-01T00:00:00Z'), aheadDays: 0 })).toEqual({
        ran: false,
        created: [],
        movedFromDefault: 0,
      });
      await other.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK]);
      expect((await ensureDecisionPartitions({ db: h.db, now: new Date('2032-01-01T00:00:00Z'), aheadDays: 0 })).created).toEqual(['2032-01-01']);
    } finally {
      await other.end();
    }
  });
});
