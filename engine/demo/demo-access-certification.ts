import type { AccessCertifications } from '../authz/access-certification.ts';

const DAY = 86_400_000;
/** The demo's security officer, as demo sign-in names them. */
const REVIEWER = { id: 'demo-security_officer', name: 'Sam Security', via: 'session', role: 'security_officer' };

/**
 * The demo's access review history: a quarterly review 97 days ago and the latest one 12 days ago, signed by the
 * demo security officer, every grant kept (with a reason on the agency-wide ones), so `access.review-certified`
 * passes. Recorded once; a restart finds them.
 */
export async function certifyDemoAccessReview(certifications: AccessCertifications): Promise<void> {
  if ((await certifications.list(1)).length) return;
  const { review, grants } = certifications.current();
  const wide = new Set(review.agencyWide.map((w) => w.user));
  for (const daysAgo of [97, 12]) {
    await certifications.certify({
      decisions: grants.map((g) => ({
        ...g,
        decision: 'keep' as const,
        reason: wide.has(g.user) && g.action === 'reveal_buyer_pii' ? 'agency administrator: handles escalations for every client of the agency' : null,
      })),
      note: daysAgo === 12 ? 'Quarterly access review (demo).' : 'Previous quarterly access review (demo).',
      reviewer: REVIEWER,
      certifiedBy: `${REVIEWER.name} (user ${REVIEWER.id})`,
      at: new Date(Date.now() - daysAgo * DAY),
    });
  }
}
