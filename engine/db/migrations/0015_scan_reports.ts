import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Imported scan reports (SAST, dependency audit, penetration test): counts and ids only, never the report's text.
  // Each import is also a record in the evidence chain (evidence_seq); rows are never changed or removed.
  await sql`
    CREATE TABLE scan_reports (
      id bigserial PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('sast', 'dependency-audit', 'pentest')),
      format text NOT NULL CHECK (format IN ('sarif', 'npm-audit', 'summary')),
      tool text NOT NULL,
      tool_version text,
      scanned_at timestamptz NOT NULL,
      imported_at timestamptz NOT NULL DEFAULT now(),
      imported_by text NOT NULL,
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      size integer NOT NULL,
      summary jsonb NOT NULL,
      evidence_seq bigint NOT NULL,
      UNIQUE (kind, sha256)
    )`.execute(db);
  await sql`CREATE INDEX scan_reports_latest_idx ON scan_reports (kind, scanned_at DESC, id DESC)`.execute(db);
  await sql`CREATE TRIGGER scan_reports_append_only BEFORE UPDATE ON scan_reports FOR EACH ROW EXECUTE FUNCTION tenet_refuse_update()`.execute(db);
  await sql`CREATE TRIGGER scan_reports_no_delete BEFORE DELETE ON scan_reports FOR EACH ROW EXECUTE FUNCTION tenet_refuse_delete()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS scan_reports`.execute(db);
}
