import { open, type FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { keyId, verifySignature } from '../ledger/signing.ts';
import type { PackManifest } from './build-pack.ts';
import { CorruptMemberError, inflateMember, PackSource, readPackZip, UnreadableZipError, type ZipMember } from './pack-zip.ts';

export interface VerifyResult {
  ok: boolean;
  /** what is wrong: the container, then the signature, then each file that is unreadable, changed, missing or extra */
  problems: string[];
  /** where the public key came from: the caller's file, or (weaker) the one inside the pack */
  keySource: 'given' | 'pack';
  manifest?: PackManifest;
}

/** The pack file cannot be opened at all (missing, a directory, no permission): a usage error, not a verdict. */
export class PackFileError extends Error {
  override name = 'PackFileError';
}

/**
 * The paths a pack holds (and its manifest may list): relative, '/'-separated segments of letters, digits, '.', '_'
 * and '-', none starting with '.', so no '..', no absolute path, no backslash, no control character can be named.
 */
const PATH = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;
const pathOk = (p: string) => p.length <= 255 && PATH.test(p);
/** A member name as it can be printed: itself when it fits the grammar, else quoted, escaped and cut short. */
const shown = (name: string) => (pathOk(name) ? name : JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name));

const keyIdOf = (pem: string) => {
  try {
    return keyId(pem);
  } catch {
    return undefined;
  }
};

const SIGNED = ['manifest.json', 'manifest.sig'];
/** Members kept whole in memory to check the signature; a pack's are a few kilobytes. */
const KEEP = new Set([...SIGNED, 'public-key.pem']);
const KEEP_LIMIT = 16 << 20;

// Only what verification reads is checked; other fields (added by later versions) pass through to the caller.
const manifestSchema = z.looseObject({
  format: z.literal('tenet-pack/1'),
  profile: z.string(),
  period: z.looseObject({ from: z.string(), to: z.string() }),
  signingKeyId: z.string(),
  files: z.array(z.looseObject({ path: z.string(), sha256: z.string(), size: z.number() })),
});

/**
 * Checks a pack offline: the ZIP container byte for byte against what PackWriter writes (pack-zip.ts), that every
 * name is in the path grammar and appears once, the Ed25519 signature over manifest.json, then every member against
 * the manifest's sha256 and size, and that nothing was added. With no public key given, the key in the pack is used:
 * that still catches any edit, but not a pack re-signed by someone else; pass the key from GET /v1/packs/public-key.
 * Never throws for what is inside the file: a damaged pack is a list of problems. Throws PackFileError when the file
 * cannot be opened.
 */
export async function verifyPack(file: string, publicKeyPem?: string): Promise<VerifyResult> {
  const keySource = publicKeyPem ? 'given' : 'pack';
  const fh = await openPack(file);
  try {
    return { keySource, ...(await check(await PackSource.open(fh), publicKeyPem)) };
  } finally {
    await fh.close();
  }
}

/**
 * One member of a pack (manifest.json, to pick a key out of a key list before verifying), read by the same strict
 * reader: undefined unless the pack holds exactly one readable member of that name, at most 16 MB. Throws
 * PackFileError when the file cannot be opened.
 */
export async function readPackMember(file: string, name: string): Promise<Buffer | undefined> {
  const fh = await openPack(file);
  try {
    const src = await PackSource.open(fh);
    const members = (await readPackZip(src)).members.filter((m) => m.name === name);
    if (members.length !== 1 || members[0].size > KEEP_LIMIT) return undefined;
    const chunks: Buffer[] = [];
    await inflateMember(src, members[0], (c) => chunks.push(c));
    return Buffer.concat(chunks);
  } catch (error) {
    if (error instanceof UnreadableZipError || error instanceof CorruptMemberError) return undefined;
    throw error;
  } finally {
    await fh.close();
  }
}

