import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Per log group: the last event timestamp fully scanned, so each scan reads only what is new.
  await sql`
    CREATE TABLE log_scan_checkpoints (
      key text PRIMARY KEY,
      ts bigint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // One row per incremental scan: counts, masked samples, fingerprints — never a raw value.
  await sql`
    CREATE TABLE log_scans (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      since_ms bigint NOT NULL,
      until_ms bigint NOT NULL,
      result jsonb NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX log_scans_until_idx ON log_scans (until_ms)`.execute(db);
  // Deployments of the governed platform: the log scan verdict covers what was logged since the newest.
  await sql`
    CREATE TABLE deployments (
      id bigserial PRIMARY KEY,
      deployed_at timestamptz NOT NULL,
      version text NOT NULL,
      recorded_by text NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // Install-wide secrets Tenet makes for itself (the scanner's fingerprint key), shared by every replica.
  await sql`
    CREATE TABLE install_secrets (
      name text PRIMARY KEY,
      value text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['install_secrets', 'deployments', 'log_scans', 'log_scan_checkpoints']) await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
}
