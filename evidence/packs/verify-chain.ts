import { open } from 'node:fs/promises';
import { parseCheckpointLines } from '../ledger/checkpoint-file.ts';
import { checkpointProblem, hashAt, linkProblems, type SignedCheckpoint } from '../ledger/checkpoints.ts';
import { recordHash, type EvidenceRecord } from '../ledger/chain.ts';
import type { PackManifest } from './build-pack.ts';
import { inflateMember, PackSource, readPackZip } from './pack-zip.ts';
import { keyId, parsePublicKeys } from '../ledger/signing.ts';
import { readPackMember } from './verify-pack.ts';

export interface ChainCheck {
  ok: boolean;
  problems: string[];
  notes: string[];
  /** the newest checkpoint in the log the pack was checked against */
  latest?: { seq: number; createdAt: string };
  /** evidence records in the pack whose hash a checkpoint in the log records (all of them, when ok) */
  anchored: number;
}

/**
 * `tenet verify PACK --chain CHECKPOINTS`: checks a pack against a later checkpoint log (the JSON-lines file from the
 * data directory, or the objects of the S3 bucket concatenated).
 *
 * It proves, offline: the checkpoint the pack's manifest names is in the log, signed by a key given; every checkpoint
 * after it in the log links back to it (each names the digest of the one before), so the newest checkpoint commits
 * to the pack's; and the pack's chain head and every evidence record in it have exactly the hashes those signed
 * checkpoints recorded (each record's hash is also recomputed from its content). So the history the pack was cut
 * from is a prefix of the history the later checkpoint vouches for: nothing the pack shows was rewritten since.
 *
 * It cannot prove that the live database still holds that history (run `tenet evidence verify` where the database
 * is), that the log is complete after its last line, or anything once the signing key itself is stolen (then an
 * S3 Object Lock copy, whose dates the thief cannot change, is what remains).
 */
