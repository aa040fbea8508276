import { sql, type Kysely } from 'kysely';

/**
 * The decision log partitioned by day (UTC): `decisions` becomes a table PARTITIONED BY RANGE (at) with one
 * partition per day (`decisions_p20261128` holds [2026-11-28T00:00Z, 2026-11-29T00:00Z)) and a DEFAULT partition
 * (`decisions_default`) for rows outside every daily range (an old journal replayed after its day was dropped, a
 * replica's clock far ahead). Retention then drops whole days instead of deleting row by row, and a closed day can be
 * exported as one unit (engine/authz/decision-partitions.ts, decision-export.ts).
 *
 * The key becomes (id, at): PostgreSQL requires a partitioned table's unique keys to include the partition column.
 * A record replayed from the decision journal has the same id and the same `at`, so the writer's
 * ON CONFLICT (id, at) still writes it once.
 *
 * Existing rows are kept: the old table is renamed, the new one created with a partition for every day the old rows
 * fall on (and for today and the next 7 days, so a freshly migrated database does not route into DEFAULT), the rows
 * are copied, and the old table dropped. The indexes are partitioned indexes and the append-only trigger a trigger on
 * the partitioned table: PostgreSQL clones both onto every partition, present and future (created or attached).
 *
 * `decision_log_exports`: one row per exported day (and, while an export runs, its claim). A day is exported once;
 * retention drops an exported day only behind its row when export is configured.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE decisions RENAME TO decisions_unpartitioned`.execute(db);
  // Index names are per schema: the old ones step aside for the partitioned indexes of the same names.
  await sql`ALTER TABLE decisions_unpartitioned RENAME CONSTRAINT decisions_pkey TO decisions_unpartitioned_pkey`.execute(db);
  for (const name of ['decisions_at_idx', 'decisions_principal_idx', 'decisions_action_idx']) {
    await sql`ALTER INDEX ${sql.id(name)} RENAME TO ${sql.id(name.replace('decisions_', 'decisions_unpartitioned_'))}`.execute(db);
  }
  await createPartitionedDecisions(db);

  const days = await sql<{ day: string }>`
    SELECT DISTINCT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM decisions_unpartitioned
    UNION
    SELECT to_char((now() AT TIME ZONE 'UTC')::date + n, 'YYYY-MM-DD') FROM generate_series(0, 7) AS n`.execute(db);
  for (const { day } of days.rows) {
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    await sql`CREATE TABLE ${sql.id(`decisions_p${day.replaceAll('-', '')}`)} PARTITION OF decisions
              FOR VALUES FROM (${sql.lit(`${day}T00:00:00Z`)}) TO (${sql.lit(`${next}T00:00:00Z`)})`.execute(db);
  }
  await sql`INSERT INTO decisions (${sql.raw(COLUMNS)}) SELECT ${sql.raw(COLUMNS)} FROM decisions_unpartitioned`.execute(db);
  await sql`DROP TABLE decisions_unpartitioned`.execute(db);

  await sql`
    CREATE TABLE decision_log_exports (
      day date PRIMARY KEY,
      status text NOT NULL CHECK (status IN ('exporting', 'done')),
      claimed_by text NOT NULL,
      lease_until timestamptz NOT NULL,
      object_key text,
      manifest_key text,
      sha256 text,
      lines_sha256 text,
      rows bigint,
      bytes bigint,
      exported_at timestamptz,
      CHECK (status = 'exporting' OR (object_key IS NOT NULL AND manifest_key IS NOT NULL AND sha256 IS NOT NULL
                                      AND lines_sha256 IS NOT NULL AND rows IS NOT NULL AND bytes IS NOT NULL
                                      AND exported_at IS NOT NULL))
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS decision_log_exports`.execute(db);
  await sql`ALTER TABLE decisions RENAME TO decisions_partitioned`.execute(db);
  await sql`ALTER TABLE decisions_partitioned RENAME CONSTRAINT decisions_pkey TO decisions_partitioned_pkey`.execute(db);
  for (const name of ['decisions_at_idx', 'decisions_principal_idx', 'decisions_action_idx']) {
    await sql`ALTER INDEX ${sql.id(name)} RENAME TO ${sql.id(name.replace('decisions_', 'decisions_partitioned_'))}`.execute(db);
  }
  // The table as 0001 and 0007 made it. Its key is the id alone: should two rows share an id (at different times,
  // which only a partitioned table allows), the earlier is kept.
  await sql`
    CREATE TABLE decisions (${sql.raw(COLUMN_DEFINITIONS)}, PRIMARY KEY (id))`.execute(db);
  await sql`
    INSERT INTO decisions (${sql.raw(COLUMNS)})
    SELECT ${sql.raw(COLUMNS)} FROM decisions_partitioned ORDER BY at, id
    ON CONFLICT (id) DO NOTHING`.execute(db);
  await sql`DROP TABLE decisions_partitioned`.execute(db);
  await sql`CREATE INDEX decisions_at_idx ON decisions (at DESC)`.execute(db);
  await sql`CREATE INDEX decisions_principal_idx ON decisions (principal_type, principal_id, at DESC)`.execute(db);
  await sql`CREATE INDEX decisions_action_idx ON decisions (action, at DESC)`.execute(db);
  await sql`CREATE TRIGGER decisions_append_only BEFORE UPDATE ON decisions FOR EACH ROW EXECUTE FUNCTION tenet_refuse_update()`.execute(db);
}

/** The columns as 0001 and 0007 made them (the key is added apart: (id) before this migration, (id, at) after). */
const COLUMN_DEFINITIONS = `
  id text NOT NULL,
  at timestamptz NOT NULL,
  principal_type text NOT NULL,
  principal_id text NOT NULL,
  action text NOT NULL,
  resource_type text NOT NULL,
  resource_id text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('allow', 'deny')),
  reasons jsonb NOT NULL,
  errors jsonb NOT NULL,
  policy_hash text NOT NULL,
  entity_version text NOT NULL,
  latency_us integer NOT NULL,
  context_keys jsonb NOT NULL,
  request_id text,
  caller text,
  request_entities jsonb NOT NULL DEFAULT '[]'::jsonb`;

const COLUMNS =
  'id, at, principal_type, principal_id, action, resource_type, resource_id, decision, reasons, errors, policy_hash, ' +
  'entity_version, latency_us, context_keys, request_id, caller, request_entities';

async function createPartitionedDecisions(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE decisions (${sql.raw(COLUMN_DEFINITIONS)}, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)`.execute(db);
  // The console's and the audit routes' orderings (newest first; by principal; by action).
  await sql`CREATE INDEX decisions_at_idx ON decisions (at DESC)`.execute(db);
  await sql`CREATE INDEX decisions_principal_idx ON decisions (principal_type, principal_id, at DESC)`.execute(db);
  await sql`CREATE INDEX decisions_action_idx ON decisions (action, at DESC)`.execute(db);
  // On the partitioned table: cloned onto every partition, so UPDATE is refused on the parent and on each partition.
  await sql`CREATE TRIGGER decisions_append_only BEFORE UPDATE ON decisions FOR EACH ROW EXECUTE FUNCTION tenet_refuse_update()`.execute(db);
  await sql`CREATE TABLE decisions_default PARTITION OF decisions DEFAULT`.execute(db);
}
