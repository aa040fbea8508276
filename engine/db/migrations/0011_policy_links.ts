import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Template links: per-tenant grants added and removed at runtime, without a new policy version. Every insert and
  // every removal takes a new version from the sequence (a removal is a tombstone: the row stays, with who removed
  // it and when), so a replica notices any change by the set's highest version.
  await sql`CREATE SEQUENCE policy_links_version`.execute(db);
  await sql`
    CREATE TABLE policy_links (
      id bigserial PRIMARY KEY,
      policy_set text NOT NULL,
      link_id text NOT NULL,
      template_id text NOT NULL,
      principal jsonb,
      resource jsonb,
      version bigint NOT NULL DEFAULT nextval('policy_links_version'),
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL,
      removed_at timestamptz,
      removed_by text
    )`.execute(db);
  // A link id names one live link per policy set; a removed one may be linked again.
  await sql`CREATE UNIQUE INDEX policy_links_live_id ON policy_links (policy_set, link_id) WHERE removed_at IS NULL`.execute(db);
  await sql`CREATE INDEX policy_links_version_idx ON policy_links (policy_set, version)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS policy_links`.execute(db);
  await sql`DROP SEQUENCE IF EXISTS policy_links_version`.execute(db);
}
