import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Checkpoints are now made at an interval and on every pack, not only by retention. The signed statement (with
  // the hashes of the records it covers and the digest of the checkpoint before it) is kept whole, so the row can be
  // checked and copied to the external log exactly as signed. Rows from before keep their short statement (null).
  await sql`ALTER TABLE evidence_checkpoints ADD COLUMN statement jsonb`.execute(db);
  await sql`ALTER TABLE evidence_checkpoints ADD COLUMN digest text`.execute(db);
  // Public halves of the keys this database's packs were signed with: not a source of trust (verifiers use the
  // configured keys), only how a replica started without the shared key is told so instead of making its own.
  await sql`
    CREATE TABLE signing_keys (
      key_id text PRIMARY KEY,
      public_key_pem text NOT NULL,
      algorithm text NOT NULL,
      first_seen_at timestamptz NOT NULL DEFAULT now(),
      first_seen_by text NOT NULL
    )`.execute(db);
  // Keys are never kept in a table again. The existing rows stay until Tenet has written them into the key file
  // (evidence/ledger/keys.ts deletes them then); new rows are refused, so an old replica cannot put a key back.
  await sql`
    CREATE FUNCTION tenet_refuse_install_secret() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'keys are no longer kept in the database: configure TENET_KEY_FILE or TENET_KEYS'
        USING ERRCODE = 'insufficient_privilege';
    END $$`.execute(db);
  await sql`CREATE TRIGGER install_secrets_refuse_insert BEFORE INSERT ON install_secrets FOR EACH ROW EXECUTE FUNCTION tenet_refuse_install_secret()`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS install_secrets_refuse_insert ON install_secrets`.execute(db);
  await sql`DROP FUNCTION IF EXISTS tenet_refuse_install_secret()`.execute(db);
  await sql`DROP TABLE IF EXISTS signing_keys`.execute(db);
  await sql`ALTER TABLE evidence_checkpoints DROP COLUMN IF EXISTS digest`.execute(db);
  await sql`ALTER TABLE evidence_checkpoints DROP COLUMN IF EXISTS statement`.execute(db);
}
