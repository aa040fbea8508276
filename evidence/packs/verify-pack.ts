import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { unzipSync } from 'fflate';
import { keyId, verifyManifest } from './signing.ts';
import type { PackManifest } from './build-pack.ts';

export interface VerifyResult {
  ok: boolean;
  /** what is wrong, first the signature, then each file that changed, is missing or is extra */
  problems: string[];
  /** where the public key came from: the caller's file, or (weaker) the one inside the pack */
  keySource: 'given' | 'pack';
  manifest?: PackManifest;
}

/**
 * Checks a pack offline: the Ed25519 signature over manifest.json, then every member against the manifest's
 * sha256 and size, and that nothing was added. With no public key given, the key in the pack is used: that still
 * catches any edit, but not a pack re-signed by someone else; pass the key from GET /v1/packs/public-key for that.
 */
export async function verifyPack(file: string, publicKeyPem?: string): Promise<VerifyResult> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(new Uint8Array(await readFile(file)));
  } catch (error) {
    return { ok: false, problems: [`${file} is not a readable ZIP (${(error as Error).message})`], keySource: publicKeyPem ? 'given' : 'pack' };
  }
  const problems: string[] = [];
  const manifestBytes = entries['manifest.json'];
  const sig = entries['manifest.sig'];
  const key = publicKeyPem ?? (entries['public-key.pem'] ? Buffer.from(entries['public-key.pem']).toString('utf8') : undefined);
  const keySource = publicKeyPem ? 'given' : 'pack';
  if (!manifestBytes || !sig) return { ok: false, problems: ['manifest.json or manifest.sig is missing'], keySource };
  if (!key) return { ok: false, problems: ['no public key: pass --public-key'], keySource };
  if (!verifyManifest(manifestBytes, Buffer.from(sig).toString('utf8'), key)) problems.push('manifest.sig: the signature does not match manifest.json (forged or altered manifest, or another key)');
  let manifest: PackManifest;
  try {
    manifest = JSON.parse(Buffer.from(manifestBytes).toString('utf8')) as PackManifest;
  } catch {
    return { ok: false, problems: [...problems, 'manifest.json is not JSON'], keySource };
  }
  if (publicKeyPem && manifest.signingKeyId !== keyId(publicKeyPem)) problems.push(`manifest.json names signing key ${manifest.signingKeyId}, not the key given (${keyId(publicKeyPem)})`);
  const listed = new Set<string>();
  for (const f of manifest.files ?? []) {
    listed.add(f.path);
    const bytes = entries[f.path];
    if (!bytes) {
      problems.push(`${f.path}: missing`);
      continue;
    }
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== f.sha256 || bytes.length !== f.size) problems.push(`${f.path}: changed (sha256 or size differs from the manifest)`);
  }
  for (const name of Object.keys(entries)) {
    if (!listed.has(name) && name !== 'manifest.json' && name !== 'manifest.sig') problems.push(`${name}: not in the manifest`);
  }
  return { ok: problems.length === 0, problems, keySource, manifest };
}
