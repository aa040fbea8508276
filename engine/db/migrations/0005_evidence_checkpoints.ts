import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A signed statement "the evidence chain up to seq N ends in hash H": verification starts from it once the
  // records before it have been dropped by retention.
  await sql`
    CREATE TABLE evidence_checkpoints (
      seq bigint PRIMARY KEY,
      hash text NOT NULL,
      created_at timestamptz NOT NULL,
      key_id text NOT NULL,
      signature text NOT NULL
    )`.execute(db);
  await sql`CREATE TRIGGER evidence_checkpoints_append_only BEFORE UPDATE ON evidence_checkpoints FOR EACH ROW EXECUTE FUNCTION tenet_refuse_update()`.execute(
    db,
  );
  // Evidence rows can be deleted only by retention (which sets tenet.evidence_prune in its transaction) and only up
  // to a signed checkpoint; anything else is refused as before.
  await sql`
    CREATE FUNCTION tenet_evidence_delete_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF current_setting('tenet.evidence_prune', true) = 'on'
         AND OLD.seq <= (SELECT coalesce(max(seq), 0) FROM evidence_checkpoints) THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION 'table % is append-only: rows cannot be deleted', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
    END $$`.execute(db);
  await sql`DROP TRIGGER evidence_records_no_delete ON evidence_records`.execute(db);
  await sql`CREATE TRIGGER evidence_records_no_delete BEFORE DELETE ON evidence_records FOR EACH ROW EXECUTE FUNCTION tenet_evidence_delete_guard()`.execute(
    db,
  );
  // Runs point at evidence by seq; once retention drops a record, the run keeps its verdict and loses the link.
  await sql`ALTER TABLE control_runs DROP CONSTRAINT control_runs_evidence_seq_fkey`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER evidence_records_no_delete ON evidence_records`.execute(db);
  await sql`CREATE TRIGGER evidence_records_no_delete BEFORE DELETE ON evidence_records FOR EACH ROW EXECUTE FUNCTION tenet_refuse_delete()`.execute(db);
  await sql`DROP FUNCTION IF EXISTS tenet_evidence_delete_guard()`.execute(db);
  await sql`DROP TABLE IF EXISTS evidence_checkpoints`.execute(db);
}
