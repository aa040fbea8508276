import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Decision-log records PostgreSQL refused (a value it cannot store, a row over a limit): kept here instead of
  // blocking the log or being dropped. `record` is the whole record (with its PII-reveal row, if any) as JSON
  // *text*: JSON.stringify writes NUL and unpaired surrogates as \u escapes, which a text column stores as they
  // are (jsonb would refuse them again). `tables` says where the record should have gone. Append-only, like the
  // decision log itself.
  await sql`
    CREATE TABLE decision_quarantine (
      id bigserial PRIMARY KEY,
      decision_id text NOT NULL,
      at timestamptz NOT NULL,
      quarantined_at timestamptz NOT NULL DEFAULT now(),
      tables text NOT NULL CHECK (tables IN ('decisions', 'decisions+pii_reveals')),
      reason text NOT NULL,
      record text NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX decision_quarantine_at_idx ON decision_quarantine (at DESC)`.execute(db);
  await sql`CREATE TRIGGER decision_quarantine_append_only BEFORE UPDATE ON decision_quarantine FOR EACH ROW EXECUTE FUNCTION tenet_refuse_update()`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS decision_quarantine`.execute(db);
}
