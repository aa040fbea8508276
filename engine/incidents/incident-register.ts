import { randomBytes } from 'node:crypto';
import type { IncidentEvidence } from '../../controls/define-control.ts';
import { sql } from 'kysely';
import { z } from 'zod';
import type { EvidenceStore } from '../../evidence/ledger/evidence-store.ts';
import type { Db } from '../db/database.ts';
import { ConflictError, InputError, NotFoundError } from '../kernel/errors.ts';
import { redactMessage } from '../scanner/redaction.ts';
import { takeSnapshot } from './evidence-snapshot.ts';
import { AMAZON_NOTICE_HOURS, type IncidentSettings } from './incident-settings.ts';

/** The ten steps of the incident response process (Security Addendum §25), in order. */
const INCIDENT_STEPS = [
  'Detect and validate the event',
  'Classify severity and impacted data categories',
  'Contain unauthorized access or data exposure',
  'Rotate affected credentials and revoke tokens where needed',
  'Preserve logs and evidence',
  'Assess affected customers, integrations, providers, and data subjects',
  'Notify customers, providers, regulators, or other parties where required',
  'Remediate the root cause',
  'Document the incident and corrective actions',
  'Conduct post-incident review and update controls',
] as const;

const CONTAIN_STEP = 3;
const ROTATE_STEP = 4;
const NOTIFY_STEP = 7;
const REVIEW_STEP = 10;

const HOUR = 3_600_000;
const name = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:@/-]*$/, 'letters, digits and _ . : @ / - only');
const text = (max: number) => z.string().trim().min(1).max(max);

export const incidentIdSchema = z.string().regex(/^INC-\d{8}-[0-9A-F]{6}$/, 'an incident id like INC-20261127-3F9A2C');

export const openIncidentInput = z
  .object({
    title: text(200),
    severity: z.enum(['critical', 'high', 'medium', 'low']),
    detectedAt: z.iso.datetime({ offset: true }).meta({ description: 'when the event was detected; the clocks run from here' }),
    integrations: z.array(name).max(50).default([]).meta({ description: 'affected integration ids, e.g. amazon_spapi' }),
    dataCategories: z.array(name).max(50).default([]).meta({ description: 'affected data categories, e.g. amazon-buyer-pii' }),
    tenants: z
      .array(z.object({ type: z.enum(['Agency', 'Client']), id: name }).strict())
      .max(500)
      .default([]),
    credentials: z.array(text(200)).max(50).default([]).meta({ description: 'credentials to rotate: one rotation task each' }),
  })
  .strict();
export type OpenIncidentInput = z.input<typeof openIncidentInput>;

export const stepInput = z.object({ note: text(2000).optional() }).strict();
export const notificationInput = z
  .object({
    reference: text(500).meta({ description: 'ticket, case or message id of the notice (never the notice itself)' }),
    notifiedAt: z.iso.datetime({ offset: true }).optional().meta({ description: 'default: now' }),
  })
  .strict();
export const rotationInput = z.object({ credential: text(200) }).strict();
export const reviewInput = z.object({ summary: text(5000), lessons: text(5000) }).strict();

type ClockState = 'running' | 'met' | 'late' | 'overdue';

export interface Incident {
  id: string;
  title: string;
  severity: 'critical' | 'high' | 'medium' | 'low';
  status: 'open' | 'contained' | 'closed';
  detectedAt: string;
  openedAt: string;
  openedBy: string;
  integrations: string[];
  dataCategories: string[];
  tenants: Array<{ type: 'Agency' | 'Client'; id: string }>;
  containedAt: string | null;
  closedAt: string | null;
  closedBy: string | null;
  review: { summary: string; lessons: string; by: string; at: string } | null;
  steps: Array<{ step: number; title: string; doneAt: string | null; doneBy: string | null; note: string | null }>;
  clocks: Array<{
    party: string;
    hours: number;
    dueAt: string;
    notifiedAt: string | null;
    notifiedBy: string | null;
    reference: string | null;
    state: ClockState;
  }>;
  rotations: Array<{ id: string; credential: string; createdAt: string; createdBy: string; doneAt: string | null; doneBy: string | null }>;
  evidence: Array<{
    id: string;
    reason: 'open' | 'request';
    createdAt: string;
    createdBy: string;
    windowFrom: string;
    windowTo: string;
    sha256: string;
    evidenceSeq: number;
    evidenceHash: string;
    counts: { decisions: number; piiReveals: number; controlRuns: number };
  }>;
  notifications: Array<{
    id: string;
    event: string;
    createdAt: string;
    attempts: number;
    lastStatus: number | null;
    lastError: string | null;
    lastAttemptAt: string | null;
    sentAt: string | null;
    gaveUpAt: string | null;
  }>;
}

