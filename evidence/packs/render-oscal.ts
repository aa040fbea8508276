/**
 * OSCAL Assessment Results (1.0.4) rendering of a review pack. The output validates against the NIST JSON schema
 * shipped in evidence/packs/schemas (draft-07, with formats). Every UUID is derived from sha256(seed + path), shaped as a
 * v4 UUID, so the same pack content (and seed) renders byte-identically.
 *
 * Mapping:
 * - each pack requirement  -> a reviewed control (control-selections.include-controls) and a finding whose target is
 *   the objective `<token>_obj` (type "objective-id"), state "satisfied" (met) or "not-satisfied" (everything else)
 * - each control result    -> an observation (methods ["TEST"]: an automated check run against the live system),
 *   with relevant-evidence pointing at the evidence records in the pack ("evidence/000123.json")
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../ledger/canonical-json.ts';
import { evidenceLink, type PackControlResult, type PackModel, type PackRequirement, type RequirementStatus } from './pack-model.ts';

const OSCAL_VERSION = '1.0.4';
/** namespace for Tenet-specific props (a URN: nothing to resolve) */
const TENET_OSCAL_NS = 'urn:tenet:oscal';

export interface RenderOscalOptions {
  /** seed for the deterministic UUIDs; defaults to a hash of the whole model */
  uuidSeed?: string;
}

/** sha256(seed + '\n' + path) formatted as a version-4, RFC 4122 variant UUID */
export function deterministicUuid(seed: string, path: string): string {
  const h = createHash('sha256').update(seed).update('\n').update(path).digest();
  const b = Buffer.from(h.subarray(0, 16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** An OSCAL token (`^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$`), lower-case ASCII: 'DPP-1.1' -> 'dpp-1.1' */
export function oscalToken(id: string, fallback = 'item'): string {
  let t = id
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  if (!t) t = fallback;
  if (!/^[a-z_]/.test(t)) t = `${fallback}-${t}`;
  return t;
}

/** Strings constrained by `^\S(.*\S)?$` (no newlines, trimmed, non-empty). */
function oneLine(s: string, fallback = '-'): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t || fallback;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** RFC 3339 date-time with zone; date-only values become the start (or end) of that UTC day. */
function toOscalDateTime(value: string | null | undefined, endOfDay = false): string | null {
  if (!value) return null;
  const v = value.trim();
  if (RFC3339.test(v) && !Number.isNaN(Date.parse(v))) return v;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v))) return `${v}T${endOfDay ? '23:59:59' : '00:00:00'}Z`;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) return null;
  const d = new Date(ms);
  if (d.getUTCFullYear() < 1900 || d.getUTCFullYear() > 2999) return null;
  return d.toISOString();
}

const REQUIREMENT_STATUS_TEXT: Record<RequirementStatus, string> = {
  met: 'met',
  not_met: 'not met',
  partial: 'partially met',
  met_by_exception: 'met by exception (an approved exception covers what fails)',
  not_assessed: 'not assessed',
};

/** OSCAL 1.0.4 documented values for status/reason: pass | fail | other */
function reasonFor(status: RequirementStatus): 'pass' | 'fail' | 'other' {
  if (status === 'met') return 'pass';
  if (status === 'not_assessed' || status === 'met_by_exception') return 'other';
  return 'fail';
}

function prop(name: string, value: string): { name: string; ns: string; value: string } {
  return { name, ns: TENET_OSCAL_NS, value: oneLine(value) };
}

