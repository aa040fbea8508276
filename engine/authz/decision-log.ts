import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Logger } from '../kernel/logger.ts';
import { escapeUnstorable as escapeText, isStorable } from '../kernel/storable.ts';
import { redactMessage } from '../scanner/redaction.ts';
import type { DecisionJournal } from './decision-journal.ts';
import type { DecisionRecord } from './decision-record.ts';

/**
 * Every decision is appended here, and the HTTP layer answers only after `append` resolved.
 * With a journal (`tenet serve`), `append` resolves once the record is durable on local disk (decision-journal.ts):
 * a decision that was answered survives a crash of the process or of the machine, and is shipped to PostgreSQL in
 * batches from the in-memory queue; when that queue is full (a slow or absent database), records wait in the
 * journal alone and are read back from it. Without one, records go into the bounded in-memory queue only, `append`
 * waits for room when it is full, and `close()` flushes it: answered ⇒ written holds across a graceful shutdown,
 * not across a crash.
 * Writing is idempotent by decision id (a record replayed from the journal after a crash is written once, with its
 * PII-reveal row once). `reveal_buyer_pii` decisions also go to the PII-reveal audit (Addendum §13.2: reveal
 * events logged 365 days).
 */
export class DecisionLog {
  private readonly db: Db;
  private readonly logger: Logger;
  private readonly maxQueue: number;
  private readonly maxBatch: number;
  private readonly flushMs: number;
  /** Records to write, in order; `segment`: the journal segment holding it (none without a journal). */
  private queue: Array<{ record: DecisionRecord; segment?: number }> = [];
  private readonly journal: DecisionJournal | undefined;
  private waiters: Array<() => void> = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private consecutiveFailures = 0;
  written = 0;
  /** Records the database refused, kept in decision_quarantine instead (exported as tenet_decision_log_quarantined_total). */
  quarantined = 0;

  constructor(props: { db: Db; logger: Logger; maxQueue?: number; maxBatch?: number; flushMs?: number; journal?: DecisionJournal }) {
    this.db = props.db;
    this.logger = props.logger;
    this.maxQueue = props.maxQueue ?? 20_000;
    this.maxBatch = props.maxBatch ?? 1_000;
    this.flushMs = props.flushMs ?? 25;
    this.journal = props.journal;
    this.journal?.connect({
      accept: (entry) => {
        this.queue.push(entry);
        this.schedule();
      },
      room: () => this.maxQueue - this.queue.length,
    });
  }

  /** Decisions not yet written: queued in memory, and with a journal also those waiting on disk only. */
  get depth(): number {
    return this.journal ? this.journal.unshipped : this.queue.length;
  }

  /** For /readyz: with a journal, whether it takes records (under its bound, writing); without, whether the queue has room. */
  get readiness(): Record<string, boolean> {
    return this.journal ? { decisionJournal: this.journal.healthy } : { decisionLog: this.queue.length < 0.9 * this.maxQueue };
  }

  get durability(): DecisionJournal | undefined {
    return this.journal;
  }

  /** Ships what an earlier process left in the journal (and anything queued). */
  start(): void {
    if (this.pendingWork) this.kick();
  }

