import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { ConflictError, InputError, NotAllowedError, NotFoundError } from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import type { ExceptionRow } from './readiness.ts';

type Severity = 'critical' | 'high' | 'medium' | 'low';

/** Where an exception stands when read (the register's states). Only `approved` counts for readiness. */
type ExceptionState = ExceptionRow['state'];

/**
 * A person as the four-eyes rule sees them: `id` is the caller's identity (`key:<api key id>` for an API key,
 * `user:<subject>` for a console session or an OIDC token: a session signed in with OIDC carries the token's
 * subject, so both are one person); `name` is what the register shows.
 */
export interface ExceptionPerson {
  id: string;
  name: string;
}

/**
 * One exception as every reader gets it (`list`): the register, readiness, the programme scorecard, packs.
 * - `state`: requested → approved or rejected (by another person); an approved or requested one ends `revoked`
 *   (revoke, or a requester withdrawing) or `expired` (its `expiresAt` passed). `active` = `state === 'approved'`.
 * - `createdAt` is when it was requested; `approvedAt` when it came into force (the register's "from").
 * - Exceptions recorded before request and approval were separate are `approved` by their recorded approver,
 *   approved when recorded, with `requestedBy`, `requestedById` and `ticket` null.
 */
export interface StoredException extends ExceptionRow {
  active: boolean;
  /** approved and expiring within `requirements.exceptionWarnDays` */
  expiresSoon: boolean;
  ticket: string | null;
  requestedBy: string | null;
  requestedById: string | null;
  approvedById: string | null;
  approvedAt: string | null;
  rejectedBy: string | null;
  rejectedAt: string | null;
  rejectionReason: string | null;
  revokedBy: string | null;
}

/**
 * A ticket reference: a tracker id (`SEC-123`, `BF-112`, `#482`) or an http(s) URL. Short and plain on purpose:
 * it is a pointer to where the risk acceptance is discussed, not the discussion.
 */