async function openPack(file: string): Promise<FileHandle> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(file, 'r');
    if (!(await fh.stat()).isFile()) throw new Error('not a regular file');
    return fh;
  } catch (error) {
    await fh?.close();
    throw new PackFileError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function check(src: PackSource, publicKeyPem: string | undefined): Promise<Omit<VerifyResult, 'keySource'>> {
  let members: ZipMember[];
  let layout: string[];
  try {
    ({ members, layout } = await readPackZip(src));
  } catch (error) {
    if (error instanceof UnreadableZipError) return { ok: false, problems: [`not a readable pack ZIP: ${error.message}`] };
    throw error;
  }
  const problems: string[] = layout.map((l) => `ZIP container: ${l}`);
  const seen = new Map<string, number>();
  for (const m of members) seen.set(m.name, (seen.get(m.name) ?? 0) + 1);
  for (const [name, n] of seen) {
    if (!pathOk(name)) problems.push(`${shown(name)}: a name outside the pack's path grammar`);
    // Readers disagree on which copy of a name they show (streaming ones the first, others the last): refuse both.
    if (n > 1) problems.push(`${shown(name)}: appears ${n} times (a pack holds each file once)`);
  }

  // Every member is read (and so hashed) once, in ZIP order; only the signed ones are kept whole.
  const read = new Map<ZipMember, { sha256: string; size: number } | undefined>();
  const kept = new Map<string, Buffer>();
  for (const m of members) {
    const keep = KEEP.has(m.name) && seen.get(m.name) === 1 && m.size <= KEEP_LIMIT;
    if (KEEP.has(m.name) && m.size > KEEP_LIMIT) problems.push(`${m.name}: ${m.size} bytes, too large to be what Tenet writes`);
    const chunks: Buffer[] = [];
    try {
      const r = await inflateMember(src, m, keep ? (c) => chunks.push(c) : undefined);
      read.set(m, r);
      if (keep) kept.set(m.name, Buffer.concat(chunks));
    } catch (error) {
      if (!(error instanceof CorruptMemberError)) throw error;
      read.set(m, undefined);
      problems.push(`${shown(m.name)}: unreadable (${error.message})`);
    }
    if (m.layout.length) problems.push(`${shown(m.name)}: ZIP headers differ from what Tenet writes (${m.layout.join(', ')})`);
  }

  const manifestBytes = kept.get('manifest.json');
  const sig = kept.get('manifest.sig');
  const key = publicKeyPem ?? kept.get('public-key.pem')?.toString('utf8');
  for (const name of SIGNED) if (!seen.has(name)) problems.push(`${name}: missing`);
  if (!manifestBytes || !sig) return { ok: false, problems };
  if (!key) return { ok: false, problems: [...problems, 'no public key: pass --public-key'] };
  if (!verifySignature(manifestBytes, sig.toString('utf8'), key))
    problems.unshift('manifest.sig: the signature does not match manifest.json (forged or altered manifest, or another key)');
  let json: unknown;
  try {
    json = JSON.parse(manifestBytes.toString('utf8'));
  } catch {
    return { ok: false, problems: [...problems, 'manifest.json is not JSON'] };
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      problems: [
        ...problems,
        `manifest.json is not a tenet-pack/1 manifest (${parsed.error.issues[0].path.join('.') || 'top level'}: ${parsed.error.issues[0].message})`,
      ],
    };
  const manifest = parsed.data as unknown as PackManifest;
  const givenId = publicKeyPem ? keyIdOf(publicKeyPem) : undefined;
  if (publicKeyPem && manifest.signingKeyId !== givenId)
    problems.push(`manifest.json names signing key ${manifest.signingKeyId}, not the key given (${givenId ?? 'not a public key'})`);

  const listed = new Set<string>();
  for (const f of manifest.files) {
    if (!pathOk(f.path) || SIGNED.includes(f.path)) problems.push(`manifest.json lists ${shown(f.path)}, a name outside the pack's path grammar`);
    if (listed.has(f.path)) problems.push(`manifest.json lists ${shown(f.path)} twice`);
    listed.add(f.path);
    const copies = members.filter((m) => m.name === f.path);
    if (!copies.length) problems.push(`${shown(f.path)}: missing`);
    for (const m of copies) {
      const r = read.get(m);
      if (r && (r.sha256 !== f.sha256 || r.size !== f.size)) problems.push(`${shown(f.path)}: changed (sha256 or size differs from the manifest)`);
    }
  }
  for (const name of seen.keys()) if (!listed.has(name) && !SIGNED.includes(name)) problems.push(`${shown(name)}: not in the manifest`);
  // PackWriter writes the listed files in the manifest's order, then the manifest and its signature.
  const order = [...manifest.files.map((f) => f.path), ...SIGNED];
  if (!problems.length && (members.length !== order.length || members.some((m, i) => m.name !== order[i])))
    problems.push('ZIP container: the members are not in the order the manifest lists them');
  return { ok: problems.length === 0, problems, manifest };
}
