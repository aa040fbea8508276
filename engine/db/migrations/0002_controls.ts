import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Evidence: an append-only hash chain (evidence/ledger/evidence-store.ts). seq is dense and assigned under a lock.
  await sql`
    CREATE TABLE evidence_records (
      seq bigint PRIMARY KEY,
      prev_hash text NOT NULL,
      hash text NOT NULL UNIQUE,
      collected_at timestamptz NOT NULL,
      control_id text NOT NULL,
      source text NOT NULL,
      payload jsonb NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX evidence_records_control_idx ON evidence_records (control_id, seq DESC)`.execute(db);
  await sql`CREATE TRIGGER evidence_records_append_only BEFORE UPDATE ON evidence_records FOR EACH ROW EXECUTE FUNCTION tenet_refuse_update()`.execute(db);
  await sql`
    CREATE FUNCTION tenet_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'table % is append-only: rows cannot be deleted', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
    END $$`.execute(db);
  await sql`CREATE TRIGGER evidence_records_no_delete BEFORE DELETE ON evidence_records FOR EACH ROW EXECUTE FUNCTION tenet_refuse_delete()`.execute(db);

  await sql`
    CREATE TABLE control_runs (
      id bigserial PRIMARY KEY,
      control_id text NOT NULL,
      trigger text NOT NULL CHECK (trigger IN ('schedule', 'manual', 'startup')),
      scheduled_for timestamptz,
      replica text NOT NULL,
      status text NOT NULL CHECK (status IN ('running', 'pass', 'fail', 'error', 'not_applicable')),
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      duration_ms double precision,
      summary text,
      findings jsonb NOT NULL DEFAULT '[]'::jsonb,
      evidence_seq bigint REFERENCES evidence_records (seq),
      requested_by text,
      UNIQUE (control_id, scheduled_for)
    )`.execute(db);
  await sql`CREATE INDEX control_runs_control_idx ON control_runs (control_id, id DESC)`.execute(db);

  await sql`
    CREATE TABLE control_exceptions (
      id text PRIMARY KEY,
      control_id text NOT NULL,
      integration_id text,
      reason text NOT NULL,
      approved_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      revoked_by text,
      CHECK (expires_at > created_at)
    )`.execute(db);
  await sql`CREATE INDEX control_exceptions_control_idx ON control_exceptions (control_id)`.execute(db);

  await sql`
    CREATE TABLE attestations (
      id bigserial PRIMARY KEY,
      document_id text NOT NULL,
      title text NOT NULL,
      kid text NOT NULL,
      attested_by text NOT NULL,
      attested_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      digest text NOT NULL,
      jws text NOT NULL UNIQUE,
      received_at timestamptz NOT NULL DEFAULT now(),
      received_by text NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX attestations_document_idx ON attestations (document_id, attested_at DESC)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['attestations', 'control_exceptions', 'control_runs', 'evidence_records']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
  }
  await sql`DROP FUNCTION IF EXISTS tenet_refuse_delete()`.execute(db);
}
