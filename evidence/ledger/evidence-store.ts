import { sql } from 'kysely';
import type { Db } from '../../engine/db/database.ts';
import { EVIDENCE_LOCK, GENESIS_HASH, recordHash, type EvidenceRecord } from './chain.ts';
import { checkpointProblem, fromRow, hashAt } from './checkpoints.ts';

/**
 * The append-only evidence chain. Every control run appends what it saw; each record's hash covers the previous
 * record's hash, so editing or removing any record breaks every hash after it (and the table refuses UPDATE and
 * DELETE besides). Payloads are what the collectors returned after redaction: never a secret, never raw PII.
 */
export class EvidenceStore {
  constructor(private readonly db: Db) {}

  /** Appends one record inside `trx` (or its own transaction) and returns it. */
  async append(entry: { controlId: string; source: string; payload: unknown; collectedAt?: Date }, trx?: Db): Promise<EvidenceRecord> {
    const run = async (t: Db) => {
      await sql`SELECT pg_advisory_xact_lock(${EVIDENCE_LOCK})`.execute(t);
      const last = await t.selectFrom('evidence_records').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      // Round-trip the payload through JSON so the hash covers exactly what jsonb will store.
      const payload = JSON.parse(JSON.stringify(entry.payload ?? null));
      const base = {
        seq: last ? Number(last.seq) + 1 : 1,
        prevHash: last?.hash ?? GENESIS_HASH,
        collectedAt: (entry.collectedAt ?? new Date()).toISOString(),
        controlId: entry.controlId,
        source: entry.source,
        payload,
      };
      const record: EvidenceRecord = { ...base, hash: recordHash(base) };
      await t
        .insertInto('evidence_records')
        .values({
          seq: record.seq,
          prev_hash: record.prevHash,
          hash: record.hash,
          collected_at: record.collectedAt,
          control_id: record.controlId,
          source: record.source,
          payload: JSON.stringify(payload),
        })
        .execute();
      return record;
    };
    return trx ? run(trx) : this.db.transaction().execute(run);
  }

  async get(seq: number): Promise<EvidenceRecord | undefined> {
    const row = await this.db.selectFrom('evidence_records').selectAll().where('seq', '=', String(seq)).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  /** Records in seq order, from `fromSeq` (inclusive), at most `limit`. */
  async list(props: { fromSeq?: number; limit?: number; controlId?: string } = {}): Promise<EvidenceRecord[]> {
    let q = this.db
      .selectFrom('evidence_records')
      .selectAll()
      .where('seq', '>=', String(props.fromSeq ?? 1));
    if (props.controlId) q = q.where('control_id', '=', props.controlId);
    const rows = await q
      .orderBy('seq', 'asc')
      .limit(props.limit ?? 1000)
      .execute();
    return rows.map(toRecord);
  }

  async head(): Promise<{ seq: number; hash: string } | undefined> {
    const last = await this.db.selectFrom('evidence_records').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return last ? { seq: Number(last.seq), hash: last.hash } : undefined;
  }

  /**
   * Retention: first makes sure a signed checkpoint covers the chain (EvidenceCheckpoints.create, which also writes it
   * outside the database), then drops the records collected before `before` (the only deletion the table allows, and
   * only up to a checkpoint). Verification then starts from the hash the checkpoint recorded for the last one dropped.
   */
  async prune(props: {
    before: Date;
    checkpoints: { create(reason: 'retention'): Promise<unknown> };
  }): Promise<{ checkpoint?: { seq: number; hash: string }; deleted: number }> {
    const last = await this.db
      .selectFrom('evidence_records')
      .select(['seq', 'hash'])
      .where('collected_at', '<', props.before)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!last) return { deleted: 0 };
    await props.checkpoints.create('retention');
    return this.db.transaction().execute(async (t) => {
      await sql`SELECT pg_advisory_xact_lock(${EVIDENCE_LOCK})`.execute(t);
      await sql`SELECT set_config('tenet.evidence_prune', 'on', true)`.execute(t);
      const r = await t.deleteFrom('evidence_records').where('seq', '<=', last.seq).executeTakeFirst();
      return { checkpoint: { seq: Number(last.seq), hash: last.hash }, deleted: Number(r.numDeletedRows) };
    });
  }

