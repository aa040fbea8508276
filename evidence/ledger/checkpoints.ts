import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../engine/db/database.ts';
import { canonicalJson } from './canonical-json.ts';
import { EVIDENCE_LOCK, GENESIS_HASH } from './chain.ts';
import { verifySignature, type Signer } from './signing.ts';

/**
 * Signed checkpoints of the evidence chain, anchored outside the database.
 *
 * A checkpoint says "at <createdAt>, records <fromSeq>..<seq> of the chain had these hashes, the last one <hash>",
 * carries the digest of the checkpoint before it (so the checkpoints form a chain of their own: a later one commits
 * to every earlier one), and is signed with the pack key — which no longer lives in the database. Each is written to
 * the `evidence_checkpoints` table and to every sink: an append-only, fsynced JSON-lines file in the data directory,
 * and optionally an S3 bucket under Object Lock (evidence/ledger/checkpoint-s3.ts). A database superuser can then still
 * rewrite or truncate the chain and its table, but not the signed copies outside: `tenet evidence verify` compares
 * the chain with them and names the first record that differs, or the range that is missing.
 */

interface CheckpointStatementV2 {
  type: 'tenet-evidence-checkpoint/2';
  seq: number;
  hash: string;
  createdAt: string;
  /** the first record whose hash is listed in `hashes` (the one after the previous checkpoint) */
  fromSeq: number;
  /** the hashes of records fromSeq..seq, in order */
  hashes: string[];
  /** digest of the previous checkpoint's statement; null for the first */
  prev: string | null;
  reason: CheckpointReason;
}

/** Checkpoints retention signed before 0009: the head only. */
interface CheckpointStatementV1 {
  type: 'tenet-evidence-checkpoint';
  seq: number;
  hash: string;
  createdAt: string;
}

export type CheckpointStatement = CheckpointStatementV1 | CheckpointStatementV2;
export type CheckpointReason = 'interval' | 'pack' | 'retention' | 'start';

export interface SignedCheckpoint {
  statement: CheckpointStatement;
  keyId: string;
  signature: string;
  /** sha256 of the statement's canonical JSON: what the next checkpoint's `prev` names */
  digest: string;
}

/** What a pack records of the checkpoint that covers it (manifest `checkpoint`). */
export interface CheckpointRef {
  seq: number;
  hash: string;
  createdAt: string;
  digest: string;
  keyId: string;
}

export const statementBytes = (s: CheckpointStatement): Buffer => Buffer.from(canonicalJson(s));
export const statementDigest = (s: CheckpointStatement): string => createHash('sha256').update(statementBytes(s)).digest('hex');
export const refOf = (c: SignedCheckpoint): CheckpointRef => ({
  seq: c.statement.seq,
  hash: c.statement.hash,
  createdAt: c.statement.createdAt,
  digest: c.digest,
  keyId: c.keyId,
});

/** Why a signed checkpoint cannot be trusted; undefined when it can. */
export function checkpointProblem(c: SignedCheckpoint, publicKey: (keyId: string) => string | undefined): string | undefined {
  const at = `the checkpoint of ${c.statement?.createdAt} (record ${c.statement?.seq})`;
  if (!c.statement || typeof c.statement.seq !== 'number' || typeof c.statement.hash !== 'string') return 'a checkpoint without a statement';
  if (statementDigest(c.statement) !== c.digest) return `${at}: its digest does not match its statement`;
  if (c.statement.type === 'tenet-evidence-checkpoint/2') {
    const s = c.statement;
    if (!Array.isArray(s.hashes) || s.hashes.length !== s.seq - s.fromSeq + 1 || s.hashes.at(-1) !== s.hash)
      return `${at}: its hash list does not end in its head`;
  }
  const key = publicKey(c.keyId);
  if (!key) return `${at} is signed with key ${c.keyId}, which is not among the public keys given`;
  if (!verifySignature(statementBytes(c.statement), c.signature, key)) return `${at}: the signature does not verify (key ${c.keyId})`;
  return undefined;
}

/** A place outside the database the checkpoints are copied to. */
export interface CheckpointSink {
  /** for messages: "checkpoint file /x/y.jsonl", "S3 s3://bucket/prefix" */
  readonly name: string;
  /** the newest checkpoint's seq it holds; undefined when it holds none */
  lastSeq(): Promise<number | undefined>;
  append(checkpoints: SignedCheckpoint[]): Promise<void>;
  /** every checkpoint it holds, and what could not be read */
  readAll(): Promise<{ checkpoints: SignedCheckpoint[]; problems: string[] }>;
}

