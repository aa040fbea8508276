import { createHash } from 'node:crypto';
import { compactVerify, importJWK, type JWK } from 'jose';
import { z } from 'zod';
import type { Attestation } from '../define-control.ts';

/**
 * A signed attestation is a compact JWS (EdDSA, Ed25519) whose payload says who attested which document, when,
 * until when, and the sha256 of the document's text. It is accepted only when its `kid` names a trusted key in
 * the control settings and the signature verifies; the signer must be the key's subject.
 */
const attestationPayload = z
  .object({
    documentId: z.string().min(1).max(200),
    title: z.string().min(1).max(300),
    attestedBy: z.string().min(1).max(200),
    attestedAt: z.iso.datetime({ offset: true }),
    expiresAt: z.iso.datetime({ offset: true }),
    digest: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 hex of the document'),
  })
  .strict();

export class AttestationError extends Error {}

export interface TrustedKey {
  kid: string;
  subject: string;
  jwk: Record<string, unknown>;
}

export async function verifyAttestation(jws: string, trusted: TrustedKey[]): Promise<Attestation> {
  const header = (() => {
    try {
      return JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: string; alg?: string };
    } catch {
      throw new AttestationError('not a compact JWS');
    }
  })();
  if (header.alg !== 'EdDSA') throw new AttestationError('attestations must be signed with EdDSA (Ed25519)');
  const key = trusted.find((k) => k.kid === header.kid);
  if (!key) throw new AttestationError(`key ${String(header.kid)} is not a trusted attestation key`);
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, await importJWK(key.jwk as JWK, 'EdDSA'), { algorithms: ['EdDSA'] }));
  } catch {
    throw new AttestationError('signature does not verify');
  }
  let parsed: z.infer<typeof attestationPayload>;
  try {
    parsed = attestationPayload.parse(JSON.parse(new TextDecoder().decode(payload)));
  } catch (error) {
    throw new AttestationError(
      `payload is not an attestation: ${error instanceof z.ZodError ? error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : 'not JSON'}`,
    );
  }
  if (parsed.attestedBy !== key.subject) throw new AttestationError(`signed with ${key.kid}, which belongs to ${key.subject}, not ${parsed.attestedBy}`);
  if (Date.parse(parsed.expiresAt) <= Date.parse(parsed.attestedAt)) throw new AttestationError('expiresAt must be after attestedAt');
  return { ...parsed, attestedAt: new Date(parsed.attestedAt).toISOString(), expiresAt: new Date(parsed.expiresAt).toISOString(), kid: key.kid };
}

export const sha256Hex = (text: string | Uint8Array): string => createHash('sha256').update(text).digest('hex');
