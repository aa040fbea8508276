import { sql, type Kysely } from 'kysely';

/**
 * The control settings each replica runs with, by digest: when replicas run with different settings (a rollout
 * of a new TENET_CONFIG_FILE), the settings started most recently among the live ones decide readiness, and the
 * other replicas follow what those wrote instead of writing their own (engine/posture/settings-versions.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE control_settings_versions (
      digest text PRIMARY KEY,
      started_at timestamptz NOT NULL,
      seen_at timestamptz NOT NULL
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS control_settings_versions`.execute(db);
}