type CheckpointRow = { seq: string; hash: string; created_at: Date; key_id: string; signature: string; statement: unknown; digest: string | null };

export function fromRow(r: CheckpointRow): SignedCheckpoint {
  const statement: CheckpointStatement = r.statement
    ? ((typeof r.statement === 'string' ? JSON.parse(r.statement) : r.statement) as CheckpointStatementV2)
    : { type: 'tenet-evidence-checkpoint', seq: Number(r.seq), hash: r.hash, createdAt: new Date(r.created_at).toISOString() };
  return { statement, keyId: r.key_id, signature: r.signature, digest: r.digest ?? statementDigest(statement) };
}

/** The hash a checkpoint records for `seq`, if it covers it. */
export function hashAt(c: CheckpointStatement, seq: number): string | undefined {
  if (c.type === 'tenet-evidence-checkpoint') return c.seq === seq ? c.hash : undefined;
  return seq >= c.fromSeq && seq <= c.seq ? c.hashes[seq - c.fromSeq] : undefined;
}

/**
 * Makes checkpoints (under the evidence lock, so replicas never fork the checkpoint chain) and copies them to the
 * sinks. Safe to run twice: with nothing new since the last checkpoint, `create` returns that one.
 */
export class EvidenceCheckpoints {
  private readonly maxHashes: number;

  constructor(
    private readonly props: {
      db: Db;
      signer: Signer;
      publicKey: (keyId: string) => string | undefined;
      sinks: CheckpointSink[];
      logger?: { error(obj: object, msg: string): void; info(obj: object, msg: string): void };
      /** hashes one checkpoint lists at most (a long unanchored stretch becomes several checkpoints) */
      maxHashes?: number;
    },
  ) {
    this.maxHashes = props.maxHashes ?? 10_000;
  }

  get sinks(): readonly CheckpointSink[] {
    return this.props.sinks;
  }

  /**
   * The checkpoint covering the chain's head now — a new one if records were appended since the last — copied to
   * the sinks before it is returned (a sink that fails is logged and caught up on the next call). Undefined while the
   * chain is empty.
   */
  async create(reason: CheckpointReason): Promise<SignedCheckpoint | undefined> {
    const made = await this.props.db.transaction().execute(async (t) => {
      await sql`SELECT pg_advisory_xact_lock(${EVIDENCE_LOCK})`.execute(t);
      const head = await t.selectFrom('evidence_records').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      const lastRow = await t.selectFrom('evidence_checkpoints').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst();
      let last = lastRow ? fromRow(lastRow) : undefined;
      if (!head) return last;
      const headSeq = Number(head.seq);
      while (!last || last.statement.seq < headSeq) {
        let from: number;
        let prevHash: string;
        if (last) {
          from = last.statement.seq + 1;
          prevHash = last.statement.hash;
        } else {
          const first = await t.selectFrom('evidence_records').select(['seq', 'prev_hash']).orderBy('seq', 'asc').limit(1).executeTakeFirstOrThrow();
          from = Number(first.seq);
          // Only the genesis record can start a chain without a checkpoint before it.
          if (from !== 1) throw new Error(`the evidence chain starts at record ${from} and no checkpoint covers the records before it: not anchoring it`);
          prevHash = GENESIS_HASH;
        }
        const to = Math.min(headSeq, from + this.maxHashes - 1);
        const rows = await t
          .selectFrom('evidence_records')
          .select(['seq', 'prev_hash', 'hash'])
          .where('seq', '>=', String(from))
          .where('seq', '<=', String(to))
          .orderBy('seq', 'asc')
          .execute();
        // Anchor only a chain that links: a checkpoint over a gap or a broken link would vouch for it.
        let expect = from;
        for (const r of rows) {
          if (Number(r.seq) !== expect) throw new Error(`evidence record ${expect} is missing: not checkpointing over a gap (run tenet evidence verify)`);
          if (r.prev_hash !== prevHash)
            throw new Error(`evidence record ${expect} does not link to the one before it: not checkpointing (run tenet evidence verify)`);
          prevHash = r.hash;
          expect++;
        }
        if (expect !== to + 1) throw new Error(`evidence record ${expect} is missing: not checkpointing over a gap (run tenet evidence verify)`);
        const statement: CheckpointStatementV2 = {
          type: 'tenet-evidence-checkpoint/2',
          seq: to,
          hash: prevHash,
          createdAt: new Date().toISOString(),
          fromSeq: from,
          hashes: rows.map((r) => r.hash),
          prev: last?.digest ?? null,
          reason,
        };
        const signed: SignedCheckpoint = {
          statement,
          keyId: this.props.signer.keyId,
          signature: await this.props.signer.sign(statementBytes(statement)),
          digest: statementDigest(statement),
        };
        await t
          .insertInto('evidence_checkpoints')
          .values({
            seq: to,
            hash: statement.hash,
            created_at: statement.createdAt,
            key_id: signed.keyId,
            signature: signed.signature,
            statement: JSON.stringify(statement),
            digest: signed.digest,
          })
          .execute();
        last = signed;
      }
      return last;
    });
    await this.sync();
    return made;
  }

