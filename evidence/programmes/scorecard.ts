import type { AnyControlDefinition } from '../../controls/define-control.ts';
import type { ControlSettings } from '../../controls/settings.ts';
import { accessReview, type AccessReview } from '../../engine/authz/access-review.ts';
import type { EntityStore } from '../../engine/authz/entity-store.ts';
import type { PolicyDecisionPoint } from '../../engine/authz/pdp.ts';
import type { Db } from '../../engine/db/database.ts';
import { statusOf, type ControlRuns } from '../../engine/posture/control-runs.ts';
import { frameworksOf, PROGRAMMES } from './index.ts';
import { frameworkRef, REQUIREMENT_STATUSES, type Programme, type RequirementDef, type RequirementFacts, type RequirementStatus } from './programme.ts';

/** One control as of a period's end: its latest run then (judged by the stale rule), runs and passes in the period. */
export interface ControlResult {
  controlId: string;
  title: string;
  status: 'pass' | 'fail' | 'error' | 'not_applicable' | 'stale' | 'never_run';
  /** the programme requirements it answers (`amazon-spapi-dpp:1.2`) */
  frameworks: string[];
  runs: number;
  passes: number;
  lastRunAt: string | null;
  summary: string | null;
  findings: Array<{ resourceId: string; message: string }>;
  /** evidence records (seq) backing the last run */
  evidenceSeqs: number[];
  remediation: string;
}