export function renderOscal(model: PackModel, opts: RenderOscalOptions = {}): object {
  const seed = opts.uuidSeed ?? createHash('sha256').update(canonicalJson(model)).digest('hex');
  const uuid = (path: string) => deterministicUuid(seed, path);

  const generatedAt = toOscalDateTime(model.generatedAt) ?? '1970-01-01T00:00:00Z';
  const start = toOscalDateTime(model.period.from) ?? generatedAt;
  const end = toOscalDateTime(model.period.to, true);

  // ---- observations: one per control result ----
  const observationUuidByControl = new Map<string, string>();
  const observations = model.controls.map((c: PackControlResult, i) => {
    const obsUuid = uuid(`observation/${i}/${c.controlId}`);
    if (!observationUuidByControl.has(c.controlId)) observationUuidByControl.set(c.controlId, obsUuid);
    const descParts = [`Control ${c.controlId} (${c.title}) status at period end: ${c.status}.`, `${c.runs} run(s) in the period, ${c.passes} passed.`];
    if (c.summary) descParts.push(c.summary);
    const remarks: string[] = [];
    if (c.findings.length) remarks.push(`Findings:\n${c.findings.map((f) => `- ${f.resourceId}: ${f.message}`).join('\n')}`);
    if (model.internal && c.remediation) remarks.push(`Remediation (internal edition): ${c.remediation}`);
    const props = [
      prop('control-id', c.controlId),
      prop('control-status', c.status),
      prop('runs', String(c.runs)),
      prop('passes', String(c.passes)),
      ...c.frameworks.filter((f) => f.trim()).map((f) => prop('framework', f)),
    ];
    return {
      uuid: obsUuid,
      title: `${c.controlId}: ${c.title}`,
      description: descParts.join(' '),
      props,
      methods: ['TEST'],
      ...(c.evidenceSeqs.length
        ? {
            'relevant-evidence': c.evidenceSeqs.map((seq) => ({
              href: evidenceLink(c.controlId, seq),
              description: `Evidence record ${seq} backing the last run of ${c.controlId}.`,
            })),
          }
        : {}),
      collected: toOscalDateTime(c.lastRunAt) ?? generatedAt,
      ...(remarks.length ? { remarks: remarks.join('\n\n') } : {}),
    };
  });

  // ---- reviewed controls: one per requirement ----
  const tokens = model.requirements.map((r) => oscalToken(r.id, 'req'));
  const reviewedControls = oscalReviewedControls(model);

  // ---- risks: one per requirement that is not met (open), or met only under an approved exception ----
  const risks = oscalRisks(model, uuid, observationUuidByControl);
  const riskUuidByRequirement = new Map(risks.map((r) => [r.requirementId, r.risk.uuid]));

  // ---- findings: one per requirement ----
  const findings = model.requirements.map((r: PackRequirement, i) => {
    const related = [...new Set(r.controls.map((id) => observationUuidByControl.get(id)).filter((u): u is string => !!u))];
    const description = [r.answer.trim() || '(no answer)'];
    if (r.attestations.length) description.push(`Attestations:\n${r.attestations.map((a) => `- ${a}`).join('\n')}`);
    return {
      uuid: uuid(`finding/${i}/${r.id}`),
      title: `${r.id}: ${r.title}`,
      description: description.join('\n\n'),
      props: [prop('requirement-id', r.id), prop('requirement-status', r.status)],
      target: {
        type: 'objective-id',
        'target-id': `${tokens[i]}_obj`,
        description: r.question,
        status: {
          state: r.status === 'met' ? 'satisfied' : 'not-satisfied',
          reason: reasonFor(r.status),
          remarks: `Requirement ${REQUIREMENT_STATUS_TEXT[r.status]}.`,
        },
      },
      ...(related.length ? { 'related-observations': related.map((u) => ({ 'observation-uuid': u })) } : {}),
      ...(riskUuidByRequirement.has(r.id) ? { 'related-risks': [{ 'risk-uuid': riskUuidByRequirement.get(r.id)! }] } : {}),
      ...(r.gap ? { remarks: `Gap: ${r.gap}` } : {}),
    };
  });

  const metadata = oscalMetadata(model, uuid, model.title);

  const result = {
    uuid: uuid('result/0'),
    title: model.title,
    description: `Results of Tenet's continuous control checks for ${model.organisation}, ${model.period.from} to ${model.period.to}, mapped to the requirements of the ${model.profile} review.`,
    start,
    ...(end ? { end } : {}),
    props: [prop('organisation', model.organisation || '-')],
    'reviewed-controls': reviewedControls,
    ...(observations.length ? { observations } : {}),
    ...(risks.length ? { risks: risks.map((r) => r.risk) } : {}),
    ...(findings.length ? { findings } : {}),
  };

  return {
    'assessment-results': {
      uuid: uuid('assessment-results'),
      metadata,
      'import-ap': {
        href: ASSESSMENT_PLAN_HREF,
        remarks: 'The assessment plan in this pack (oscal/assessment-plan.json): the requirements assessed, the method, the period.',
      },
      results: [result],
    },
  };
}

