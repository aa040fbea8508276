import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Console sign-ins. The cookie holds a 256-bit random token; only its sha256 is stored (like API keys), so the
  // table cannot be replayed. Sessions end 8 h after they start, whatever the activity; expired rows are deleted.
  await sql`
    CREATE TABLE console_sessions (
      id_hash text PRIMARY KEY,
      csrf_token text NOT NULL,
      subject text NOT NULL,
      name text NOT NULL,
      role text NOT NULL CHECK (role IN ('admin', 'security_officer', 'auditor', 'service')),
      via text NOT NULL CHECK (via IN ('demo', 'oidc')),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX console_sessions_expires_idx ON console_sessions (expires_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS console_sessions`.execute(db);
}