  /**
   * Walks the chain and returns the first broken link, if any. When retention has dropped the oldest records, the
   * walk starts from the hash a signed checkpoint recorded for the last record dropped (its signature checked when
   * `publicKey` is given). With `anchors` (the checkpoints kept outside the database) every record they cover must
   * still have the hash they recorded — a record rewritten with the following hashes recomputed is named — and the
   * chain must reach the newest of them: records deleted from its end are named as a range.
   */
  async verify(props: { publicKey?: (keyId: string) => string | undefined; anchors?: ChainAnchors } = {}): Promise<ChainVerdict> {
    const { anchors } = props;
    let prev = GENESIS_HASH;
    let expected = 1;
    let count = 0;
    const first = await this.db.selectFrom('evidence_records').select('seq').orderBy('seq', 'asc').limit(1).executeTakeFirst();
    if (first && Number(first.seq) > 1) {
      const before = Number(first.seq) - 1;
      const row = await this.db
        .selectFrom('evidence_checkpoints')
        .selectAll()
        .where('seq', '>=', String(before))
        .orderBy('seq', 'asc')
        .limit(1)
        .executeTakeFirst();
      const cp = row ? fromRow(row) : undefined;
      const hash = (cp && hashAt(cp.statement, before)) ?? anchors?.hashAt(before)?.hash;
      if (!hash)
        return { ok: false, seq: Number(first.seq), reason: `records before ${first.seq} are gone and no signed checkpoint records the hash of ${before}` };
      if (cp && hashAt(cp.statement, before) && props.publicKey) {
        const problem = checkpointProblem(cp, props.publicKey);
        if (problem) return { ok: false, seq: cp.statement.seq, reason: `the checkpoint retention starts from cannot be trusted: ${problem}` };
      }
      prev = hash;
      expected = Number(first.seq);
    }
    const from = expected;
    for (;;) {
      const batch = await this.list({ fromSeq: expected, limit: 1000 });
      for (const r of batch) {
        if (r.seq !== expected)
          return { ok: false, seq: expected, reason: r.seq - 1 > expected ? `records ${expected}–${r.seq - 1} are missing` : `record ${expected} is missing` };
        if (r.prevHash !== prev) return { ok: false, seq: r.seq, reason: 'prevHash does not match the previous record' };
        if (recordHash(r) !== r.hash) return { ok: false, seq: r.seq, reason: 'hash does not match the record' };
        const anchored = anchors?.hashAt(r.seq);
        if (anchored && anchored.hash !== r.hash) {
          return {
            ok: false,
            seq: r.seq,
            reason: `record ${r.seq} was rewritten: the checkpoint of ${anchored.createdAt} recorded its hash as ${anchored.hash.slice(0, 16)}…, the database now holds ${r.hash.slice(0, 16)}… (and every hash after it recomputed)`,
          };
        }
        prev = r.hash;
        expected++;
        count++;
      }
      if (batch.length < 1000) break;
    }
    const latest = anchors?.latest;
    if (latest && latest.seq >= expected) {
      const range = latest.seq > expected ? `records ${expected}–${latest.seq} are missing` : `record ${expected} is missing`;
      return { ok: false, seq: expected, reason: `${range}: the checkpoint of ${latest.createdAt} covers ${latest.seq}` };
    }
    return { ok: true, count, head: count ? prev : undefined, ...(from > 1 ? { from } : {}) };
  }
}

/** Hashes recorded outside the database, by record. */
export interface ChainAnchors {
  hashAt(seq: number): { hash: string; createdAt: string } | undefined;
  /** the newest checkpoint: the chain must reach it */
  latest?: { seq: number; createdAt: string };
}

export type ChainVerdict = { ok: true; count: number; head?: string; from?: number } | { ok: false; seq: number; reason: string };

function toRecord(row: {
  seq: string;
  prev_hash: string;
  hash: string;
  collected_at: Date;
  control_id: string;
  source: string;
  payload: unknown;
}): EvidenceRecord {
  return {
    seq: Number(row.seq),
    prevHash: row.prev_hash,
    hash: row.hash,
    collectedAt: new Date(row.collected_at).toISOString(),
    controlId: row.control_id,
    source: row.source,
    payload: row.payload,
  };
}