  async append(record: DecisionRecord): Promise<void> {
    if (this.closed) throw new Error('decision log is closed');
    // Durable first; the journal hands the record to the queue (or keeps it on disk) before this resolves.
    if (this.journal) return this.journal.append(record);
    while (this.queue.length >= this.maxQueue) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
      if (this.closed) throw new Error('decision log is closed');
    }
    this.queue.push({ record });
    this.schedule();
  }

  private schedule(): void {
    if (this.queue.length >= this.maxBatch) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.flushMs);
  }

  private get pendingWork(): boolean {
    return this.queue.length > 0 || (this.journal?.hasBacklog ?? false);
  }

  /**
   * A background flush: its failure is logged in drain() and retried by its timer. The timer handle is cleared
   * first: a timer that fired while another flush ran would otherwise stay set, and `timer ??=` in append() would
   * never schedule a flush again until a full batch piled up.
   */
  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flush().catch(() => {});
  }

  /** Writes everything queued so far. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (this.pendingWork ? this.flush() : undefined));
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pendingWork) return Promise.resolve();
    this.flushing = this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.pendingWork) {
      // How many records at the front of the batch are done (written or quarantined), even if a later part fails.
      const progress = { done: 0 };
      try {
        // Records that wait in the journal alone are read back once the queue is empty.
        if (this.queue.length === 0) {
          this.queue.push(...(await this.journal!.readBacklog(this.maxBatch)));
          if (this.queue.length === 0) continue;
        }
        const batch = this.queue.slice(0, this.maxBatch).map((q) => q.record);
        await this.writeIsolating(batch, progress);
        this.consecutiveFailures = 0;
      } catch (error) {
        // Keep what is not done queued and try again: records leave the queue only once written or quarantined.
        this.settle(progress.done);
        this.consecutiveFailures++;
        this.logger.error(
          { err: { code: (error as { code?: unknown }).code, message: redactMessage(String((error as Error).message)) }, queued: this.queue.length },
          'decision log write failed',
        );
        if (!this.closed) this.timer ??= setTimeout(() => this.kick(), Math.min(5000, 100 * 2 ** this.consecutiveFailures));
        throw error;
      }
      this.settle(progress.done);
    }
  }

  /** The first `n` queued records are done: they leave the queue and waiting callers get room. */
  private settle(n: number): void {
    if (n === 0) return;
    for (const q of this.queue.splice(0, n)) if (q.segment !== undefined) this.journal!.shipped(q.segment);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /**
   * Writes `records` in order, isolating any the database refuses: records holding strings PostgreSQL cannot
   * store go straight to the quarantine; when a write fails with a data error (SQLSTATE class 22, 23 or 54: the
   * rows, not the database, are the problem) the range is halved until the refused record stands alone, and that
   * one is quarantined while the rest are written. Any other failure (the database is away, a timeout) is thrown
   * with `progress.done` counting the records already written or quarantined — always a prefix of `records`, as
   * ranges are finished left to right — so a retry neither duplicates nor skips one. One bad record costs
   * O(log n) extra statements; it never blocks the records behind it, and nothing is dropped.
   */
  private async writeIsolating(records: DecisionRecord[], progress: { done: number }): Promise<void> {
    let from = 0;
    for (let i = 0; i <= records.length; i++) {
      if (i < records.length && isStorableRecord(records[i])) continue;
      if (i > from) await this.writeOrSplit(records.slice(from, i), progress);
      if (i < records.length) {
        await this.quarantine(records[i], 'holds a string PostgreSQL cannot store (NUL or an unpaired UTF-16 surrogate)');
        progress.done++;
      }
      from = i + 1;
    }
  }

  private async writeOrSplit(records: DecisionRecord[], progress: { done: number }): Promise<void> {
    try {
      await this.write(records);
      this.written += records.length;
      progress.done += records.length;
    } catch (error) {
      if (!isDataError(error)) throw error;
      if (records.length === 1) {
        const e = error as { code?: string; message?: string };
        await this.quarantine(records[0], `${e.code ?? ''} ${redactMessage(String(e.message ?? ''), 200)}`.trim());
        progress.done++;
        return;
      }
      const mid = records.length >> 1;
      await this.writeOrSplit(records.slice(0, mid), progress);
      await this.writeOrSplit(records.slice(mid), progress);
    }
  }

  /** Keeps a record the log could not write, escaped, with why; counted in `quarantined` (→ /metrics). */
  private async quarantine(record: DecisionRecord, reason: string): Promise<void> {
    const reveal = record.action === 'reveal_buyer_pii';
    const decisionId = escapeText(record.id);
    const at = record.at instanceof Date && !Number.isNaN(record.at.getTime()) ? record.at : new Date();
    // Once per decision id: a record replayed from the journal after a crash is not quarantined twice.
    // JSON.stringify escapes NUL and unpaired surrogates (\u0000, \ud800): the text is storable as it is.
    await sql`
      INSERT INTO decision_quarantine (decision_id, at, tables, reason, record)
      SELECT ${decisionId}, ${at.toISOString()}::timestamptz, ${reveal ? 'decisions+pii_reveals' : 'decisions'}, ${escapeText(reason)}, ${JSON.stringify(record)}
      WHERE NOT EXISTS (SELECT 1 FROM decision_quarantine WHERE decision_id = ${decisionId})`.execute(this.db);
    this.quarantined++;
    this.logger.warn(
      { decisionId: escapeText(record.id), reason: escapeText(reason), tables: reveal ? 'decisions+pii_reveals' : 'decisions' },
      'decision log record quarantined',
    );
  }

  /**
   * One statement per table, whatever the batch size: the rows travel as one JSON parameter and PostgreSQL
   * unpacks them (json_to_recordset). Building a 1,000-row VALUES list with 16,000 bind parameters would cost
   * the event loop more than the decisions themselves.
   */
  private async write(batch: DecisionRecord[]): Promise<void> {
    const rows = batch.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      principal_type: r.principal.type,
      principal_id: r.principal.id,
      action: r.action,
      resource_type: r.resource.type,
      resource_id: r.resource.id,
      decision: r.decision,
      reasons: r.reasons,
      errors: r.errors,
      policy_hash: r.policyHash,
      entity_version: r.entityVersion,
      latency_us: r.latencyUs,
      context_keys: r.contextKeys,
      request_id: r.requestId ?? null,
      caller: r.caller ?? null,
      request_entities: r.requestEntities ?? [],
    }));
    const reveals = batch
      .filter((r) => r.action === 'reveal_buyer_pii')
      .map((r) => ({
        decision_id: r.id,
        at: r.at.toISOString(),
        principal_type: r.principal.type,
        principal_id: r.principal.id,
        resource_type: r.resource.type,
        resource_id: r.resource.id,
        agency_id: r.agencyId ?? null,
        client_id: r.clientId ?? null,
        decision: r.decision,
        reasons: r.reasons,
        purpose: r.purpose ?? null,
        caller: r.caller ?? null,
      }));
    await this.db.transaction().execute(async (trx) => {
      // Idempotent by decision id: a record written before (a replay after a crash) is skipped, and so is its
      // PII-reveal row, which was written in the same transaction as the decision. The key is (id, at), as the table
      // is partitioned by `at` (migration 0018); a replayed record carries the `at` it was first written with.
      const inserted = await sql<{ id: string }>`
        INSERT INTO decisions (id, at, principal_type, principal_id, action, resource_type, resource_id, decision,
                               reasons, errors, policy_hash, entity_version, latency_us, context_keys, request_id, caller,
                               request_entities)
        SELECT id, at, principal_type, principal_id, action, resource_type, resource_id, decision,
               reasons, errors, policy_hash, entity_version, latency_us, context_keys, request_id, caller,
               request_entities
        FROM json_to_recordset(${JSON.stringify(rows)}::json) AS x(
          id text, at timestamptz, principal_type text, principal_id text, action text, resource_type text,
          resource_id text, decision text, reasons jsonb, errors jsonb, policy_hash text, entity_version text,
          latency_us integer, context_keys jsonb, request_id text, caller text, request_entities jsonb)
        ON CONFLICT (id, at) DO NOTHING
        RETURNING id`.execute(trx);
      const fresh = new Set(inserted.rows.map((r) => r.id));
      const newReveals = fresh.size === rows.length ? reveals : reveals.filter((r) => fresh.has(r.decision_id));
      if (newReveals.length) {
        await sql`
          INSERT INTO pii_reveals (decision_id, at, principal_type, principal_id, resource_type, resource_id,
                                   agency_id, client_id, decision, reasons, purpose, caller)
          SELECT decision_id, at, principal_type, principal_id, resource_type, resource_id,
                 agency_id, client_id, decision, reasons, purpose, caller
          FROM json_to_recordset(${JSON.stringify(newReveals)}::json) AS x(
            decision_id text, at timestamptz, principal_type text, principal_id text, resource_type text,
            resource_id text, agency_id text, client_id text, decision text, reasons jsonb, purpose text, caller text)`.execute(trx);
      }
    });
  }

  /** Flushes and stops accepting records. Retries a failing write a few times before giving up loudly. */
  async close(): Promise<void> {
    for (let attempt = 0; attempt < 5 && this.pendingWork; attempt++) {
      try {
        await this.flush();
      } catch {
        await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
      }
    }
    this.closed = true;
    clearTimeout(this.timer);
    if (this.journal) {
      const left = this.journal.unshipped;
      await this.journal.close();
      if (left)
        this.logger.warn(
          { left, journal: this.journal.dir },
          'decision log closed with decisions not yet in the database: they stay in the journal and are written at the next start',
        );
    } else if (this.queue.length) this.logger.error({ lost: this.queue.length }, 'decision log closed with unwritten decisions');
    for (const w of this.waiters) w();
  }
}

/** A data error: the rows are the problem, not the database (22 data exception, 23 integrity, 54 program limit). */
const isDataError = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
};

/** Every string in the record (values and keys, at any depth) can be stored by PostgreSQL. */
function isStorableRecord(value: unknown): boolean {
  if (typeof value === 'string') return isStorable(value);
  if (value === null || typeof value !== 'object' || value instanceof Date) return true;
  if (Array.isArray(value)) return value.every(isStorableRecord);
  for (const [k, v] of Object.entries(value)) if (!isStorable(k) || !isStorableRecord(v)) return false;
  return true;
}
