import type { Db } from '../../engine/db/database.ts';
import type { PackFile, PackSection } from './pack-model.ts';
import { person } from './pack-people.ts';
import { utc } from './pack-time.ts';

/** One exception as the pack records it (exceptions.json keeps ISO times; the section shows them in UTC). */
export interface PackException {
  id: string;
  controlId: string;
  /** the integration it covers; null: every integration */
  integrationId: string | null;
  requestedBy: string | null;
  reason: string;
  ticket: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  /** in force from (approval, else recording) until `expiresAt`, or until `revokedAt` when revoked earlier */
  from: string;
  expiresAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
  /** in force at the period's end */
  inForceAtEnd: boolean;
  /** the control's status at the period's end (the status the exception stands in for) */
  controlStatus: string;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const who = (v: unknown): string | null => (str(v) ? person(str(v)) : null);
const isoOf = (v: unknown): string | null => (v ? new Date(v as string).toISOString() : null);

/**
 * Every approved exception in force at some time in [from, to] that covers this pack: one for every integration on
 * a control the pack reports, or one for an integration the pack's programme governs. Requests not (yet) approved
 * and rejected ones waive nothing and are left out.
 */
export async function packExceptions(
  db: Db,
  props: { from: Date; to: Date; controls: ReadonlyMap<string, { status: string }>; integrations: readonly string[] },
): Promise<PackException[]> {
  const rows = await db
    .selectFrom('control_exceptions')
    .selectAll()
    .where('created_at', '<=', props.to)
    .where('expires_at', '>=', props.from)
    .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>=', props.from)]))
    .orderBy('created_at', 'asc')
    .execute();
  const out: PackException[] = [];
  for (const row of rows) {
    // Governance columns (state, requester, ticket, approval time) exist once the exception-governance migration ran.
    const r = row as typeof row & Record<string, unknown>;
    if ('state' in r && r.state !== 'approved') continue;
    const covers = r.integration_id ? props.integrations.includes(r.integration_id) : props.controls.has(r.control_id);
    if (!covers) continue;
    const from = isoOf(r.approved_at) ?? isoOf(r.created_at)!;
    if (new Date(from) > props.to) continue;
    const expiresAt = isoOf(r.expires_at)!;
    const revokedAt = isoOf(r.revoked_at);
    out.push({
      id: r.id,
      controlId: r.control_id,
      integrationId: r.integration_id,
      requestedBy: who(r.requested_by),
      reason: r.reason,
      ticket: str(r.ticket),
      approvedBy: who(r.approved_by),
      approvedAt: isoOf(r.approved_at) ?? from,
      from,
      expiresAt,
      revokedAt,
      revokedBy: who(r.revoked_by),
      inForceAtEnd: new Date(expiresAt) > props.to && (!revokedAt || new Date(revokedAt) > props.to),
      controlStatus: props.controls.get(r.control_id)?.status ?? 'not in this pack',
    });
  }
  return out;
}

/** The exception register: a section, exceptions.json, and a cover notice for those in force at the period's end. */
const STATUS_WORDS: Record<string, string> = {
  pass: 'passing',
  fail: 'failing',
  error: 'in error',
  stale: 'stale',
  never_run: 'never run',
  not_applicable: 'not applicable',
};

export function exceptionRegister(
  exceptions: readonly PackException[],
  /** ids of the requirements the scorecard finds met only by exception */
  metByException: readonly string[] = [],
): { section: PackSection; files: PackFile[]; notices: string[] } {
  const until = (e: PackException) =>
    e.revokedAt && e.revokedAt < e.expiresAt ? `${utc(e.revokedAt)} (revoked by ${e.revokedBy ?? 'unknown'}; was until ${utc(e.expiresAt)})` : utc(e.expiresAt);
  const section: PackSection = {
    id: 'exceptions',
    title: 'Exception register',
    intro: exceptions.length
      ? 'Every approved exception in force at some time in the period: a time-limited waiver under which a failing control counts as satisfied for readiness. ' +
        'The control status is its own, at the period end, without the waiver. Also in exceptions.json.'
      : 'No exception was in force at any time in the period: every requirement stands on its own evidence.',
    table: exceptions.length
      ? {
          columns: ['control', 'integration', 'requested by', 'reason', 'ticket', 'approved by', 'from', 'until', 'at period end', 'control status'],
          rows: exceptions.map((e) => [
            e.controlId,
            e.integrationId ?? 'all',
            e.requestedBy ?? 'not recorded',
            e.reason,
            e.ticket ?? 'none',
            e.approvedBy ?? 'not recorded',
            utc(e.from),
            until(e),
            e.inForceAtEnd ? 'in force' : 'ended',
            e.controlStatus,
          ]),
        }
      : undefined,
  };
  const inForce = exceptions.filter((e) => e.inForceAtEnd);
  const metWords = metByException.length
    ? `Requirement${metByException.length > 1 ? 's' : ''} ${metByException.join(', ')} ${metByException.length > 1 ? 'are' : 'is'} met only by exception. `
    : '';
  const inForceWords = inForce
    .map(
      (e) =>
        `${e.controlId}${e.integrationId ? ` (${e.integrationId})` : ''} is ${STATUS_WORDS[e.controlStatus] ?? e.controlStatus} and counts as satisfied under an exception approved by ${e.approvedBy ?? 'an unrecorded approver'} until ${utc(e.expiresAt)}`,
    )
    .join('; ');
  const notices =
    inForce.length || metWords
      ? [`${metWords}${inForce.length ? `Exceptions in force at the period end: ${inForceWords}. ` : ''}See the exception register.`]
      : [];
  return { section, files: [{ path: 'exceptions.json', text: JSON.stringify(exceptions, null, 2) + '\n' }], notices };
}
