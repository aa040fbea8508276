import { describe, expect, it } from 'vitest';
import type { AccessCertificationEvidence } from '../access-certification-evidence.ts';
import { NOT_APPLICABLE, type EvidenceSources } from '../define-control.ts';
import { runControl } from '../runner.ts';
import { parseControlSettings } from '../settings.ts';
import control from './access-review-certified.ts';

const ago = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();
const g = (user: string, client: string) => ({ user, action: 'reveal_buyer_pii' as const, client });

function evidence(over: { current?: ReturnType<typeof g>[]; certifiedDaysAgo?: number; intact?: boolean; none?: boolean } = {}): AccessCertificationEvidence {
  return {
    asOf: new Date().toISOString(),
    current: over.current ?? [g('asha', 'chai-co')],
    certification: over.none
      ? null
      : {
          id: 'cert-1',
          certifiedAt: ago(over.certifiedDaysAgo ?? 5),
          certifiedBy: 'Priya (user priya)',
          sha256: 'b'.repeat(64),
          evidenceSeq: 9,
          intact: over.intact ?? true,
          decisions: [
            { ...g('asha', 'chai-co'), decision: 'keep' },
            { ...g('ravi', 'kora-home'), decision: 'revoke' },
          ],
        },
  };
}

const run = (e: AccessCertificationEvidence | typeof NOT_APPLICABLE, settings = parseControlSettings({})) =>
  runControl(control, { accessCertification: async () => e } as unknown as EvidenceSources, settings);

describe('access.review-certified', () => {
  it('passes on a recent certification covering every grant, its revokes gone', async () => {
    const r = await run(evidence());
    expect(r.status).toBe('pass');
    expect(r.summary).toMatch(/all 1 grants covered/);
  });

  it('fails, never not_applicable, when nothing was ever certified', async () => {
    const r = await run(evidence({ none: true }));
    expect(r.status).toBe('fail');
    expect(r.findings[0].message).toMatch(/has never been certified/);
  });

  it('fails when the certification is older than requirements.accessReviewMaxAgeDays (default 90)', async () => {
    expect((await run(evidence({ certifiedDaysAgo: 89 }))).status).toBe('pass');
    const old = await run(evidence({ certifiedDaysAgo: 91 }));
    expect(old.status).toBe('fail');
    expect(old.findings[0].message).toMatch(/over 90 days ago/);
    const strict = await run(evidence({ certifiedDaysAgo: 31 }), parseControlSettings({ requirements: { accessReviewMaxAgeDays: 30 } }));
    expect(strict.status).toBe('fail');
  });

  it('fails on a grant that appeared after the review and on a revoke still granted', async () => {
    const r = await run(evidence({ current: [g('asha', 'chai-co'), g('ravi', 'kora-home'), g('dev', 'masala-mart')] }));
    expect(r.status).toBe('fail');
    expect(r.findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/^dev may reveal_buyer_pii on client masala-mart: a grant that appeared after the review/),
      expect.stringMatching(/^ravi may reveal_buyer_pii on client kora-home: revoked in the review of .*, still granted$/),
    ]);
  });

  it('fails when the stored certification no longer matches its signed hash', async () => {
    const r = await run(evidence({ intact: false }));
    expect(r.status).toBe('fail');
    expect(r.findings[0].message).toMatch(/no longer matches its signed SHA-256/);
  });

  it('is not_applicable only when the source is not wired at all', async () => {
    const r = await runControl(control, {} as EvidenceSources, parseControlSettings({}));
    expect(r.status).toBe('not_applicable');
  });
});
