import { describe, expect, it } from 'vitest';
import { periodProblem } from './build-pack.ts';
import type { PackControlResult } from './pack-model.ts';
import { answer, SP_API_REQUIREMENTS, type ProfileContext, type RequirementDef } from './profiles.ts';

const result = (controlId: string, status: PackControlResult['status']): PackControlResult => ({
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
  remediation: '',
});

const context = (results: PackControlResult[], over: Partial<ProfileContext> = {}): ProfileContext => ({
  controls: new Map(results.map((r) => [r.controlId, r])),
  attestedDocuments: new Set(),
  logRetentionDays: 365,
  crossAgencyGrants: 0,
  reviewedUsers: 3,
  ...over,
});

const requirement: RequirementDef = { id: 'R-1', title: 'Two controls', question: 'Are both checked?', controls: ['a', 'b'] };

describe('requirement status: nothing is met without evidence', () => {
  it('controls that never ran are not assessed, never met and never failed', () => {
    const r = answer(requirement, context([result('a', 'never_run'), result('b', 'never_run')]));
    expect(r.status).toBe('not_assessed');
    expect(r.answer).toContain('a: not run by the end of the period (not assessed).');
  });

  it('a passing control beside one that never ran is partial, not met', () => {
    expect(answer(requirement, context([result('a', 'pass'), result('b', 'never_run')])).status).toBe('partial');
    expect(answer(requirement, context([result('a', 'pass'), result('b', 'pass')])).status).toBe('met');
    expect(answer(requirement, context([result('a', 'fail'), result('b', 'never_run')])).status).toBe('not_met');
  });

  it('least privilege with nobody in the access review is not assessed; with users and no cross-agency grant, met', () => {
    const dpp13 = SP_API_REQUIREMENTS.find((d) => d.id === 'DPP-1.3')!;
    expect(answer(dpp13, context([], { reviewedUsers: 0 })).status).toBe('not_assessed');
    expect(answer(dpp13, context([], { reviewedUsers: 4 })).status).toBe('met');
    expect(answer(dpp13, context([], { reviewedUsers: 4, crossAgencyGrants: 2 })).status).toBe('not_met');
  });
});

describe('the period a pack may cover', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');
  it('refuses a period that ends in the future (beyond five minutes of clock skew), is empty, or has a bad date', () => {
    expect(periodProblem(new Date('2026-11-01T00:00:00Z'), new Date('2026-11-27T11:59:00Z'), now)).toBeUndefined();
    expect(periodProblem(new Date('2026-11-01T00:00:00Z'), new Date('2026-11-27T12:04:00Z'), now)).toBeUndefined();
    expect(periodProblem(new Date('2026-11-01T00:00:00Z'), new Date('2026-11-28T00:00:00Z'), now)).toMatch(/ends in the future/);
    expect(periodProblem(new Date('2026-11-27T00:00:00Z'), new Date('2026-11-27T00:00:00Z'), now)).toMatch(/must start before it ends/);
    expect(periodProblem(new Date('nonsense'), new Date('2026-11-27T00:00:00Z'), now)).toMatch(/valid dates/);
  });
});
