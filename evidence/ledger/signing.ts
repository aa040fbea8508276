import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';

/**
 * Who signs packs and checkpoints. The private key stays behind this interface: a key held in memory from the key
 * file or the environment (`LocalSigner`, evidence/ledger/keys.ts), or a key that never leaves AWS KMS (`KmsSigner`,
 * evidence/ledger/kms-signer.ts). Every signature is published with `keyId`, so a verifier picks the right public key
 * after a rotation.
 */
export interface Signer {
  readonly keyId: string;
  readonly publicKeyPem: string;
  /** 'Ed25519' (local keys) or 'ECDSA_P256_SHA256' (KMS ECC_NIST_P256 keys): verifiers derive it from the public key. */
  readonly algorithm: SignatureAlgorithm;
  /** The signature over `data`, base64. */
  sign(data: Uint8Array): Promise<string>;
}

export type SignatureAlgorithm = 'Ed25519' | 'ECDSA_P256_SHA256';

/** A short, stable name for a public key: sha256 of its DER, first 16 hex characters. */
export function keyId(publicKeyPem: string): string {
  return createHash('sha256')
    .update(createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/** The algorithm a public key signs with; anything else is refused rather than guessed. */
export function algorithmOf(key: KeyObject): SignatureAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'Ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ECDSA_P256_SHA256';
  throw new Error(
    `unsupported signing key type ${key.asymmetricKeyType}${key.asymmetricKeyDetails?.namedCurve ? ` (${key.asymmetricKeyDetails.namedCurve})` : ''}: use Ed25519, or a KMS ECC_NIST_P256 key`,
  );
}

export const signManifest = (manifest: Uint8Array, signer: Pick<Signer, 'sign'>): Promise<string> => signer.sign(manifest);

/** Checks a base64 signature over `data` with a PEM public key (Ed25519, or ECDSA P-256 with SHA-256, DER). */
export function verifySignature(data: Uint8Array, signatureBase64: string, publicKeyPem: string): boolean {
  try {
    const key = createPublicKey(publicKeyPem);
    return verify(algorithmOf(key) === 'Ed25519' ? null : 'sha256', data, key, Buffer.from(signatureBase64.trim(), 'base64'));
  } catch {
    return false;
  }
}

/**
 * Picks the public key named `wantedKeyId` out of what a verifier was given: one PEM, several PEMs one after the
 * other, or the JSON of GET /v1/packs/public-keys. With a single key it is returned whatever its id (the caller
 * then reports a mismatch); with several, only the one whose id matches.
 */
export function selectPublicKey(given: string, wantedKeyId: string | undefined): string | undefined {
  const pems = parsePublicKeys(given);
  if (pems.length <= 1) return pems[0];
  return pems.find((p) => keyId(p) === wantedKeyId);
}

/** Every public key in a PEM bundle or a public-keys JSON document. */
export function parsePublicKeys(given: string): string[] {
  const text = given.trim();
  if (text.startsWith('{')) {
    try {
      const doc = JSON.parse(text) as { keys?: Array<{ publicKeyPem?: unknown }> };
      return (doc.keys ?? []).map((k) => k.publicKeyPem).filter((p): p is string => typeof p === 'string');
    } catch {
      return [];
    }
  }
  return text.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g)?.map((p) => p + '\n') ?? [];
}
