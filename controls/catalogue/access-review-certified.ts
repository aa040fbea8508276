import { accessCertificationEvidence } from '../access-certification-evidence.ts';
import { defineControl, NOT_APPLICABLE, type Finding } from '../define-control.ts';

const DAY = 86_400_000;
const key = (g: { user: string; action: string; client: string }) => JSON.stringify([g.user, g.action, g.client]);
const grant = (g: { user: string; action: string; client: string }) => `${g.user} may ${g.action} on client ${g.client}`;

export default defineControl({
  id: 'access.review-certified',
  title: 'Access to buyer PII and restricted data is reviewed and certified',
  commitment:
    'Access to buyer PII and restricted data is reviewed periodically: a reviewer certifies, with a signature, every grant of the access review as kept or revoked, and revoked access is removed.',
  severity: 'high',
  schedule: '0 5 * * *',
  freshFor: '26h',
  evidence: accessCertificationEvidence,
  async collect(sources) {
    if (!sources.accessCertification) return NOT_APPLICABLE;
    return sources.accessCertification();
  },
  evaluate(e, settings) {
    const maxAge = settings.requirements.accessReviewMaxAgeDays;
    const c = e.certification;
    if (!c) {
      return {
        status: 'fail',
        findings: [
          {
            resourceId: 'access-review',
            message: `the access review (${e.current.length} grants) has never been certified: no reviewer has kept or revoked its grants`,
          },
        ],
        summary: 'never certified',
      };
    }
    const findings: Finding[] = [];
    const day = c.certifiedAt.slice(0, 10);
    if (!c.intact) findings.push({ resourceId: c.id, message: `certification ${c.id} of ${day} no longer matches its signed SHA-256: it was altered` });
    const ageDays = (Date.parse(e.asOf) - Date.parse(c.certifiedAt)) / DAY;
    if (ageDays > maxAge)
      findings.push({ resourceId: c.id, message: `the access review was last certified on ${day} by ${c.certifiedBy}, over ${maxAge} days ago` });
    const decided = new Map(c.decisions.map((d) => [key(d), d.decision]));
    const now = new Set(e.current.map(key));
    const uncovered = e.current.filter((g) => !decided.has(key(g)));
    for (const g of uncovered)
      findings.push({ resourceId: g.user, resourceType: 'User', message: `${grant(g)}: a grant that appeared after the review of ${day}` });
    const stillThere = c.decisions.filter((d) => d.decision === 'revoke' && now.has(key(d)));
    for (const g of stillThere)
      findings.push({ resourceId: g.user, resourceType: 'User', message: `${grant(g)}: revoked in the review of ${day}, still granted` });
    return {
      status: findings.length ? 'fail' : 'pass',
      findings,
      summary: findings.length
        ? `certified ${day}; ${uncovered.length} grant(s) not covered, ${stillThere.length} revoke(s) still granted`
        : `certified ${day} by ${c.certifiedBy}: all ${e.current.length} grants covered, every revoke carried out`,
    };
  },
  remediation:
    'Review the access review (console → Access review → Start a review, or POST /v1/access-review/certifications): keep or revoke every grant, with a reason for each revoke, and sign. Remove revoked access in the platform (Tenet does not own its users and roles); the next run checks it is gone.',
});
