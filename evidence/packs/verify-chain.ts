import { createReadStream } from 'node:fs';
import { Unzip, UnzipInflate } from 'fflate';
import { parseCheckpointLines } from '../checkpoint-file.ts';
import { checkpointProblem, hashAt, linkProblems, type SignedCheckpoint } from '../checkpoints.ts';
import { recordHash, type EvidenceRecord } from '../evidence-store.ts';
import type { PackManifest } from './build-pack.ts';
import { keyId, parsePublicKeys } from './signing.ts';

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
export async function verifyPackChain(props: { file: string; manifest: PackManifest; checkpointsText: string; checkpointsName: string; publicKeysText?: string }): Promise<ChainCheck> {
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
  // Records are checked as the ZIP streams by (memory stays flat); the checkpoints' signatures are checked once the
  // pack's own public key (its last member) has been read, and a checkpoint that fails them fails the whole check.
  const all = [...parsed.checkpoints].sort((a, b) => a.statement.seq - b.statement.seq);
  const anchorOf = (seq: number) => {
    for (const c of all) {
      const h = hashAt(c.statement, seq);
      if (h) return { hash: h, createdAt: c.statement.createdAt };
    }
    return undefined;
  };
  let anchored = 0;
  let unanchored = 0;
  const { members } = await readPackEvidence(props.file, (member, record) => {
    if (recordHash(record) !== record.hash) {
      problems.push(`${member}: record ${record.seq}'s hash does not match its content`);
      return;
    }
    const a = anchorOf(record.seq);
    if (!a) unanchored++;
    else if (a.hash !== record.hash) problems.push(`${member}: record ${record.seq} is not the record the checkpoint of ${a.createdAt} recorded: it was rewritten`);
    else anchored++;
  });
  const keyTexts = [...(props.publicKeysText ? parsePublicKeys(props.publicKeysText) : []), ...(members.get('public-key.pem') ? parsePublicKeys(members.get('public-key.pem')!) : [])];
  const keys = new Map(keyTexts.map((k) => [keyId(k), k]));
  const good: SignedCheckpoint[] = [];
  for (const c of all) {
    const p = checkpointProblem(c, (id) => keys.get(id));
    if (p) problems.push(`${props.checkpointsName}: ${p}`);
    else good.push(c);
  }
  const at = good.findIndex((c) => c.digest === cp.digest);
  if (at < 0) {
    problems.unshift(`the checkpoint the pack names (record ${cp.seq}, of ${cp.createdAt}) is not in ${props.checkpointsName}${good.some((c) => c.statement.seq === cp.seq) ? ': the log holds a different checkpoint for that record' : ''}`);
    return { ok: false, problems, notes, anchored };
  }
  const later = good.slice(at);
  problems.push(...linkProblems(later, props.checkpointsName));
  const latest = later.at(-1)!.statement;
  if (manifest.chainHead) {
    const a = anchorOf(manifest.chainHead.seq);
    if (!a) notes.push(`no checkpoint in the log lists record ${manifest.chainHead.seq} (the pack's chain head)`);
    else if (a.hash !== manifest.chainHead.hash) problems.unshift(`the pack's chain head (record ${manifest.chainHead.seq}) is not the record the checkpoint of ${a.createdAt} recorded: the chain was rewritten`);
  }
  if (unanchored) notes.push(`${unanchored} evidence record(s) in the pack predate the first checkpoint in the log: checked against their own hashes only`);
  return { ok: problems.length === 0, problems, notes, latest: { seq: latest.seq, createdAt: latest.createdAt }, anchored };
}

/**
 * Streams the pack: keeps public-key.pem, and parses the evidence files record by record (they are written one
 * record per line), so memory stays flat however long the period.
 */
async function readPackEvidence(file: string, onRecord: (member: string, record: EvidenceRecord) => void): Promise<{ members: Map<string, string> }> {
  const members = new Map<string, string>();
  const pending: Array<Promise<void>> = [];
  const unzip = new Unzip((entry) => {
    const isEvidence = /^evidence\/[^/]+\.json$/.test(entry.name);
    const keep = entry.name === 'public-key.pem';
    if (!isEvidence && !keep) return;
    pending.push(
      new Promise<void>((resolve, reject) => {
        const decoder = new TextDecoder();
        let rest = '';
        const take = (line: string) => {
          const t = line.trim().replace(/^,/, '').replace(/,$/, '').trim();
          if (!t || t === '[' || t === ']') return;
          onRecord(entry.name, JSON.parse(t) as EvidenceRecord);
        };
        entry.ondata = (err, data, final) => {
          if (err) return reject(err);
          try {
            const text = rest + decoder.decode(data, { stream: !final });
            if (keep) {
              rest = text;
            } else {
              const lines = text.split('\n');
              rest = lines.pop() ?? '';
              lines.forEach(take);
            }
            if (final) {
              if (keep) members.set(entry.name, rest);
              else take(rest);
              resolve();
            }
          } catch (error) {
            reject(new Error(`${entry.name} is not an evidence file (${(error as Error).message})`));
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
  return { members };
}

/**
 * manifest.json of a pack, read without inflating the other members: the verifier needs its `signingKeyId` to pick
 * the public key out of a key list before checking the signature.
 */
export async function readPackManifest(file: string): Promise<PackManifest | undefined> {
  let text: string | undefined;
  const pending: Array<Promise<void>> = [];
  const unzip = new Unzip((entry) => {
    if (entry.name !== 'manifest.json') return;
    pending.push(
      new Promise<void>((resolve, reject) => {
        const chunks: Uint8Array[] = [];
        entry.ondata = (err, data, final) => {
          if (err) return reject(err);
          chunks.push(data);
          if (final) {
            text = Buffer.concat(chunks).toString('utf8');
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
  try {
    return text ? (JSON.parse(text) as PackManifest) : undefined;
  } catch {
    return undefined;
  }
}
