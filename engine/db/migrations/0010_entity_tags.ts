import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Cedar entity tags (a map from tag name to a Cedar JSON value), beside the attributes. Existing entities have
  // none: '{}'. A constant default adds the column without rewriting the table or touching any row's version, so
  // replicas do not refetch every entity.
  await sql`ALTER TABLE entities ADD COLUMN tags jsonb NOT NULL DEFAULT '{}'::jsonb`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE entities DROP COLUMN IF EXISTS tags`.execute(db);
}
