import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A control's latest run is the one that finished last (engine/posture/control-runs.ts, `latestFirst`): the
  // console, readiness, the posture history and packs all ask it in this order, so it has an index of its own.
  await sql`
    CREATE INDEX control_runs_latest_idx ON control_runs (control_id, finished_at DESC, id DESC)
    WHERE status <> 'running' AND finished_at IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS control_runs_latest_idx`.execute(db);
}
