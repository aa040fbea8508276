import { sql, type Kysely } from 'kysely';

/**
 * Control run leases: a running run holds `lease_expires_at`, renewed by the replica running it
 * (engine/posture/control-runs.ts). A run whose lease lapsed (its replica died) is marked `abandoned` and the
 * control runs again at its next tick. A run still going when this migration runs was started by a replica that
 * does not renew leases: it keeps the wait it had before (twice the default run timeout after its start).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE control_runs
      ADD COLUMN lease_expires_at timestamptz,
      DROP CONSTRAINT control_runs_status_check,
      ADD CONSTRAINT control_runs_status_check CHECK (status IN ('running', 'pass', 'fail', 'error', 'not_applicable', 'abandoned'))`.execute(db);
  await sql`UPDATE control_runs SET lease_expires_at = started_at + interval '240 seconds' WHERE status = 'running'`.execute(db);
  // The lease sweep and the claim look for lapsed running runs: few rows, found without reading the table.
  await sql`CREATE INDEX control_runs_running_idx ON control_runs (control_id, lease_expires_at) WHERE status = 'running'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS control_runs_running_idx`.execute(db);
  await sql`UPDATE control_runs SET status = 'error' WHERE status = 'abandoned'`.execute(db);
  await sql`
    ALTER TABLE control_runs
      DROP CONSTRAINT control_runs_status_check,
      ADD CONSTRAINT control_runs_status_check CHECK (status IN ('running', 'pass', 'fail', 'error', 'not_applicable')),
      DROP COLUMN lease_expires_at`.execute(db);
}