export const TICKET_PATTERN = /^(?:[A-Za-z][A-Za-z0-9_.]{0,31}-\d{1,10}|#?\d{1,10}|https?:\/\/[^\s<>"'`]{3,300})$/;
export const TICKET_HINT = 'a ticket id like SEC-123 or #482, or an http(s) URL (at most 300 characters)';

const DAY = 86_400_000;

/** The requester tried to decide their own request: a 403 like any refusal, with its own code (`four_eyes`). */
class FourEyesError extends NotAllowedError {
  override readonly code = 'four_eyes';
}

type Row = Awaited<ReturnType<ReturnType<ControlExceptions['select']>['execute']>>[number];

/**
 * Control exceptions: a time-limited waiver under which a failing control counts as satisfied for readiness (of
 * one integration, or of all), requested by one person with a ticket and approved by another. Its length is
 * capped by the control's severity (`requirements.exceptionMaxDays`). `onChange` runs after a change that can
 * move readiness (approval, revocation).
 */
export class ControlExceptions {
  /** the UTC day the expiry warning was last logged (by this process) */
  private warnedOn: string | undefined;

  constructor(
    private readonly props: {
      db: Db;
      /** throws NotFoundError for a control not in the catalogue */
      control: (id: string) => { severity: Severity };
      integrations: Record<string, unknown>;
      /** `requirements.exceptionMaxDays` and `requirements.exceptionWarnDays` of the control settings */
      limits: { maxDays: Record<Severity, number>; warnDays: number };
      onChange: () => Promise<unknown>;
    },
  ) {}

  /** The longest an exception may run by control severity, and how early the expiry warning starts (days). */
  get limits(): { maxDays: Record<Severity, number>; warnDays: number } {
    return this.props.limits;
  }

  private select() {
    return this.props.db.selectFrom('control_exceptions').selectAll();
  }

  private view(r: Row, now: number): StoredException {
    const expiresAt = new Date(r.expires_at).getTime();
    const state: ExceptionState =
      r.state === 'rejected' ? 'rejected' : r.revoked_at ? 'revoked' : expiresAt <= now ? 'expired' : r.state === 'approved' ? 'approved' : 'requested';
    const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
    return {
      id: r.id,
      controlId: r.control_id,
      integrationId: r.integration_id,
      reason: r.reason,
      state,
      active: state === 'approved',
      expiresSoon: state === 'approved' && expiresAt - now <= this.props.limits.warnDays * DAY,
      ticket: r.ticket,
      requestedBy: r.requested_by,
      requestedById: r.requested_by_id,
      approvedBy: r.approved_by,
      approvedById: r.approved_by_id,
      approvedAt: iso(r.approved_at),
      rejectedBy: r.rejected_by,
      rejectedAt: iso(r.rejected_at),
      rejectionReason: r.rejection_reason,
      createdAt: new Date(r.created_at).toISOString(),
      expiresAt: new Date(r.expires_at).toISOString(),
      revokedAt: iso(r.revoked_at),
      revokedBy: r.revoked_by,
    };
  }

  /**
   * Newest request first, every state by default; `includeInactive: false` keeps only those in force (`active`).
   */
  async list(props: { includeInactive?: boolean } = {}): Promise<StoredException[]> {
    const rows = await this.select().orderBy('created_at', 'desc').orderBy('id').execute();
    const now = Date.now();
    return rows.map((r) => this.view(r, now)).filter((r) => props.includeInactive !== false || r.active);
  }

  async get(id: string): Promise<StoredException> {
    const row = await this.select().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError(`no exception ${id}`);
    return this.view(row, Date.now());
  }

  /** The longest an exception of this control may run, in days (by the control's severity). */
  maxDays(controlId: string): { severity: Severity; days: number } {
    const { severity } = this.props.control(controlId);
    return { severity, days: this.props.limits.maxDays[severity] };
  }

  /**
   * Records a request: it counts for nothing until another person approves it. Refused (InputError): a ticket
   * that is not one, an unknown integration, an expiry in the past or beyond the control's maximum length.
   */
  async request(props: {
    controlId: string;
    integrationId?: string;
    reason: string;
    ticket: string;
    expiresAt: Date;
    requestedBy: ExceptionPerson;
  }): Promise<StoredException> {
    const { severity, days } = this.maxDays(props.controlId);
    if (props.integrationId && !this.props.integrations[props.integrationId])
      throw new InputError(`integrationId: ${props.integrationId} is not a configured integration`);
    if (!TICKET_PATTERN.test(props.ticket)) throw new InputError(`ticket: give ${TICKET_HINT}`);
    const now = Date.now();
    if (props.expiresAt.getTime() <= now) throw new InputError('expiresAt: must be in the future');
    if (props.expiresAt.getTime() > now + days * DAY)
      throw new InputError(
        `expiresAt: an exception to a ${severity} control lasts at most ${days} days (requirements.exceptionMaxDays.${severity}): ` +
          `until ${new Date(now + days * DAY).toISOString()} at the latest`,
        { maxDays: days, severity },
      );
    const id = randomUUID();
    await this.props.db
      .insertInto('control_exceptions')
      .values({
        id,
        control_id: props.controlId,
        integration_id: props.integrationId ?? null,
        reason: props.reason,
        ticket: props.ticket,
        requested_by: props.requestedBy.name,
        requested_by_id: props.requestedBy.id,
        approved_by: null,
        expires_at: props.expiresAt,
      })
      .execute();
    return this.get(id);
  }

  /** A request can be decided once, by someone other than its requester. */
  private async pending(id: string, decider: ExceptionPerson, verb: 'approve' | 'reject'): Promise<StoredException> {
    const e = await this.get(id);
    if (e.state !== 'requested') throw new ConflictError(`exception ${id} is ${e.state}: only a requested exception can be ${verb}d`, { state: e.state });
    // Four eyes: by identity, not by name (two keys may share a name; one person has one subject).
    if (e.requestedById === decider.id)
      throw new FourEyesError(
        `You requested exception ${id}: another person must ${verb} it.${verb === 'reject' ? ' To withdraw your own request, revoke it.' : ''}`,
      );
    return e;
  }

  /** Approves a request: from now the control counts as satisfied until `expiresAt`. NotAllowedError for its requester. */
  async approve(id: string, approver: ExceptionPerson): Promise<StoredException> {
    await this.pending(id, approver, 'approve');
    const row = await this.props.db
      .updateTable('control_exceptions')
      .set({ state: 'approved', approved_by: approver.name, approved_by_id: approver.id, approved_at: new Date() })
      .where('id', '=', id)
      .where('state', '=', 'requested')
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date())
      .where('requested_by_id', 'is distinct from', approver.id)
      .returning('id')
      .executeTakeFirst();
    if (!row) throw new ConflictError(`exception ${id} was decided, revoked or expired meanwhile`);
    await this.props.onChange();
    return this.get(id);
  }

  /** Rejects a request, with the reason. NotAllowedError for its requester (who may revoke, i.e. withdraw, it). */
  async reject(id: string, rejecter: ExceptionPerson, reason: string): Promise<StoredException> {
    await this.pending(id, rejecter, 'reject');
    const row = await this.props.db
      .updateTable('control_exceptions')
      .set({ state: 'rejected', rejected_by: rejecter.name, rejected_at: new Date(), rejection_reason: reason })
      .where('id', '=', id)
      .where('state', '=', 'requested')
      .where('revoked_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!row) throw new ConflictError(`exception ${id} was decided or revoked meanwhile`);
    return this.get(id);
  }

  /** Revokes an approved exception (or withdraws a request) at once. */
  async revoke(id: string, revokedBy: string): Promise<void> {
    const row = await this.props.db
      .updateTable('control_exceptions')
      .set({ revoked_at: new Date(), revoked_by: revokedBy })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .where('state', '<>', 'rejected')
      .returning('id')
      .executeTakeFirst();
    if (!row) throw new NotFoundError(`no active exception ${id}`);
    await this.props.onChange();
  }

  /** Approved exceptions that expire within `requirements.exceptionWarnDays`, soonest first. */
  async expiringSoon(): Promise<StoredException[]> {
    return (await this.list({ includeInactive: false })).filter((e) => e.expiresSoon).sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
  }

  /**
   * Logs the exceptions about to expire, at most once per UTC day per process (the scheduler calls it on every
   * readiness tick). Ids, controls, integrations and dates only: a reason is free text and stays out of logs.
   * Returns how many were logged (0 when nothing expires soon or today's warning was already logged).
   */
  async warnExpiring(logger: Pick<Logger, 'warn'>, now = new Date()): Promise<number> {
    const day = now.toISOString().slice(0, 10);
    if (this.warnedOn === day) return 0;
    const soon = await this.expiringSoon();
    this.warnedOn = day;
    if (!soon.length) return 0;
    logger.warn(
      {
        exceptions: soon.map((e) => ({
          id: e.id,
          controlId: e.controlId,
          integrationId: e.integrationId,
          expiresAt: e.expiresAt,
          daysLeft: Math.max(0, Math.ceil((Date.parse(e.expiresAt) - now.getTime()) / DAY)),
        })),
      },
      `${soon.length} control exception(s) expire within ${this.props.limits.warnDays} days`,
    );
    return soon.length;
  }
}
