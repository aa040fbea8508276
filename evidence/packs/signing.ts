import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, createHash, type KeyObject } from 'node:crypto';
import type { Db } from '../../engine/db/database.ts';
import { installSecret } from '../../engine/db/install-secrets.ts';

/**
 * The pack signing key: an Ed25519 pair made at first start and kept in the database (so every replica signs with
 * the same key and the public key served at GET /v1/packs/public-key is one). The private key is never sent
 * anywhere, never logged, never written into a pack.
 */
export async function packSigningKey(db: Db): Promise<{ privateKey: KeyObject; publicKeyPem: string; keyId: string }> {
  const pem = await installSecret(db, 'pack-signing-key', () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const privateKey = createPrivateKey(pem);
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey, publicKeyPem, keyId: keyId(publicKeyPem) };
}

/** A short, stable name for a public key: sha256 of its DER, first 16 hex characters. */
export function keyId(publicKeyPem: string): string {
  return createHash('sha256').update(createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

export const signManifest = (manifest: Uint8Array, privateKey: KeyObject): string => sign(null, manifest, privateKey).toString('base64');

export function verifyManifest(manifest: Uint8Array, signatureBase64: string, publicKeyPem: string): boolean {
  try {
    return verify(null, manifest, createPublicKey(publicKeyPem), Buffer.from(signatureBase64.trim(), 'base64'));
  } catch {
    return false;
  }
}
