import { createHash } from 'node:crypto';
import type { CertificationSigner } from '../authz/access-certification.ts';
import { canonicalJson } from '../../evidence/ledger/canonical-json.ts';
import type { EvidenceStore } from '../../evidence/ledger/evidence-store.ts';

/** The control whose evidence the certification records are filed under. */
const ACCESS_CERTIFICATION_CONTROL = 'access.review-certified';

/**
 * Signs access certifications: SHA-256 over the canonical JSON of the certification (evidence/ledger's one
 * canonical form), recorded in the evidence chain with the reviewer's identity, the counts and the grants' keys
 * and decisions (reasons stay in the certification, which the hash covers).
 */
export function certificationSigner(evidence: Pick<EvidenceStore, 'append'>): CertificationSigner {
  return {
    hash: (body) => createHash('sha256').update(canonicalJson(body)).digest('hex'),
    async record({ body, sha256 }, trx) {
      const record = await evidence.append(
        {
          controlId: ACCESS_CERTIFICATION_CONTROL,
          source: 'access-certification',
          payload: {
            certification: body.id,
            sha256,
            certifiedAt: body.certifiedAt,
            certifiedBy: body.certifiedBy,
            reviewer: body.reviewer,
            grants: body.decisions.length,
            revoked: body.decisions.filter((d) => d.decision === 'revoke').length,
            decisions: body.decisions.map((d) => ({ user: d.user, action: d.action, client: d.client, decision: d.decision })),
          },
        },
        trx,
      );
      return record.seq;
    },
  };
}
