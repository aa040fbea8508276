import { z } from 'zod';

const grant = { user: z.string(), action: z.enum(['reveal_buyer_pii', 'export', 'read_credential']), client: z.string() };

/**
 * The access review now (every user × action × client the platform PDP allows) and the newest signed
 * certification of it (engine/authz/access-certification.ts): ids and decisions only, never a reason's text.
 */
export const accessCertificationEvidence = z.object({
  asOf: z.string(),
  current: z.array(z.object(grant)),
  certification: z
    .object({
      id: z.string(),
      certifiedAt: z.string(),
      certifiedBy: z.string(),
      sha256: z.string(),
      evidenceSeq: z.number(),
      /** false when the stored certification no longer hashes to its recorded SHA-256 */
      intact: z.boolean(),
      decisions: z.array(z.object({ ...grant, decision: z.enum(['keep', 'revoke']) })),
    })
    .nullable(),
});
export type AccessCertificationEvidence = z.infer<typeof accessCertificationEvidence>;
