import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE SEQUENCE entities_version`.execute(db);
  await sql`
    CREATE TABLE entities (
      type text NOT NULL,
      id text NOT NULL,
      attrs jsonb NOT NULL DEFAULT '{}'::jsonb,
      parents jsonb NOT NULL DEFAULT '[]'::jsonb,
      version bigint NOT NULL DEFAULT nextval('entities_version'),
      deleted boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (type, id)
    )`.execute(db);
  await sql`CREATE INDEX entities_version_idx ON entities (version)`.execute(db);

  await sql`
    CREATE TABLE policy_sets (
      id serial PRIMARY KEY,
      name text NOT NULL,
      version integer NOT NULL,
      hash text NOT NULL,
      policies text NOT NULL,
      schema text NOT NULL,
      status text NOT NULL CHECK (status IN ('active', 'superseded', 'rejected')),
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL,
      comment text,
      report jsonb NOT NULL DEFAULT '{}'::jsonb,
      UNIQUE (name, version)
    )`.execute(db);
  // At most one active version per policy set, enforced by the database, not by care.
  await sql`CREATE UNIQUE INDEX policy_sets_one_active ON policy_sets (name) WHERE status = 'active'`.execute(db);

  await sql`
    CREATE TABLE decisions (
      id text PRIMARY KEY,
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
      caller text
    )`.execute(db);
  await sql`CREATE INDEX decisions_at_idx ON decisions (at DESC)`.execute(db);
  await sql`CREATE INDEX decisions_principal_idx ON decisions (principal_type, principal_id, at DESC)`.execute(db);
  await sql`CREATE INDEX decisions_action_idx ON decisions (action, at DESC)`.execute(db);

  await sql`
    CREATE TABLE pii_reveals (
      id bigserial PRIMARY KEY,
      decision_id text NOT NULL,
      at timestamptz NOT NULL,
      principal_type text NOT NULL,
      principal_id text NOT NULL,
      resource_type text NOT NULL,
      resource_id text NOT NULL,
      agency_id text,
      client_id text,
      decision text NOT NULL,
      reasons jsonb NOT NULL,
      purpose text,
      caller text
    )`.execute(db);
  await sql`CREATE INDEX pii_reveals_at_idx ON pii_reveals (at DESC)`.execute(db);

  // Append-only: an audit row is never edited. Retention may delete by age; nothing may rewrite history.
  await sql`
    CREATE FUNCTION tenet_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'table % is append-only: rows cannot be updated', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
    END $$`.execute(db);
  await sql`CREATE TRIGGER decisions_append_only BEFORE UPDATE ON decisions FOR EACH ROW EXECUTE FUNCTION tenet_refuse_update()`.execute(db);
  await sql`CREATE TRIGGER pii_reveals_append_only BEFORE UPDATE ON pii_reveals FOR EACH ROW EXECUTE FUNCTION tenet_refuse_update()`.execute(db);

  await sql`
    CREATE TABLE api_keys (
      id text PRIMARY KEY,
      name text NOT NULL,
      role text NOT NULL CHECK (role IN ('admin', 'security_officer', 'auditor', 'service')),
      key_hash text NOT NULL UNIQUE,
      prefix text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text,
      revoked_at timestamptz,
      last_used_at timestamptz
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['api_keys', 'pii_reveals', 'decisions', 'policy_sets', 'entities']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
  }
  await sql`DROP FUNCTION IF EXISTS tenet_refuse_update()`.execute(db);
  await sql`DROP SEQUENCE IF EXISTS entities_version`.execute(db);
}