/** Whether Amazon Information is involved: an Amazon integration, or a data category naming Amazon data. */
const involvesAmazon = (i: { integrations: string[]; dataCategories: string[] }): boolean =>
  i.integrations.some((x) => /^amazon/i.test(x)) || i.dataCategories.some((c) => /amazon/i.test(c));
const involvesGoogle = (i: { integrations: string[]; dataCategories: string[] }): boolean =>
  i.integrations.some((x) => /^google/i.test(x)) || i.dataCategories.some((c) => /google/i.test(c));

/** The notification clocks an incident gets: party → hours from detection. */
export function clocksFor(
  i: { integrations: string[]; dataCategories: string[]; tenants: unknown[] },
  settings: IncidentSettings,
): Array<{ party: string; hours: number }> {
  const out: Array<{ party: string; hours: number }> = [];
  if (involvesAmazon(i)) out.push({ party: 'amazon', hours: AMAZON_NOTICE_HOURS });
  for (const [party, hours] of Object.entries(settings.clocks)) {
    if (party === 'amazon') continue;
    if (party === 'google' && !involvesGoogle(i)) continue;
    if (party === 'customers' && i.tenants.length === 0) continue;
    out.push({ party, hours });
  }
  return out;
}

function clockState(c: { dueAt: string | Date; notifiedAt: string | Date | null }, now: number): ClockState {
  const due = new Date(c.dueAt).getTime();
  if (c.notifiedAt) return new Date(c.notifiedAt).getTime() <= due ? 'met' : 'late';
  return now > due ? 'overdue' : 'running';
}

/** What the register tells the webhook sender (engine/incidents/incident-webhooks.ts). */
export interface IncidentNotifier {
  /** records the "opened" event in the caller's transaction (nothing when no webhook is configured) */
  enqueueOpened(trx: Db, incident: Pick<Incident, 'id' | 'title' | 'severity' | 'detectedAt' | 'integrations' | 'dataCategories' | 'clocks'>): Promise<void>;
  /** tries to send what is due now, in the background */
  kick(): void;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());
const clean = (t: string, max: number) => redactMessage(t, max);

/**
 * The incident register: open an incident, work its §25 checklist, record each party's notice against its clock,
 * rotate credentials, preserve evidence into the evidence chain, review and close. Free text is masked by the PII
 * scanner before it is stored, so a note cannot carry a buyer's phone number into the register or a review pack.
 */
export class IncidentRegister {
  readonly settings: IncidentSettings;
  private readonly db: Db;
  private readonly evidence: Pick<EvidenceStore, 'append'>;
  private readonly notifier?: IncidentNotifier;
  private readonly now: () => number;

  constructor(props: { db: Db; settings: IncidentSettings; evidence: Pick<EvidenceStore, 'append'>; notifier?: IncidentNotifier; now?: () => number }) {
    this.db = props.db;
    this.settings = props.settings;
    this.evidence = props.evidence;
    this.notifier = props.notifier;
    this.now = props.now ?? Date.now;
  }

