import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

/**
 * The decision log's daily partitions (migration 0018): `decisions_pYYYYMMDD` holds the decisions of one UTC day,
 * [YYYY-MM-DDT00:00Z, next day T00:00Z); `decisions_default` holds whatever falls outside every daily range.
 * Partitions are recognised by their names alone: a table attached under another name is never touched here.
 */

const DAY_MS = 86_400_000;
const PARTITION = /^decisions_p(\d{4})(\d{2})(\d{2})$/;
export const DEFAULT_PARTITION = 'decisions_default';

/**
 * Retention and partition maintenance run one replica at a time under this transaction-scoped advisory lock (a
 * replica that does not get it skips the round: another is doing the same work).
 */
export const RETENTION_LOCK = 73010003;

/** The UTC day (YYYY-MM-DD) `at` falls on. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The day after `day` (YYYY-MM-DD). */
export function nextDay(day: string): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS));
}

export function partitionName(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || utcDay(new Date(`${day}T00:00:00Z`)) !== day) throw new Error(`not a day: ${day}`);
  return `decisions_p${day.replaceAll('-', '')}`;
}

/** The day a daily partition's name stands for; undefined for any other table. */
function dayOfPartition(name: string): string | undefined {
  const m = PARTITION.exec(name);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

/** The daily partitions attached to `decisions`, oldest first (the DEFAULT partition is not among them). */
export async function listDecisionPartitions(db: Db | Transaction<Database>): Promise<Array<{ name: string; day: string }>> {
  const r = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'decisions'::regclass`.execute(db);
  return r.rows
    .map((row) => ({ name: row.name, day: dayOfPartition(row.name) }))
    .filter((p): p is { name: string; day: string } => p.day !== undefined)
    .sort((a, b) => a.day.localeCompare(b.day));
}

/**
 * Makes sure today's partition and the next `aheadDays` days' exist (default 7), so decisions route into daily
 * partitions rather than DEFAULT. Under the retention lock: a replica that does not get it skips (the holder does
 * the same work), `ran: false`.
 */
export async function ensureDecisionPartitions(props: {
  db: Db;
  now?: Date;
  aheadDays?: number;
}): Promise<{ ran: boolean; created: string[]; movedFromDefault: number }> {
  return props.db.transaction().execute(async (trx) => {
    const lock = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${RETENTION_LOCK}) as ok`.execute(trx);
    if (!lock.rows[0]?.ok) return { ran: false, created: [], movedFromDefault: 0 };
    return { ran: true, ...(await createDecisionPartitions(trx, props)) };
  });
}

/** ensureDecisionPartitions' work, inside a transaction that already holds the retention lock. */
export async function createDecisionPartitions(
  trx: Transaction<Database>,
  props: { now?: Date; aheadDays?: number },
): Promise<{ created: string[]; movedFromDefault: number }> {
  // Waiting long for a lock would queue the decision writer behind this: fail instead, and retry next round.
  await sql`SET LOCAL lock_timeout = '5s'`.execute(trx);
  const today = utcDay(props.now ?? new Date());
  const existing = new Set((await listDecisionPartitions(trx)).map((p) => p.day));
  const created: string[] = [];
  let moved = 0;
  let day = today;
  for (let i = 0; i <= (props.aheadDays ?? 7); i++, day = nextDay(day)) {
    if (existing.has(day)) continue;
    moved += await createPartition(trx, day);
    created.push(day);
  }
  return { created, movedFromDefault: moved };
}

/**
 * Creates the partition of `day`, taking over the rows DEFAULT holds in its range. PostgreSQL refuses to create or
 * attach a partition while DEFAULT holds rows that belong to it, so the partition is made as a table of its own, those
 * rows are moved into it, and it is attached. DEFAULT is locked first, so no row of that day can reach it in between;
 * the lock is on DEFAULT alone: decisions routed to the daily partitions go on meanwhile (ATTACH takes only a
 * SHARE UPDATE EXCLUSIVE lock on `decisions`). On attach PostgreSQL builds the partition's copies of the partitioned
 * indexes and of the append-only trigger. Returns the rows moved.
 */
async function createPartition(trx: Transaction<Database>, day: string): Promise<number> {
  const name = partitionName(day);
  const from = `${day}T00:00:00Z`;
  const to = `${nextDay(day)}T00:00:00Z`;
  await sql`LOCK TABLE ${sql.table(DEFAULT_PARTITION)} IN ACCESS EXCLUSIVE MODE`.execute(trx);
  await sql`CREATE TABLE ${sql.table(name)} (LIKE decisions INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`.execute(trx);
  const moved = await sql`
    WITH moved AS (
      DELETE FROM ${sql.table(DEFAULT_PARTITION)} WHERE at >= ${from}::timestamptz AND at < ${to}::timestamptz RETURNING *
    )
    INSERT INTO ${sql.table(name)} SELECT * FROM moved`.execute(trx);
  await sql`ALTER TABLE decisions ATTACH PARTITION ${sql.table(name)} FOR VALUES FROM (${sql.lit(from)}) TO (${sql.lit(to)})`.execute(trx);
  return Number(moved.numAffectedRows ?? 0);
}
