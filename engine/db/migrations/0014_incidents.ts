import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The incident register (engine/incidents): one row per incident, the ten steps of the Addendum's §25 as a
  // checklist, a notification clock per party, credential-rotation tasks, evidence snapshots and the signed webhooks
  // sent about it. Free text is masked by the PII scanner before it is stored.
  await sql`
    CREATE TABLE incidents (
      id text PRIMARY KEY,
      title text NOT NULL,
      severity text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
      detected_at timestamptz NOT NULL,
      opened_at timestamptz NOT NULL DEFAULT now(),
      opened_by text NOT NULL,
      integrations jsonb NOT NULL DEFAULT '[]'::jsonb,
      data_categories jsonb NOT NULL DEFAULT '[]'::jsonb,
      tenants jsonb NOT NULL DEFAULT '[]'::jsonb,
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'contained', 'closed')),
      contained_at timestamptz,
      closed_at timestamptz,
      closed_by text,
      review_summary text,
      review_lessons text,
      reviewed_by text,
      reviewed_at timestamptz,
      CHECK (status <> 'closed' OR (closed_at IS NOT NULL AND reviewed_at IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX incidents_detected_idx ON incidents (detected_at DESC)`.execute(db);

  await sql`
    CREATE TABLE incident_steps (
      incident_id text NOT NULL REFERENCES incidents (id),
      step integer NOT NULL CHECK (step BETWEEN 1 AND 10),
      done_at timestamptz,
      done_by text,
      note text,
      PRIMARY KEY (incident_id, step)
    )`.execute(db);

  await sql`
    CREATE TABLE incident_clocks (
      incident_id text NOT NULL REFERENCES incidents (id),
      party text NOT NULL,
      hours integer NOT NULL CHECK (hours > 0),
      due_at timestamptz NOT NULL,
      notified_at timestamptz,
      notified_by text,
      reference text,
      PRIMARY KEY (incident_id, party)
    )`.execute(db);

  await sql`
    CREATE TABLE incident_rotations (
      id bigserial PRIMARY KEY,
      incident_id text NOT NULL REFERENCES incidents (id),
      credential text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL,
      done_at timestamptz,
      done_by text,
      UNIQUE (incident_id, credential)
    )`.execute(db);

  await sql`
    CREATE TABLE incident_evidence (
      id bigserial PRIMARY KEY,
      incident_id text NOT NULL REFERENCES incidents (id),
      reason text NOT NULL CHECK (reason IN ('open', 'request')),
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL,
      window_from timestamptz NOT NULL,
      window_to timestamptz NOT NULL,
      sha256 text NOT NULL,
      evidence_seq bigint NOT NULL REFERENCES evidence_records (seq),
      evidence_hash text NOT NULL,
      snapshot jsonb NOT NULL
    )`.execute(db);
  await sql`CREATE TRIGGER incident_evidence_append_only BEFORE UPDATE ON incident_evidence FOR EACH ROW EXECUTE FUNCTION tenet_refuse_update()`.execute(db);

  // Outbound webhooks: one row per (incident, event), so a second replica or a restart never sends an event twice;
  // a sender takes a row by setting lease_until (FOR UPDATE SKIP LOCKED), and records every attempt's outcome.
  await sql`
    CREATE TABLE incident_notifications (
      id bigserial PRIMARY KEY,
      incident_id text NOT NULL REFERENCES incidents (id),
      event text NOT NULL,
      body text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      attempts integer NOT NULL DEFAULT 0,
      last_status integer,
      last_error text,
      last_attempt_at timestamptz,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      lease_until timestamptz,
      sent_at timestamptz,
      gave_up_at timestamptz,
      UNIQUE (incident_id, event)
    )`.execute(db);
  await sql`CREATE INDEX incident_notifications_pending_idx ON incident_notifications (next_attempt_at) WHERE sent_at IS NULL AND gave_up_at IS NULL`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['incident_notifications', 'incident_evidence', 'incident_rotations', 'incident_clocks', 'incident_steps', 'incidents']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
  }
}