  async open(input: OpenIncidentInput, by: string): Promise<Incident> {
    const parsed = openIncidentInput.safeParse(input);
    if (!parsed.success) throw parsed.error;
    const i = parsed.data;
    const detected = new Date(i.detectedAt);
    const now = this.now();
    if (detected.getTime() > now + 60_000) throw new InputError('detectedAt: in the future');
    const id = `INC-${new Date(now).toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex').toUpperCase()}`;
    const uniqueCredentials = [...new Set(i.credentials.map((c) => clean(c, 200)))];
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('incidents')
        .values({
          id,
          title: clean(i.title, 200),
          severity: i.severity,
          detected_at: detected,
          opened_at: new Date(now),
          opened_by: by,
          integrations: JSON.stringify([...new Set(i.integrations)]),
          data_categories: JSON.stringify([...new Set(i.dataCategories)]),
          tenants: JSON.stringify(i.tenants),
        })
        .execute();
      await trx
        .insertInto('incident_steps')
        .values(
          INCIDENT_STEPS.map((_, n) =>
            // Step 1 is done by opening the incident: someone detected and validated the event.
            n === 0
              ? { incident_id: id, step: 1, done_at: new Date(now), done_by: by, note: null }
              : { incident_id: id, step: n + 1, done_by: null, note: null },
          ),
        )
        .execute();
      const clocks = clocksFor(i, this.settings);
      if (clocks.length) {
        await trx
          .insertInto('incident_clocks')
          .values(
            clocks.map((c) => ({
              incident_id: id,
              party: c.party,
              hours: c.hours,
              due_at: new Date(detected.getTime() + c.hours * HOUR),
              notified_by: null,
              reference: null,
            })),
          )
          .execute();
      }
      for (const credential of uniqueCredentials) {
        await trx.insertInto('incident_rotations').values({ incident_id: id, credential, created_by: by, done_by: null }).execute();
      }
      // Evidence is preserved the moment the incident is opened, inside the same transaction.
      await this.preserveIn(trx, id, detected, 'open', by);
      if (this.notifier) await this.notifier.enqueueOpened(trx, await this.load(trx, id));
    });
    this.notifier?.kick();
    return this.get(id);
  }

  async get(id: string): Promise<Incident> {
    return this.load(this.db, id);
  }

  /**
   * Incidents active in [from, to] — detected by `to` and not closed before `from` — newest first; without a period,
   * every incident.
   */
  async list(props: { from?: Date; to?: Date; limit?: number } = {}): Promise<Incident[]> {
    let q = this.db.selectFrom('incidents').select('id');
    if (props.to) q = q.where('detected_at', '<=', props.to);
    if (props.from) {
      const from = props.from;
      q = q.where((eb) => eb.or([eb('closed_at', 'is', null), eb('closed_at', '>=', from)]));
    }
    const ids = await q
      .orderBy('detected_at', 'desc')
      .limit(props.limit ?? 200)
      .execute();
    const out: Incident[] = [];
    for (const r of ids) out.push(await this.get(r.id));
    return out;
  }

  async completeStep(id: string, step: number, body: z.input<typeof stepInput>, by: string): Promise<Incident> {
    if (!Number.isInteger(step) || step < 1 || step > 10) throw new InputError('step: 1 to 10');
    const { note } = stepInput.parse(body);
    const incident = await this.get(id);
    this.refuseClosed(incident);
    const s = incident.steps[step - 1];
    if (s.doneAt) throw new ConflictError(`step ${step} was done at ${s.doneAt} by ${s.doneBy}`);
    if (step === ROTATE_STEP) {
      const open = incident.rotations.filter((r) => !r.doneAt).map((r) => r.credential);
      if (open.length) throw new ConflictError(`step 4: credentials not rotated yet: ${open.join(', ')}`);
    }
    if (step === NOTIFY_STEP) {
      const open = incident.clocks.filter((c) => !c.notifiedAt).map((c) => c.party);
      if (open.length) throw new ConflictError(`step 7: no notification recorded for ${open.join(', ')}`);
    }
    if (step === REVIEW_STEP) throw new ConflictError('step 10 is done by recording the post-incident review');
    const now = new Date(this.now());
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('incident_steps')
        .set({ done_at: now, done_by: by, note: note === undefined ? null : clean(note, 2000) })
        .where('incident_id', '=', id)
        .where('step', '=', step)
        .where('done_at', 'is', null)
        .execute();
      if (step === CONTAIN_STEP) {
        await trx.updateTable('incidents').set({ status: 'contained', contained_at: now }).where('id', '=', id).where('status', '=', 'open').execute();
      }
    });
    return this.get(id);
  }

  async recordNotification(id: string, party: string, body: z.input<typeof notificationInput>, by: string): Promise<Incident> {
    const n = notificationInput.parse(body);
    const incident = await this.get(id);
    const clock = incident.clocks.find((c) => c.party === party);
    if (!clock) throw new NotFoundError(`incident ${id} has no notification clock for ${party}`);
    if (clock.notifiedAt) throw new ConflictError(`${party} was notified at ${clock.notifiedAt} by ${clock.notifiedBy}`);
    const at = n.notifiedAt ? new Date(n.notifiedAt) : new Date(this.now());
    if (at.getTime() > this.now() + 60_000) throw new InputError('notifiedAt: in the future');
    if (at.getTime() < new Date(incident.detectedAt).getTime()) throw new InputError('notifiedAt: before the incident was detected');
    await this.db
      .updateTable('incident_clocks')
      .set({ notified_at: at, notified_by: by, reference: clean(n.reference, 500) })
      .where('incident_id', '=', id)
      .where('party', '=', party)
      .where('notified_at', 'is', null)
      .execute();
    return this.get(id);
  }

  async addRotation(id: string, body: z.input<typeof rotationInput>, by: string): Promise<Incident> {
    const { credential } = rotationInput.parse(body);
    this.refuseClosed(await this.get(id));
    const r = await this.db
      .insertInto('incident_rotations')
      .values({ incident_id: id, credential: clean(credential, 200), created_by: by, done_by: null })
      .onConflict((oc) => oc.columns(['incident_id', 'credential']).doNothing())
      .executeTakeFirst();
    if (!r.numInsertedOrUpdatedRows) throw new ConflictError(`incident ${id} already has a rotation task for this credential`);
    return this.get(id);
  }

  async completeRotation(id: string, rotationId: string, by: string): Promise<Incident> {
    const incident = await this.get(id);
    this.refuseClosed(incident);
    const task = incident.rotations.find((r) => r.id === rotationId);
    if (!task) throw new NotFoundError(`incident ${id} has no rotation task ${rotationId}`);
    if (task.doneAt) throw new ConflictError(`rotation of ${task.credential} was done at ${task.doneAt} by ${task.doneBy}`);
    await this.db
      .updateTable('incident_rotations')
      .set({ done_at: new Date(this.now()), done_by: by })
      .where('id', '=', rotationId)
      .where('incident_id', '=', id)
      .where('done_at', 'is', null)
      .execute();
    return this.get(id);
  }

  /** A snapshot of the decision log, the reveal audit and the control runs from before detection to now. */
  async preserveEvidence(id: string, by: string): Promise<Incident> {
    const incident = await this.get(id);
    await this.db.transaction().execute((trx) => this.preserveIn(trx, id, new Date(incident.detectedAt), 'request', by));
    return this.get(id);
  }

  async review(id: string, body: z.input<typeof reviewInput>, by: string): Promise<Incident> {
    const r = reviewInput.parse(body);
    const incident = await this.get(id);
    this.refuseClosed(incident);
    const now = new Date(this.now());
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('incidents')
        .set({ review_summary: clean(r.summary, 5000), review_lessons: clean(r.lessons, 5000), reviewed_by: by, reviewed_at: now })
        .where('id', '=', id)
        .execute();
      await trx
        .updateTable('incident_steps')
        .set({ done_at: now, done_by: by, note: 'post-incident review recorded' })
        .where('incident_id', '=', id)
        .where('step', '=', REVIEW_STEP)
        .where('done_at', 'is', null)
        .execute();
    });
    return this.get(id);
  }

  /** Closes an incident; refused without a post-incident review. */
  async close(id: string, by: string): Promise<Incident> {
    const incident = await this.get(id);
    this.refuseClosed(incident);
    if (!incident.review) throw new ConflictError(`incident ${id} cannot be closed without a post-incident review`);
    await this.db
      .updateTable('incidents')
      .set({ status: 'closed', closed_at: new Date(this.now()), closed_by: by })
      .where('id', '=', id)
      .where('status', '<>', 'closed')
      .execute();
    return this.get(id);
  }

  private refuseClosed(incident: Incident): void {
    if (incident.status === 'closed') throw new ConflictError(`incident ${incident.id} is closed`);
  }

  private async preserveIn(trx: Db, id: string, detected: Date, reason: 'open' | 'request', by: string): Promise<void> {
    const from = new Date(detected.getTime() - this.settings.evidenceWindowHours * HOUR);
    const to = new Date(Math.max(this.now(), detected.getTime()));
    const { snapshot, sha256 } = await takeSnapshot(trx, id, from, to);
    const counts = { decisions: snapshot.decisions.total, piiReveals: snapshot.piiReveals.total, controlRuns: snapshot.controlRuns.total };
    const record = await this.evidence.append(
      {
        controlId: `incident:${id}`,
        source: 'incident-evidence',
        payload: { incidentId: id, reason, window: snapshot.window, sha256, counts },
      },
      trx,
    );
    await trx
      .insertInto('incident_evidence')
      .values({
        incident_id: id,
        reason,
        created_by: by,
        window_from: from,
        window_to: to,
        sha256,
        evidence_seq: record.seq,
        evidence_hash: record.hash,
        snapshot: JSON.stringify(snapshot),
      })
      .execute();
  }

  private async load(db: Db, id: string): Promise<Incident> {
    const row = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError(`no incident ${id}`);
    const [steps, clocks, rotations, evidence, notifications] = await Promise.all([
      db.selectFrom('incident_steps').selectAll().where('incident_id', '=', id).orderBy('step').execute(),
      db.selectFrom('incident_clocks').selectAll().where('incident_id', '=', id).orderBy('due_at').orderBy('party').execute(),
      db.selectFrom('incident_rotations').selectAll().where('incident_id', '=', id).orderBy('id').execute(),
      db
        .selectFrom('incident_evidence')
        .select([
          'id',
          'reason',
          'created_at',
          'created_by',
          'window_from',
          'window_to',
          'sha256',
          'evidence_seq',
          'evidence_hash',
          sql<number>`(snapshot->'decisions'->>'total')::int`.as('decisions'),
          sql<number>`(snapshot->'piiReveals'->>'total')::int`.as('pii_reveals'),
          sql<number>`(snapshot->'controlRuns'->>'total')::int`.as('control_runs'),
        ])
        .where('incident_id', '=', id)
        .orderBy('id')
        .execute(),
      db.selectFrom('incident_notifications').selectAll().where('incident_id', '=', id).orderBy('id').execute(),
    ]);
    const now = this.now();
    return {
      id: row.id,
      title: row.title,
      severity: row.severity,
      status: row.status,
      detectedAt: iso(row.detected_at)!,
      openedAt: iso(row.opened_at)!,
      openedBy: row.opened_by,
      integrations: row.integrations,
      dataCategories: row.data_categories,
      tenants: row.tenants,
      containedAt: iso(row.contained_at),
      closedAt: iso(row.closed_at),
      closedBy: row.closed_by,
      review:
        row.reviewed_at && row.review_summary !== null && row.review_lessons !== null && row.reviewed_by !== null
          ? { summary: row.review_summary, lessons: row.review_lessons, by: row.reviewed_by, at: iso(row.reviewed_at)! }
          : null,
      steps: steps.map((s) => ({ step: s.step, title: INCIDENT_STEPS[s.step - 1], doneAt: iso(s.done_at), doneBy: s.done_by, note: s.note })),
      clocks: clocks.map((c) => ({
        party: c.party,
        hours: c.hours,
        dueAt: iso(c.due_at)!,
        notifiedAt: iso(c.notified_at),
        notifiedBy: c.notified_by,
        reference: c.reference,
        state: clockState({ dueAt: c.due_at, notifiedAt: c.notified_at }, now),
      })),
      rotations: rotations.map((r) => ({
        id: String(r.id),
        credential: r.credential,
        createdAt: iso(r.created_at)!,
        createdBy: r.created_by,
        doneAt: iso(r.done_at),
        doneBy: r.done_by,
      })),
      evidence: evidence.map((e) => ({
        id: String(e.id),
        reason: e.reason,
        createdAt: iso(e.created_at)!,
        createdBy: e.created_by,
        windowFrom: iso(e.window_from)!,
        windowTo: iso(e.window_to)!,
        sha256: e.sha256,
        evidenceSeq: Number(e.evidence_seq),
        evidenceHash: e.evidence_hash,
        counts: { decisions: Number(e.decisions), piiReveals: Number(e.pii_reveals), controlRuns: Number(e.control_runs) },
      })),
      notifications: notifications.map((n) => ({
        id: String(n.id),
        event: n.event,
        createdAt: iso(n.created_at)!,
        attempts: n.attempts,
        lastStatus: n.last_status,
        lastError: n.last_error,
        lastAttemptAt: iso(n.last_attempt_at),
        sentAt: iso(n.sent_at),
        gaveUpAt: iso(n.gave_up_at),
      })),
    };
  }
}