/** Where the assessment results find their plan: next to them in the pack's oscal/ folder. */
const ASSESSMENT_PLAN_HREF = 'assessment-plan.json';

type Uuid = (path: string) => string;

function oscalMetadata(model: PackModel, uuid: Uuid, title: string): object {
  const generatedAt = toOscalDateTime(model.generatedAt) ?? '1970-01-01T00:00:00Z';
  const org = oneLine(model.organisation, '');
  const partyUuid = uuid('party/organisation');
  return {
    title,
    'last-modified': generatedAt,
    version: generatedAt,
    'oscal-version': OSCAL_VERSION,
    props: [
      prop('profile', model.profile),
      prop('generator', model.generator),
      prop('policy-hash', model.policyHash),
      ...(model.chainHead ? [prop('evidence-chain-head-seq', String(model.chainHead.seq)), prop('evidence-chain-head-hash', model.chainHead.hash)] : []),
    ],
    ...(org
      ? {
          roles: [{ id: 'prepared-for', title: 'Prepared For', description: 'The organisation whose system is reviewed.' }],
          parties: [{ uuid: partyUuid, type: 'organization', name: org }],
          'responsible-parties': [{ 'role-id': 'prepared-for', 'party-uuids': [partyUuid] }],
        }
      : {}),
    remarks: `Generated by ${model.generator} at ${model.generatedAt}.`,
  };
}

const programmeName = (model: PackModel) =>
  model.profile === 'sp-api' ? 'Amazon SP-API Data Protection Policy' : 'Google API Services User Data Policy / CASA';

/** The requirements assessed, as OSCAL reviewed-controls (the same in the plan and the results). */
function oscalReviewedControls(model: PackModel): object {
  const includeControls = [...new Set(model.requirements.map((r) => oscalToken(r.id, 'req')))].map((t) => ({ 'control-id': t }));
  return {
    description: `Requirements of the ${programmeName(model)} review, as answered by ${model.organisation}.`,
    'control-selections': [
      includeControls.length
        ? { description: 'Requirements answered in this review pack.', 'include-controls': includeControls }
        : { description: 'No requirements were listed in this review pack.', 'include-all': {} },
    ],
  };
}

/** Statuses that carry a risk: not met (open), or met only under an approved exception (deviation approved). */
const RISK_STATUS: Partial<Record<string, string>> = { not_met: 'open', partial: 'open', gap: 'open', met_by_exception: 'deviation-approved' };

/** One OSCAL risk per requirement that is not met, or met only by exception (the same uuid in the results and the POA&M). */
function oscalRisks(model: PackModel, uuid: Uuid, observationUuidByControl?: Map<string, string>) {
  return model.requirements.flatMap((r, i) => {
    const status = RISK_STATUS[r.status];
    if (!status) return [];
    const related = observationUuidByControl ? [...new Set(r.controls.map((id) => observationUuidByControl.get(id)).filter((u): u is string => !!u))] : [];
    const failing = r.controls.filter((id) => {
      const c = model.controls.find((x) => x.controlId === id);
      return c && c.status !== 'pass' && c.status !== 'not_applicable';
    });
    const risk = {
      uuid: uuid(`risk/${i}/${r.id}`),
      title: `${r.id}: ${r.title} is ${REQUIREMENT_STATUS_TEXT[r.status as RequirementStatus] ?? r.status}`,
      description: r.question,
      statement: [r.gap ? `Gap: ${r.gap}` : r.answer.trim() || '(no answer)', failing.length ? `Controls not passing: ${failing.join(', ')}.` : '']
        .filter(Boolean)
        .join('\n\n'),
      props: [prop('requirement-id', r.id), prop('requirement-status', r.status)],
      status,
      ...(related.length ? { 'related-observations': related.map((u) => ({ 'observation-uuid': u })) } : {}),
    };
    return [{ requirementId: r.id, index: i, failing, risk }];
  });
}