export async function verifyPackChain(props: {
  file: string;
  manifest: PackManifest;
  checkpointsText: string;
  checkpointsName: string;
  publicKeysText?: string;
}): Promise<ChainCheck> {
  const problems: string[] = [];
  const notes: string[] = [];
  const { manifest } = props;
  const parsed = parseCheckpointLines(props.checkpointsText, props.checkpointsName);
  problems.push(...parsed.problems);
  const cp = manifest.checkpoint;
  if (!cp) {
    problems.push('the pack records no checkpoint (built before checkpoints, or with an empty evidence chain): there is nothing to find in a later log');
    return { ok: false, problems, notes, anchored: 0 };
  }
  // The keys first (the pack's own public key is one small member, read without inflating the rest), so only
  // checkpoints that verify are used as anchors while the evidence streams by.
  const pem = (await readPackMember(props.file, 'public-key.pem'))?.toString('utf8');
  const keyTexts = [...(props.publicKeysText ? parsePublicKeys(props.publicKeysText) : []), ...(pem ? parsePublicKeys(pem) : [])];
  const keys = new Map(keyTexts.map((k) => [keyId(k), k]));
  const good: SignedCheckpoint[] = [];
  let otherKeys = 0;
  for (const c of [...parsed.checkpoints].sort((a, b) => a.statement.seq - b.statement.seq)) {
    // A checkpoint by a key the verifier was not given cannot be checked: it is left out (and named if that breaks
    // the links after the pack's checkpoint); one that fails its own key's signature is a forgery.
    if (typeof c.keyId === 'string' && !keys.has(c.keyId)) {
      otherKeys++;
      continue;
    }
    const p = checkpointProblem(c, (id) => keys.get(id));
    if (p) problems.push(`${props.checkpointsName}: ${p}`);
    else good.push(c);
  }
  if (otherKeys)
    notes.push(
      `${otherKeys} checkpoint(s) in ${props.checkpointsName} are signed by keys not given (pass the GET /v1/packs/public-keys list to check them): left out`,
    );
  // `good` is sorted by seq and checkpoints cover disjoint ranges: the one covering a record is found by bisection.
  const anchorOf = (seq: number) => {
    let lo = 0;
    let hi = good.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (good[mid].statement.seq < seq) lo = mid + 1;
      else hi = mid;
    }
    const c = good[lo];
    const h = c ? hashAt(c.statement, seq) : undefined;
    return h ? { hash: h, createdAt: c.statement.createdAt } : undefined;
  };
  let anchored = 0;
  let unanchored = 0;
  let mismatched = 0;
  await readPackEvidence(props.file, (member, record) => {
    const a = anchorOf(record.seq);
    let problem: string | undefined;
    if (recordHash(record) !== record.hash) problem = `${member}: record ${record.seq}'s hash does not match its content`;
    else if (a && a.hash !== record.hash)
      problem = `${member}: record ${record.seq} is not the record the checkpoint of ${a.createdAt} recorded: it was rewritten`;
    if (problem) {
      // Memory stays flat however many records differ: the first 50 are named, the rest counted.
      if (++mismatched <= 50) problems.push(problem);
      return;
    }
    if (a) anchored++;
    else unanchored++;
  });
  if (mismatched > 50) problems.push(`… and ${mismatched - 50} more evidence records that differ`);
  const at = good.findIndex((c) => c.digest === cp.digest);
  if (at < 0) {
    problems.unshift(
      `the checkpoint the pack names (record ${cp.seq}, of ${cp.createdAt}) is not in ${props.checkpointsName}${good.some((c) => c.statement.seq === cp.seq) ? ': the log holds a different checkpoint for that record' : ''}`,
    );
    return { ok: false, problems, notes, anchored };
  }
  const later = good.slice(at);
  problems.push(...linkProblems(later, props.checkpointsName));
  const latest = later.at(-1)!.statement;
  if (manifest.chainHead) {
    const a = anchorOf(manifest.chainHead.seq);
    if (!a) notes.push(`no checkpoint in the log lists record ${manifest.chainHead.seq} (the pack's chain head)`);
    else if (a.hash !== manifest.chainHead.hash)
      problems.unshift(
        `the pack's chain head (record ${manifest.chainHead.seq}) is not the record the checkpoint of ${a.createdAt} recorded: the chain was rewritten`,
      );
  }
  if (unanchored) notes.push(`${unanchored} evidence record(s) in the pack predate the first checkpoint in the log: checked against their own hashes only`);
  return { ok: problems.length === 0, problems, notes, latest: { seq: latest.seq, createdAt: latest.createdAt }, anchored };
}

/**
 * Streams the pack's evidence files record by record (they are written one record per line), so memory stays flat
 * however long the period. Read by verify's strict reader (pack-zip.ts), so a damaged pack is an error, never a crash.
 */
async function readPackEvidence(file: string, onRecord: (member: string, record: EvidenceRecord) => void): Promise<void> {
  const fh = await open(file, 'r');
  try {
    const src = await PackSource.open(fh);
    for (const m of (await readPackZip(src)).members) {
      if (!/^evidence\/[^/]+\.json$/.test(m.name)) continue;
      const decoder = new TextDecoder();
      let rest = '';
      const take = (line: string) => {
        const t = line.trim().replace(/^,/, '').replace(/,$/, '').trim();
        if (!t || t === '[' || t === ']') return;
        try {
          onRecord(m.name, JSON.parse(t) as EvidenceRecord);
        } catch (error) {
          throw new Error(`${m.name} is not an evidence file (${(error as Error).message})`, { cause: error });
        }
      };
      await inflateMember(src, m, (chunk) => {
        const lines = (rest + decoder.decode(chunk, { stream: true })).split('\n');
        rest = lines.pop() ?? '';
        lines.forEach(take);
      });
      take(rest + decoder.decode());
    }
  } finally {
    await fh.close();
  }
}

/** manifest.json of a pack: the verifier needs its `signingKeyId` to pick the public key out of a key list. */
export async function readPackManifest(file: string): Promise<PackManifest | undefined> {
  const text = (await readPackMember(file, 'manifest.json'))?.toString('utf8');
  try {
    return text ? (JSON.parse(text) as PackManifest) : undefined;
  } catch {
    return undefined;
  }
}
