import { describe, expect, it } from 'vitest';
import { programmeById } from './index.ts';
import { periodProblem } from './period.ts';
import type { Programme, RequirementDef, RequirementFacts } from './programme.ts';
import { inForceAt, scoreProgramme, scoreRequirement, type ControlResult, type ExceptionRecord, type ScorecardInputs } from './scorecard.ts';

const result = (controlId: string, status: ControlResult['status']): ControlResult => ({
  controlId,
  title: controlId,
  status,
  frameworks: [],
  runs: status === 'never_run' ? 0 : 1,
  passes: status === 'pass' ? 1 : 0,
  lastRunAt: status === 'never_run' ? null : '2026-11-27T10:00:00.000Z',
  summary: null,
  findings: [],
  evidenceSeqs: [],
  remediation: `fix ${controlId}`,
});

const facts = (over: Partial<RequirementFacts> = {}): RequirementFacts => ({
  attestedDocuments: new Set(),
  logRetentionDays: 365,
  crossAgencyGrants: 0,
  reviewedUsers: 3,
  ...over,
});

const inputs = (results: ControlResult[], over: Partial<RequirementFacts> = {}, exceptions: ExceptionRecord[] = []) => ({
  controls: new Map(results.map((r) => [r.controlId, r])),
  facts: facts(over),
  exceptions,
});

const programme: Pick<Programme, 'id' | 'integrations'> = { id: 'amazon-spapi-dpp', integrations: ['amazon_spapi'] };
const requirement: RequirementDef = { id: 'R-1', title: 'Two controls', source: 'test', question: 'Are both checked?', controls: ['a', 'b'] };
const score = (def: RequirementDef, i: ReturnType<typeof inputs>) => scoreRequirement(programme, def, i);

const exception = (controlId: string, over: Partial<ExceptionRecord> = {}): ExceptionRecord => ({
  id: `ex-${controlId}`,
  controlId,
  integrationId: 'amazon_spapi',
  reason: 'backfill running',
  state: 'approved',
  approvedBy: 'ada',
  approvedAt: '2026-11-20T00:00:00.000Z',
  createdAt: '2026-11-19T00:00:00.000Z',
  expiresAt: '2026-12-04T00:00:00.000Z',
  revokedAt: null,
  ...over,
});

