import { sql, type Kysely } from 'kysely';

/**
 * Exception governance: an exception is requested by one person (with a ticket) and approved or rejected by
 * another. Rows from before this migration were recorded and approved in one step: they stay, as `approved` by
 * their recorded approver, approved when they were recorded, with no requester and no ticket.
 *
 * `requested_by_id` and `approved_by_id` hold the caller's identity (`key:<api key id>` or `user:<subject>`),
 * which the four-eyes rule compares; `requested_by` and `approved_by` stay the names shown to people.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE control_exceptions
      ADD COLUMN state text NOT NULL DEFAULT 'approved' CHECK (state IN ('requested', 'approved', 'rejected')),
      ADD COLUMN ticket text,
      ADD COLUMN requested_by text,
      ADD COLUMN requested_by_id text,
      ADD COLUMN approved_by_id text,
      ADD COLUMN approved_at timestamptz,
      ADD COLUMN rejected_by text,
      ADD COLUMN rejected_at timestamptz,
      ADD COLUMN rejection_reason text,
      ALTER COLUMN approved_by DROP NOT NULL`.execute(db);
  await sql`UPDATE control_exceptions SET approved_at = created_at WHERE approved_at IS NULL`.execute(db);
  // From now on a new row starts as a request; the default above only carried the old rows over.
  await sql`ALTER TABLE control_exceptions ALTER COLUMN state SET DEFAULT 'requested'`.execute(db);
  await sql`
    ALTER TABLE control_exceptions
      ADD CONSTRAINT control_exceptions_approved_has_approver CHECK (state <> 'approved' OR (approved_by IS NOT NULL AND approved_at IS NOT NULL)),
      ADD CONSTRAINT control_exceptions_four_eyes CHECK (approved_by_id IS NULL OR requested_by_id IS NULL OR approved_by_id <> requested_by_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DELETE FROM control_exceptions WHERE state <> 'approved'`.execute(db);
  await sql`
    ALTER TABLE control_exceptions
      DROP CONSTRAINT IF EXISTS control_exceptions_four_eyes,
      DROP CONSTRAINT IF EXISTS control_exceptions_approved_has_approver,
      DROP COLUMN state, DROP COLUMN ticket, DROP COLUMN requested_by, DROP COLUMN requested_by_id, DROP COLUMN approved_by_id,
      DROP COLUMN approved_at, DROP COLUMN rejected_by, DROP COLUMN rejected_at, DROP COLUMN rejection_reason,
      ALTER COLUMN approved_by SET NOT NULL`.execute(db);
}
