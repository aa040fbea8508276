import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Which entities a decision's request supplied (uids only, never their attributes), so a decision that leaned
  // on caller-supplied entities is told apart in the log and the console. Older rows supplied none that the log
  // recorded: they read as []. A constant default adds the column without rewriting the table, so the
  // append-only trigger (which refuses UPDATE) is not involved.
  await sql`ALTER TABLE decisions ADD COLUMN request_entities jsonb NOT NULL DEFAULT '[]'::jsonb`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE decisions DROP COLUMN IF EXISTS request_entities`.execute(db);
}