/**
 * OSCAL Assessment Plan (1.0.4) for the pack: what is assessed (the programme's requirements), how (Tenet's
 * automated control checks, its signed attestations and the access review), over which period. There is no OSCAL
 * system security plan: `import-ssp` names the pack's report, which describes the system assessed.
 */
export function renderOscalPlan(model: PackModel, opts: RenderOscalOptions = {}): object {
  const seed = opts.uuidSeed ?? createHash('sha256').update(canonicalJson(model)).digest('hex');
  const uuid: Uuid = (path) => deterministicUuid(seed, path);
  const start = toOscalDateTime(model.period.from);
  const end = toOscalDateTime(model.period.to, true);
  return {
    'assessment-plan': {
      uuid: uuid('assessment-plan'),
      metadata: oscalMetadata(model, uuid, `${model.title}: assessment plan`),
      'import-ssp': {
        href: '../index.html',
        remarks: 'No OSCAL system security plan: the system assessed is described by the review pack itself (index.html, report.pdf).',
      },
      'local-definitions': {
        activities: [
          {
            uuid: uuid('activity/control-checks'),
            title: 'Automated control checks',
            description: `Tenet runs each control on its schedule against the live system and records every result in a hash-chained, signed evidence log; the pack reports each control's runs in the period and its status at the period end.`,
            props: [prop('method', 'TEST')],
          },
        ],
        remarks:
          'Requirements are also answered by signed attestations (attestations/ in the pack) and by the access review asked of the policy decision point.',
      },
      'reviewed-controls': oscalReviewedControls(model),
      'assessment-subjects': [
        { type: 'component', description: `The production system of ${model.organisation || 'the organisation'} reviewed in this pack.`, 'include-all': {} },
      ],
      tasks: [
        {
          uuid: uuid('task/period'),
          type: 'action',
          title: `Assess the ${programmeName(model)} requirements over the period`,
          ...(start && end ? { timing: { 'within-date-range': { start, end } } } : {}),
          'associated-activities': [{ 'activity-uuid': uuid('activity/control-checks'), subjects: [{ type: 'component', 'include-all': {} }] }],
        },
      ],
    },
  };
}

/**
 * OSCAL Plan of Action and Milestones (1.0.4): one poam-item per requirement that is not met or is met only by
 * exception, each linked to its risk (the same uuid as in the assessment results). Remediation notes are internal:
 * they are in a poam-item's remarks only in the internal edition. undefined when no requirement needs one.
 */
export function renderOscalPoam(model: PackModel, opts: RenderOscalOptions = {}): object | undefined {
  const seed = opts.uuidSeed ?? createHash('sha256').update(canonicalJson(model)).digest('hex');
  const uuid: Uuid = (path) => deterministicUuid(seed, path);
  const risks = oscalRisks(model, uuid);
  // A POA&M holds at least one item: with every requirement met there is nothing to plan.
  if (!risks.length) return undefined;
  const items = risks.map(({ requirementId, index, failing, risk }) => {
    const r = model.requirements[index];
    const remediation = model.internal
      ? failing.flatMap((id) => {
          const c = model.controls.find((x) => x.controlId === id);
          return c?.remediation ? [`${id}: ${c.remediation}`] : [];
        })
      : [];
    return {
      uuid: uuid(`poam-item/${index}/${requirementId}`),
      title: `${requirementId}: ${r.title}`,
      description:
        r.status === 'met_by_exception'
          ? `Met only under an approved, time-limited exception (see the exception register): the controls must pass before it expires.`
          : `Bring ${requirementId} to met: ${r.gap ?? (r.answer.trim() || 'see the assessment results')}`,
      props: [prop('requirement-id', requirementId), prop('requirement-status', r.status)],
      'related-risks': [{ 'risk-uuid': risk.uuid }],
      ...(remediation.length ? { remarks: `Remediation (internal edition):\n${remediation.join('\n')}` } : {}),
    };
  });
  return {
    'plan-of-action-and-milestones': {
      uuid: uuid('poam'),
      metadata: oscalMetadata(model, uuid, `${model.title}: plan of action and milestones`),
      'system-id': { 'identifier-type': 'https://ietf.org/rfc/rfc4122', id: uuid('system') },
      risks: risks.map((r) => r.risk),
      'poam-items': items,
    },
  };
}
