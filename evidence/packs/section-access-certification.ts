import { AccessCertifications, certificationDiff, grantKey, reviewGrants, type Grant } from '../../engine/authz/access-certification.ts';
import type { AccessReview } from '../../engine/authz/access-review.ts';
import type { Db } from '../../engine/db/database.ts';
import { certificationSigner } from '../../engine/posture/access-certification-signer.ts';
import { EvidenceStore } from '../ledger/evidence-store.ts';
import type { PackModel } from './pack-model.ts';

type PackSection = PackModel['sections'][number];

const grant = (g: Grant) => `${g.user} ${g.action} ${g.client}`;

function listed(label: string, grants: Grant[]): string[] {
  return grants.length ? [`${label}: ${grants.map(grant).join('; ')}.`] : [];
}

/**
 * "Access review certification" (SP-API packs): the latest certification signed at or before the period end —
 * reviewer, date, signature hash and evidence record, every grant kept or revoked with its reason and whether a
 * revoked grant is gone from the review the pack was built with — the diff against the certification before it,
 * and the within-agency flags of that review.
 */
export async function accessCertificationSection(props: { db: Db; review: AccessReview; to: Date }): Promise<PackSection> {
  const certifications = new AccessCertifications({
    db: props.db,
    review: () => props.review,
    signer: certificationSigner(new EvidenceStore(props.db)),
  });
  const [latest, previous] = await certifications.list(2, { until: props.to });
  const now = reviewGrants(props.review);
  const present = new Set(now.map(grantKey));
  const flags = props.review.agencyWide.length
    ? [
        `Within-agency least privilege — agency-level users who may reveal buyer PII on every client of their agency holding orders: ${props.review.agencyWide
          .map((w) => `${w.user} (${w.roles.join(', ') || 'no role'}, ${w.agency}: ${w.clients} client${w.clients === 1 ? '' : 's'})`)
          .join('; ')}.`,
      ]
    : ['Within-agency least privilege: no agency-level user may reveal buyer PII on every client of their agency.'];
  const intro =
    'A reviewer keeps or revokes every grant of the access review (user × action × client, asked of the policy decision point) and signs: ' +
    'the SHA-256 of the certification’s canonical JSON is recorded in the evidence chain with the reviewer’s identity. ' +
    'Tenet does not own the platform’s users and roles: a revoke is an item for the platform’s administrators, and a later review shows whether the grant is gone.';
  if (!latest) {
    return {
      id: 'access-certification',
      title: 'Access review certification',
      intro,
      paragraphs: [`No certification of the access review was signed on or before ${props.to.toISOString().slice(0, 10)}.`, ...flags],
    };
  }
  const covered = new Set(latest.decisions.map(grantKey));
  const uncovered = now.filter((g) => !covered.has(grantKey(g)));
  const diff = previous ? certificationDiff(previous, latest) : null;
  const diffLines = diff
    ? [
        `Against the certification of ${previous!.certifiedAt.slice(0, 10)} by ${previous!.certifiedBy}: ${diff.added.length} grant(s) added, ${diff.removed.length} removed, ${diff.changed.length} decision(s) changed.`,
        ...listed('Added', diff.added),
        ...listed('Removed', diff.removed),
        ...(diff.changed.length ? [`Changed: ${diff.changed.map((c) => `${grant(c)} ${c.from} → ${c.to}`).join('; ')}.`] : []),
      ]
    : ['The first certification: no previous one to compare with.'];
  return {
    id: 'access-certification',
    title: 'Access review certification',
    intro,
    table: {
      columns: ['user', 'action', 'client', 'decision', 'reason', 'when the pack was built'],
      rows: latest.decisions.map((d) => [
        d.user,
        d.action,
        d.client,
        d.decision,
        d.reason ?? '',
        present.has(grantKey(d)) ? (d.decision === 'revoke' ? 'still granted' : 'granted') : 'gone',
      ]),
    },
    paragraphs: [
      `Certified ${latest.certifiedAt} by ${latest.certifiedBy} (${latest.reviewer.role}, via ${latest.reviewer.via}): ${latest.decisions.length} grant(s), ${latest.decisions.filter((d) => d.decision === 'revoke').length} revoked.`,
      `Signature: SHA-256 ${latest.sha256}, evidence record ${latest.evidenceSeq}${latest.intact ? '' : ' — the stored certification NO LONGER matches this hash'}.`,
      ...(latest.note ? [`Reviewer's note: ${latest.note}`] : []),
      ...diffLines,
      ...listed('Grants of the current review this certification did not cover', uncovered),
      ...flags,
    ],
  };
}