/** An exception as the register lists it (engine/posture/exceptions.ts); older rows may lack state and approvedAt. */
export interface ExceptionRecord {
  id: string;
  controlId: string;
  integrationId: string | null;
  reason: string;
  state?: string;
  approvedBy: string | null;
  approvedAt?: string | null;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

/** What computing a scorecard reads: the runs, the attestations, the access review, exceptions, the Google probe. */
export interface ScorecardDeps {
  db: Db;
  runs: Pick<ControlRuns, 'latest' | 'countsBetween'>;
  catalogue: ReadonlyMap<string, AnyControlDefinition>;
  settings: ControlSettings;
  pdp: PolicyDecisionPoint;
  entities: EntityStore;
  /** the exception register (its `list`): approved exceptions in force at the period end cover failing controls */
  exceptions: { list(props: { includeInactive: boolean }): Promise<ExceptionRecord[]> };
  /** Google: reads the configured privacy policy (an HTTP probe); undefined when none is configured */
  limitedUseProbe?: () => Promise<RequirementFacts['limitedUse']>;
}

/** Everything a scorecard is computed from, gathered once for a period (a pack also shows the access review). */
export interface ScorecardInputs {
  period: { from: Date; to: Date };
  controls: Map<string, ControlResult>;
  severity: ReadonlyMap<string, AnyControlDefinition['severity']>;
  facts: RequirementFacts;
  /** approved exceptions in force at the period end */
  exceptions: ExceptionRecord[];
  review: AccessReview;
}

export interface ScoredRequirement {
  id: string;
  /** the framework reference: `<programme id>:<requirement id>` */
  ref: string;
  title: string;
  source: string;
  question: string;
  status: RequirementStatus;
  /** the answer, in plain sentences, from the results below */
  answer: string;
  gap?: string;
  controls: Array<{
    controlId: string;
    title: string;
    status: ControlResult['status'] | 'unknown_control';
    exception?: { id: string; approvedBy: string; reason: string; expiresAt: string };
  }>;
  attestations: Array<{ documentId: string; inForce: boolean }>;
}

interface FixNext {
  controlId: string;
  title: string;
  severity: AnyControlDefinition['severity'];
  status: ControlResult['status'];
  /** fails (fail, error, stale) or has no evidence (never ran, not applicable) */
  why: 'failing' | 'not_assessed';
  remediation: string;
  /** the requirements (refs) it keeps from being met */
  requirements: string[];
}

export interface Scorecard {
  programme: { id: Programme['id']; title: string; source: string };
  period: { from: string; to: string };
  summary: Record<RequirementStatus, number> & { total: number };
  requirements: ScoredRequirement[];
  /** the failing or unassessed controls behind requirements not met, worst severity first, each with its remediation */
  fixNext: FixNext[];
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

/** Control results as of `to`: the latest finished run then (stale if older than freshFor), runs and passes in the period. */
async function controlResults(deps: Pick<ScorecardDeps, 'runs' | 'catalogue'>, from: Date, to: Date): Promise<Map<string, ControlResult>> {
  const lastBy = await deps.runs.latest(to);
  const countBy = await deps.runs.countsBetween(from, to);
  const out = new Map<string, ControlResult>();
  for (const c of deps.catalogue.values()) {
    const l = lastBy.get(c.id);
    const n = countBy.get(c.id);
    out.set(c.id, {
      controlId: c.id,
      title: c.title,
      status: statusOf(c, l, to.getTime()),
      frameworks: frameworksOf(c.id),
      runs: n?.runs ?? 0,
      passes: n?.passes ?? 0,
      lastRunAt: iso(l?.finishedAt),
      summary: l?.summary ?? null,
      findings: (l?.findings ?? []).filter((f) => f.severity !== 'info').map((f) => ({ resourceId: f.resourceId, message: f.message })),
      evidenceSeqs: l?.evidenceSeq ? [l.evidenceSeq] : [],
      remediation: c.remediation,
    });
  }
  return out;
}

/** An approved exception in force at `at`: approved by then, not revoked by then, not yet expired. */
export function inForceAt(e: ExceptionRecord, at: Date): boolean {
  if (!e.approvedBy || e.state === 'requested' || e.state === 'rejected') return false;
  const t = at.getTime();
  const from = Date.parse(e.approvedAt ?? e.createdAt);
  return from <= t && Date.parse(e.expiresAt) > t && (e.revokedAt === null || Date.parse(e.revokedAt) > t);
}

/** Gathers what the programmes' scorecards for one period are computed from (once, whatever the number of programmes). */
export async function gatherInputs(
  deps: ScorecardDeps,
  props: { from: Date; to: Date; probeLimitedUse: boolean; onAccessReview?: (done: number, total: number) => void },
): Promise<ScorecardInputs> {
  const { from, to } = props;
  const controls = await controlResults(deps, from, to);
  // Per document, the latest expiry among its attestations made by the period end: in force, or lapsed by then.
  const attested = await deps.db
    .selectFrom('attestations')
    .select(['document_id', (eb) => eb.fn.max('expires_at').as('expires_at')])
    .where('attested_at', '<=', to)
    .groupBy('document_id')
    .execute();
  const inForce = attested.filter((a) => new Date(a.expires_at).getTime() > to.getTime()).map((a) => a.document_id);
  const review = accessReview({ pdp: deps.pdp, entities: deps.entities }, props.onAccessReview);
  const exceptions = (await deps.exceptions.list({ includeInactive: true })).filter((e) => inForceAt(e, to));
  return {
    period: { from, to },
    controls,
    severity: new Map([...deps.catalogue.values()].map((c) => [c.id, c.severity])),
    exceptions,
    review,
    facts: {
      attestedDocuments: new Set(inForce),
      lapsedDocuments: new Set(attested.map((a) => a.document_id).filter((d) => !inForce.includes(d))),
      logRetentionDays: deps.settings.requirements.logRetentionDays,
      crossAgencyGrants: review.crossAgency,
      agencyWideUsers: review.agencyWide.length,
      reviewedUsers: review.users,
      limitedUse: props.probeLimitedUse && deps.limitedUseProbe ? await deps.limitedUseProbe() : undefined,
      scopes: deps.settings.packs.google.scopes,
    },
  };
}

/** A control that did not run inside the period and whose last result had gone stale by its end: no evidence. */
const noEvidenceInPeriod = (r: ControlResult) => r.status === 'stale' && r.runs === 0;

const FAILING = new Set<ScoredRequirement['controls'][number]['status']>(['fail', 'error', 'stale']);
const UNASSESSED = new Set<ScoredRequirement['controls'][number]['status']>(['never_run', 'not_applicable', 'unknown_control']);

/**
 * One requirement's status and answer. Nothing is met without evidence: a control that never ran (or whose source
 * is not configured) by the period's end is not assessed, never a pass and never a failure, and a requirement
 * with one is at best partial; a requirement with nothing assessed is not assessed (not met when a gap is stated).
 * A failing control covered by an approved exception in force at the period end makes the requirement at best
 * met by exception.
 */
export function scoreRequirement(
  programme: Pick<Programme, 'id' | 'integrations'>,
  def: RequirementDef,
  inputs: Pick<ScorecardInputs, 'controls' | 'facts' | 'exceptions'>,
): ScoredRequirement {
  const { facts } = inputs;
  const gap = def.gap?.(facts);
  const parts: string[] = [];
  let good = 0;
  let bad = 0;
  let covered = 0;
  let unassessed = 0;
  const controls: ScoredRequirement['controls'] = def.controls.map((id) => {
    const r = inputs.controls.get(id);
    if (!r) {
      unassessed++;
      parts.push(`${id}: not in the catalogue yet (not assessed).`);
      return { controlId: id, title: id, status: 'unknown_control' };
    }
    const row: ScoredRequirement['controls'][number] = { controlId: id, title: r.title, status: r.status };
    const run = `${r.status}${r.summary ? ` (${r.summary})` : ''}${r.runs ? `, ${r.passes} of ${r.runs} runs passed in the period` : ''}`;
    if (UNASSESSED.has(r.status) || noEvidenceInPeriod(r)) {
      unassessed++;
      parts.push(
        r.status === 'never_run'
          ? `${id}: not run by the end of the period (not assessed).`
          : r.status === 'not_applicable'
            ? `${id}: not applicable, its evidence source is not configured (not assessed).`
            : `${id}: no run in the period; its last result (${r.lastRunAt}) had gone stale by its end (not assessed).`,
      );
    } else if (r.status === 'pass') {
      good++;
      parts.push(`${id}: ${run}.`);
    } else {
      const ex = inputs.exceptions.find((e) => e.controlId === id && (e.integrationId === null || programme.integrations.includes(e.integrationId)));
      if (ex) {
        covered++;
        row.exception = { id: ex.id, approvedBy: ex.approvedBy ?? 'unknown', reason: ex.reason, expiresAt: ex.expiresAt };
        parts.push(`${id}: ${run}; covered by an approved exception until ${ex.expiresAt.slice(0, 10)} (${ex.reason}).`);
      } else {
        bad++;
        parts.push(`${id}: ${run}.`);
      }
    }
    return row;
  });
  // A document never attested is not assessed; one whose attestation lapsed before the period end fails.
  const attestations = (def.attestations ?? []).map((d) => {
    const inForce = facts.attestedDocuments.has(d);
    if (inForce) {
      good++;
      parts.push(`${d}: attested and in force.`);
    } else if (facts.lapsedDocuments?.has(d)) {
      bad++;
      parts.push(`${d}: its attestation had expired by the end of the period.`);
    } else {
      unassessed++;
      parts.push(`${d}: no attestation on record (not assessed).`);
    }
    return { documentId: d, inForce };
  });
  if (def.custom) {
    const c = def.custom(facts);
    if (c.status === 'met') good++;
    else if (c.status === 'not_met') bad++;
    else unassessed++;
    parts.unshift(c.answer);
  }
  const checks = good + bad + covered;
  let status: RequirementStatus;
  if (checks === 0) status = gap ? 'not_met' : 'not_assessed';
  else if (bad === 0) status = gap || unassessed ? 'partial' : covered ? 'met_by_exception' : 'met';
  else if (good + covered === 0) status = 'not_met';
  else status = 'partial';
  if (!def.controls.length && !def.attestations?.length && !def.custom) parts.push('No control or attestation covers this requirement yet.');
  return {
    id: def.id,
    ref: frameworkRef(programme.id, def.id),
    title: def.title,
    source: def.source,
    question: def.question,
    status,
    answer: parts.join(' '),
    ...(gap ? { gap } : {}),
    controls,
    attestations,
  };
}

const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const STATUS_RANK: Record<string, number> = { fail: 0, error: 1, stale: 2, never_run: 3, not_applicable: 4 };

/** A programme's scorecard over inputs gathered for its period. */
export function scoreProgramme(programme: Programme, inputs: ScorecardInputs): Scorecard {
  const requirements = programme.requirements.map((d) => scoreRequirement(programme, d, inputs));
  const summary = Object.fromEntries(REQUIREMENT_STATUSES.map((s) => [s, requirements.filter((r) => r.status === s).length])) as Scorecard['summary'];
  summary.total = requirements.length;
  const fix = new Map<string, FixNext>();
  for (const r of requirements) {
    if (r.status === 'met' || r.status === 'met_by_exception') continue;
    for (const c of r.controls) {
      if (c.exception || c.status === 'pass' || c.status === 'unknown_control') continue;
      const result = inputs.controls.get(c.controlId)!;
      const entry = fix.get(c.controlId) ?? {
        controlId: c.controlId,
        title: c.title,
        severity: inputs.severity.get(c.controlId) ?? 'low',
        status: result.status,
        why: FAILING.has(c.status) && !noEvidenceInPeriod(result) ? ('failing' as const) : ('not_assessed' as const),
        remediation: result.remediation,
        requirements: [],
      };
      entry.requirements.push(r.ref);
      fix.set(c.controlId, entry);
    }
  }
  const fixNext = [...fix.values()].sort(
    (a, b) =>
      (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) ||
      (STATUS_RANK[a.status] ?? 9) - (STATUS_RANK[b.status] ?? 9) ||
      a.controlId.localeCompare(b.controlId),
  );
  return {
    programme: { id: programme.id, title: programme.title, source: programme.source },
    period: { from: inputs.period.from.toISOString(), to: inputs.period.to.toISOString() },
    summary,
    requirements,
    fixNext,
  };
}

/** The scorecards of these programmes (default: all) for one period, from one gathering of the inputs. */
export async function scorecards(deps: ScorecardDeps, props: { from: Date; to: Date; programmes?: readonly Programme[] }): Promise<Scorecard[]> {
  const programmes = props.programmes ?? PROGRAMMES;
  const inputs = await gatherInputs(deps, {
    from: props.from,
    to: props.to,
    probeLimitedUse: programmes.some((p) => p.id === 'google-limited-use-casa'),
  });
  return programmes.map((p) => scoreProgramme(p, inputs));
}

/**
 * The exception register read straight from its table, for a process without a control plane (the `tenet pack`
 * command, tests): the same rows `ControlExceptions.list` gives, as the scorecard reads them.
 */
export function exceptionsFromDb(db: Db): ScorecardDeps['exceptions'] {
  return {
    async list() {
      const rows = await db.selectFrom('control_exceptions').selectAll().execute();
      return rows.map((r) => {
        // governance columns (request, approval): absent on an install migrated before them
        const g = r as typeof r & { state?: string; approved_at?: Date | null };
        return {
          id: r.id,
          controlId: r.control_id,
          integrationId: r.integration_id,
          reason: r.reason,
          state: g.state,
          approvedBy: r.approved_by,
          approvedAt: g.approved_at ? new Date(g.approved_at).toISOString() : g.state === undefined ? new Date(r.created_at).toISOString() : null,
          createdAt: new Date(r.created_at).toISOString(),
          expiresAt: new Date(r.expires_at).toISOString(),
          revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
        };
      });
    },
  };
}
