import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE packs (
      id text PRIMARY KEY,
      profile text NOT NULL CHECK (profile IN ('sp-api', 'google')),
      period_from timestamptz NOT NULL,
      period_to timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL,
      status text NOT NULL CHECK (status IN ('building', 'ready', 'refused', 'failed')),
      error text,
      size bigint,
      sha256 text,
      manifest jsonb
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS packs`.execute(db);
}