describe('requirement status: nothing is met without evidence', () => {
  it('controls that never ran are not assessed, never met and never failed', () => {
    const r = score(requirement, inputs([result('a', 'never_run'), result('b', 'never_run')]));
    expect(r.status).toBe('not_assessed');
    expect(r.answer).toContain('a: not run by the end of the period (not assessed).');
  });

  it('a passing control beside one that never ran is partial, not met', () => {
    expect(score(requirement, inputs([result('a', 'pass'), result('b', 'never_run')])).status).toBe('partial');
    expect(score(requirement, inputs([result('a', 'pass'), result('b', 'pass')])).status).toBe('met');
    expect(score(requirement, inputs([result('a', 'fail'), result('b', 'never_run')])).status).toBe('not_met');
    expect(score(requirement, inputs([result('a', 'pass'), result('b', 'not_applicable')])).status).toBe('partial');
    // stale with runs in the period: it stopped running on time, a failure; stale with none: no evidence in the period
    expect(score(requirement, inputs([result('a', 'pass'), result('b', 'stale')])).status).toBe('partial');
    expect(score(requirement, inputs([result('a', 'stale'), result('b', 'stale')])).status).toBe('not_met');
    const old = { ...result('b', 'stale'), runs: 0, passes: 0 };
    const r = score(requirement, inputs([result('a', 'pass'), old]));
    expect(r.status).toBe('partial');
    expect(r.answer).toMatch(/b: no run in the period; its last result .* had gone stale by its end \(not assessed\)/);
    expect(score(requirement, inputs([{ ...result('a', 'stale'), runs: 0, passes: 0 }, old])).status).toBe('not_assessed');
  });

  it('a control the catalogue does not have is not assessed, and says so', () => {
    const r = score(requirement, inputs([result('a', 'pass')]));
    expect(r.status).toBe('partial');
    expect(r.controls[1]).toMatchObject({ controlId: 'b', status: 'unknown_control' });
    expect(r.answer).toContain('b: not in the catalogue yet');
  });

  it('least privilege with nobody in the access review is not assessed; with users and no cross-agency grant, met', () => {
    const dpp13 = { ...programmeById('amazon-spapi-dpp').requirements.find((d) => d.id === '1.3')!, controls: [] };
    expect(score(dpp13, inputs([], { reviewedUsers: 0 })).status).toBe('not_assessed');
    expect(score(dpp13, inputs([], { reviewedUsers: 4 })).status).toBe('met');
    expect(score(dpp13, inputs([], { reviewedUsers: 4, crossAgencyGrants: 2 })).status).toBe('not_met');
    // agency-wide reveal rights within an agency are reported in the answer, for the certification to decide
    const wide = score(dpp13, inputs([], { reviewedUsers: 4, agencyWideUsers: 3 }));
    expect(wide.status).toBe('met');
    expect(wide.answer).toContain('3 agency-level user(s) may reveal buyer PII on every client');
    expect(score(dpp13, inputs([], { reviewedUsers: 4 })).answer).not.toContain('agency-level');
    // with its certification control never run, the access review alone is not enough
    const full = programmeById('amazon-spapi-dpp').requirements.find((d) => d.id === '1.3')!;
    expect(score(full, inputs([result('access.review-certified', 'never_run')], { reviewedUsers: 4 })).status).toBe('partial');
  });

  it('a stated gap keeps a requirement from being met: not met when nothing else shows, partial beside passing checks', () => {
    const logging = programmeById('amazon-spapi-dpp').requirements.find((d) => d.id === '2.6')!;
    const ids = logging.controls;
    const none = score(
      logging,
      inputs(
        ids.map((id) => result(id, 'never_run')),
        { logRetentionDays: 180 },
      ),
    );
    expect(none).toMatchObject({ status: 'not_met', gap: expect.stringMatching(/180 days/) });
    expect(
      score(
        logging,
        inputs(
          ids.map((id) => result(id, 'pass')),
          { logRetentionDays: 180 },
        ),
      ).status,
    ).toBe('partial');
    expect(
      score(
        logging,
        inputs(
          ids.map((id) => result(id, 'pass')),
          { logRetentionDays: 365 },
        ),
      ).status,
    ).toBe('met');
  });

  it('attestations count: in force is a pass, lapsed is a failure, never attested is not assessed', () => {
    const def: RequirementDef = { id: 'R-2', title: 'runbook', source: 'test', question: '?', controls: [], attestations: ['runbook.x'] };
    expect(score(def, inputs([])).status).toBe('not_assessed');
    expect(score(def, inputs([], { lapsedDocuments: new Set(['runbook.x']) })).status).toBe('not_met');
    expect(score(def, inputs([], { attestedDocuments: new Set(['runbook.x']) })).status).toBe('met');
  });
});

describe('exceptions', () => {
  it("a failing control covered by an approved exception of the programme's integration is met by exception", () => {
    const i = inputs([result('a', 'pass'), result('b', 'fail')], {}, [exception('b')]);
    const r = score(requirement, i);
    expect(r.status).toBe('met_by_exception');
    expect(r.controls[1].exception).toMatchObject({ id: 'ex-b', approvedBy: 'ada' });
    expect(r.answer).toMatch(/covered by an approved exception until 2026-12-04/);
  });

  it("another integration's exception covers nothing; one for all integrations covers every programme", () => {
    expect(score(requirement, inputs([result('a', 'pass'), result('b', 'fail')], {}, [exception('b', { integrationId: 'whatsapp' })])).status).toBe('partial');
    expect(score(requirement, inputs([result('a', 'pass'), result('b', 'fail')], {}, [exception('b', { integrationId: null })])).status).toBe(
      'met_by_exception',
    );
  });

  it('is in force at the period end only when approved by then, not revoked by then and not yet expired', () => {
    const at = new Date('2026-11-25T00:00:00Z');
    expect(inForceAt(exception('b'), at)).toBe(true);
    expect(inForceAt(exception('b', { approvedAt: '2026-11-26T00:00:00.000Z' }), at)).toBe(false);
    expect(inForceAt(exception('b', { expiresAt: '2026-11-24T00:00:00.000Z' }), at)).toBe(false);
    expect(inForceAt(exception('b', { revokedAt: '2026-11-24T00:00:00.000Z', state: 'revoked' }), at)).toBe(false);
    expect(inForceAt(exception('b', { revokedAt: '2026-11-26T00:00:00.000Z', state: 'revoked' }), at)).toBe(true);
    expect(inForceAt(exception('b', { state: 'requested', approvedBy: null, approvedAt: null }), at)).toBe(false);
    expect(inForceAt(exception('b', { state: 'rejected', approvedBy: null, approvedAt: null }), at)).toBe(false);
  });
});