  /** Copies to each sink the checkpoints it lacks (written by another replica, or while it was failing). */
  async sync(): Promise<Array<{ sink: string; copied: number; error?: string }>> {
    const out: Array<{ sink: string; copied: number; error?: string }> = [];
    for (const sink of this.props.sinks) {
      let copied = 0;
      try {
        let after = (await sink.lastSeq()) ?? 0;
        for (;;) {
          const rows = await this.props.db
            .selectFrom('evidence_checkpoints')
            .selectAll()
            .where('seq', '>', String(after))
            .orderBy('seq', 'asc')
            .limit(500)
            .execute();
          if (!rows.length) break;
          const batch = rows.map(fromRow);
          // Never copy out what the database cannot prove: a row someone wrote there is not a checkpoint.
          const bad = batch.map((c) => checkpointProblem(c, this.props.publicKey)).find(Boolean);
          if (bad) throw new Error(`the database's ${bad}; not copied`);
          await sink.append(batch);
          copied += batch.length;
          after = batch.at(-1)!.statement.seq;
        }
        out.push({ sink: sink.name, copied });
      } catch (error) {
        const message = (error as Error).message;
        this.props.logger?.error(
          { sink: sink.name, err: { message } },
          'evidence checkpoint not written outside the database; retrying on the next checkpoint',
        );
        out.push({ sink: sink.name, copied, error: message });
      }
    }
    return out;
  }

  /** Every checkpoint in the database, oldest first. */
  async all(): Promise<SignedCheckpoint[]> {
    const rows = await this.props.db.selectFrom('evidence_checkpoints').selectAll().orderBy('seq', 'asc').execute();
    return rows.map(fromRow);
  }
}

/**
 * Runs `create('interval')` now and every `everyMs` until stopped; one replica's run is enough (the others find
 * nothing new), and every replica's run also catches its own sinks up.
 */
export function scheduleCheckpoints(props: {
  checkpoints: EvidenceCheckpoints;
  everyMs: number;
  logger: { error(obj: object, msg: string): void };
}): () => void {
  let running = false;
  const round = async (reason: CheckpointReason) => {
    if (running) return;
    running = true;
    try {
      await props.checkpoints.create(reason);
    } catch (error) {
      // A chain with a gap or a broken link is refused here too: worth an operator's attention, not a warning.
      props.logger.error({ err: { message: (error as Error).message } }, 'evidence checkpoint failed; retrying next round');
    } finally {
      running = false;
    }
  };
  void round('start');
  const timer = setInterval(() => void round('interval'), props.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Checks a run of checkpoints from one log for links: every checkpoint names the one before it. */
export function linkProblems(list: SignedCheckpoint[], where: string): string[] {
  const problems: string[] = [];
  const sorted = [...list].sort((a, b) => a.statement.seq - b.statement.seq);
  for (let i = 1; i < sorted.length; i++) {
    const cur = sorted[i].statement;
    if (cur.type !== 'tenet-evidence-checkpoint/2') continue;
    const prev = sorted[i - 1];
    if (cur.prev !== prev.digest) {
      problems.push(
        `${where}: the checkpoint(s) between the one of ${prev.statement.createdAt} (record ${prev.statement.seq}) and the one of ${cur.createdAt} (record ${cur.seq}) are missing or were changed`,
      );
    } else if (cur.fromSeq !== prev.statement.seq + 1) {
      problems.push(`${where}: the checkpoint of ${cur.createdAt} does not continue from record ${prev.statement.seq}`);
    }
  }
  return problems;
}
