import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A reviewer's signed certification of the access review: every grant kept or revoked (with a reason), the
  // canonical JSON that was hashed (`body`), the hash and the evidence record that carries it. Never edited: a
  // new review is a new row (engine/authz/access-certification.ts).
  await sql`
    CREATE TABLE access_certifications (
      id text PRIMARY KEY,
      certified_at timestamptz NOT NULL,
      certified_by text NOT NULL,
      body jsonb NOT NULL,
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      evidence_seq bigint NOT NULL,
      grants integer NOT NULL,
      revoked integer NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX access_certifications_at_idx ON access_certifications (certified_at DESC, id DESC)`.execute(db);
  await sql`
    CREATE TRIGGER access_certifications_append_only BEFORE UPDATE ON access_certifications
    FOR EACH ROW EXECUTE FUNCTION tenet_refuse_update()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS access_certifications`.execute(db);
}