describe('a programme scorecard', () => {
  const dpp = programmeById('amazon-spapi-dpp');
  const ids = [...new Set(dpp.requirements.flatMap((r) => r.controls))];
  const severity = new Map(ids.map((id) => [id, id === 'storage.s3-encryption' ? ('critical' as const) : ('medium' as const)]));
  const full = (results: ControlResult[], over: Partial<RequirementFacts> = {}, exceptions: ExceptionRecord[] = []): ScorecardInputs => ({
    ...inputs(results, over, exceptions),
    period: { from: new Date('2026-09-01T00:00:00Z'), to: new Date('2026-11-27T00:00:00Z') },
    severity,
    review: { rows: [], crossAgency: 0, agencyWide: [], users: 0, clients: 0 },
  });

  it('on an empty install: nothing met, every requirement not assessed or not met by a stated gap', () => {
    const card = scoreProgramme(
      dpp,
      full(
        ids.map((id) => result(id, 'never_run')),
        { reviewedUsers: 0, logRetentionDays: 180 },
      ),
    );
    expect(card.summary.met + card.summary.met_by_exception + card.summary.partial).toBe(0);
    for (const r of card.requirements) expect(r.status === 'not_assessed' || (r.status === 'not_met' && r.gap), r.id).toBeTruthy();
    expect(card.summary.total).toBe(dpp.requirements.length);
    expect(card.fixNext.every((f) => f.why === 'not_assessed')).toBe(true);
  });

  it('what to fix next: the failing controls behind unmet requirements, worst severity first, with their remediation', () => {
    const results = ids.map((id) => result(id, id === 'storage.s3-encryption' || id === 'retention.log-groups' ? 'fail' : 'pass'));
    const card = scoreProgramme(
      dpp,
      full(results, { attestedDocuments: new Set(['runbook.secrets-rotation', 'runbook.data-deletion-export', 'runbook.incident-response']) }),
    );
    expect(card.fixNext.map((f) => f.controlId)).toEqual(['storage.s3-encryption', 'retention.log-groups']);
    expect(card.fixNext[0]).toMatchObject({ why: 'failing', remediation: 'fix storage.s3-encryption', requirements: ['amazon-spapi-dpp:2.4'] });
    expect(card.requirements.find((r) => r.id === '2.4')!.status).toBe('not_met');
    expect(card.requirements.find((r) => r.id === '2.6')!.status).toBe('partial');
    expect(card.summary).toMatchObject({ total: 14, not_met: 1, partial: 1, met: 12 });
  });

  it('a failing control under an exception is not on the list to fix', () => {
    const results = ids.map((id) => result(id, id === 'pii.redaction-backfill' ? 'fail' : 'pass'));
    const card = scoreProgramme(dpp, full(results, {}, [exception('pii.redaction-backfill')]));
    expect(card.requirements.find((r) => r.id === '2.1')!.status).toBe('met_by_exception');
    expect(card.fixNext.find((f) => f.controlId === 'pii.redaction-backfill')).toBeUndefined();
  });
});

describe('the period a scorecard or pack may cover', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');
  it('refuses a period that ends in the future (beyond five minutes of clock skew), is empty, or has a bad date', () => {
    expect(periodProblem(new Date('2026-11-01T00:00:00Z'), new Date('2026-11-27T11:59:00Z'), now)).toBeUndefined();
    expect(periodProblem(new Date('2026-11-01T00:00:00Z'), new Date('2026-11-27T12:04:00Z'), now)).toBeUndefined();
    expect(periodProblem(new Date('2026-11-01T00:00:00Z'), new Date('2026-11-28T00:00:00Z'), now)).toMatch(/ends in the future/);
    expect(periodProblem(new Date('2026-11-27T00:00:00Z'), new Date('2026-11-27T00:00:00Z'), now)).toMatch(/must start before it ends/);
    expect(periodProblem(new Date('nonsense'), new Date('2026-11-27T00:00:00Z'), now)).toMatch(/valid dates/);
  });
});
