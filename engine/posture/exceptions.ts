import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { InputError, NotFoundError } from '../kernel/errors.ts';
import type { ExceptionRow } from './readiness.ts';

export type StoredException = ExceptionRow & { active: boolean; revokedBy: string | null };

/**
 * Accepted exceptions: an approved, time-limited waiver under which a control counts as satisfied for readiness
 * (of one integration, or of all). `onChange` runs after an exception is added or revoked (readiness is recomputed).
 */
export class ControlExceptions {
  constructor(
    private readonly props: {
      db: Db;
      /** throws NotFoundError for a control not in the catalogue */
      control: (id: string) => unknown;
      integrations: Record<string, unknown>;
      onChange: () => Promise<unknown>;
    },
  ) {}

  async list(props: { includeInactive?: boolean } = {}): Promise<StoredException[]> {
    const rows = await this.props.db.selectFrom('control_exceptions').selectAll().orderBy('created_at', 'desc').execute();
    const now = Date.now();
    return rows
      .map((r) => ({
        id: r.id,
        controlId: r.control_id,
        integrationId: r.integration_id,
        reason: r.reason,
        approvedBy: r.approved_by,
        createdAt: new Date(r.created_at).toISOString(),
        expiresAt: new Date(r.expires_at).toISOString(),
        revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
        revokedBy: r.revoked_by,
        active: !r.revoked_at && new Date(r.expires_at).getTime() > now,
      }))
      .filter((r) => props.includeInactive !== false || r.active);
  }

  async add(props: { controlId: string; integrationId?: string; reason: string; expiresAt: Date; approvedBy: string }): Promise<StoredException> {
    this.props.control(props.controlId);
    if (props.integrationId && !this.props.integrations[props.integrationId])
      throw new InputError(`integrationId: ${props.integrationId} is not a configured integration`);
    if (props.expiresAt.getTime() <= Date.now()) throw new InputError('expiresAt: must be in the future');
    if (props.expiresAt.getTime() > Date.now() + 366 * 86_400_000) throw new InputError('expiresAt: an exception lasts at most a year');
    const id = randomUUID();
    await this.props.db
      .insertInto('control_exceptions')
      .values({
        id,
        control_id: props.controlId,
        integration_id: props.integrationId ?? null,
        reason: props.reason,
        approved_by: props.approvedBy,
        expires_at: props.expiresAt,
      })
      .execute();
    await this.props.onChange();
    return (await this.list()).find((e) => e.id === id)!;
  }

  async revoke(id: string, revokedBy: string): Promise<void> {
    const row = await this.props.db
      .updateTable('control_exceptions')
      .set({ revoked_at: new Date(), revoked_by: revokedBy })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!row) throw new NotFoundError(`no active exception ${id}`);
    await this.props.onChange();
  }
}
