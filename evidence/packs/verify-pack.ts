import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Unzip, UnzipInflate } from 'fflate';
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
  const keySource = publicKeyPem ? 'given' : 'pack';
  let members: Map<string, { sha256: string; size: number; bytes?: Uint8Array }>;
  try {
    members = await readMembers(file, new Set(['manifest.json', 'manifest.sig', 'public-key.pem']));
  } catch (error) {
    return { ok: false, problems: [`${file} is not a readable ZIP (${(error as Error).message})`], keySource };
  }
  const problems: string[] = [];
  const manifestBytes = members.get('manifest.json')?.bytes;
  const sig = members.get('manifest.sig')?.bytes;
  const inPack = members.get('public-key.pem')?.bytes;
  const key = publicKeyPem ?? (inPack ? Buffer.from(inPack).toString('utf8') : undefined);
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
    const m = members.get(f.path);
    if (!m) problems.push(`${f.path}: missing`);
    else if (m.sha256 !== f.sha256 || m.size !== f.size) problems.push(`${f.path}: changed (sha256 or size differs from the manifest)`);
  }
  for (const name of members.keys()) {
    if (!listed.has(name) && name !== 'manifest.json' && name !== 'manifest.sig') problems.push(`${name}: not in the manifest`);
  }
  return { ok: problems.length === 0, problems, keySource, manifest };
}

/** Streams the ZIP: every member is hashed as it inflates; only the named small members are kept whole. */
async function readMembers(file: string, keep: Set<string>): Promise<Map<string, { sha256: string; size: number; bytes?: Uint8Array }>> {
  const out = new Map<string, { sha256: string; size: number; bytes?: Uint8Array }>();
  const pending: Array<Promise<void>> = [];
  const unzip = new Unzip((entry) => {
    pending.push(
      new Promise<void>((resolve, reject) => {
        const hash = createHash('sha256');
        let size = 0;
        const chunks: Uint8Array[] = [];
        entry.ondata = (err, data, final) => {
          if (err) return reject(err);
          hash.update(data);
          size += data.length;
          if (keep.has(entry.name)) chunks.push(data);
          if (final) {
            out.set(entry.name, { sha256: hash.digest('hex'), size, ...(keep.has(entry.name) ? { bytes: Buffer.concat(chunks) } : {}) });
            resolve();
          }
        };
        entry.start();
      }),
    );
  });
  unzip.register(UnzipInflate);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) unzip.push(chunk as Uint8Array);
  unzip.push(new Uint8Array(0), true);
  await Promise.all(pending);
  if (!out.size) throw new Error('no members');
  return out;
}