/**
 * What incident.notification-on-time evaluates: the incidents detected in the last `days` days and every one still
 * open, with their clocks (no free text beyond the title, which was masked when stored).
 */
export async function incidentFacts(db: Db, props: { days: number; now?: number }): Promise<IncidentEvidence> {
  const now = props.now ?? Date.now();
  const since = new Date(now - props.days * 86_400_000);
  const rows = await db
    .selectFrom('incidents')
    .select(['id', 'title', 'severity', 'status', 'detected_at', 'closed_at', 'reviewed_at'])
    .where((eb) => eb.or([eb('detected_at', '>=', since), eb('status', '<>', 'closed')]))
    .orderBy('detected_at', 'desc')
    .execute();
  const clocks = rows.length
    ? await db
        .selectFrom('incident_clocks')
        .select(['incident_id', 'party', 'due_at', 'notified_at'])
        .where(
          'incident_id',
          'in',
          rows.map((r) => r.id),
        )
        .orderBy('due_at')
        .execute()
    : [];
  return {
    asOf: new Date(now).toISOString(),
    days: props.days,
    incidents: rows.map((r) => ({
      id: r.id,
      title: r.title,
      severity: r.severity,
      status: r.status,
      detectedAt: iso(r.detected_at)!,
      closedAt: iso(r.closed_at),
      reviewed: r.reviewed_at !== null,
      clocks: clocks.filter((c) => c.incident_id === r.id).map((c) => ({ party: c.party, dueAt: iso(c.due_at)!, notifiedAt: iso(c.notified_at) })),
    })),
  };
}
