import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Logger } from '../kernel/logger.ts';
import { redactMessage } from '../scanner/redaction.ts';
import type { DayExport } from './decision-export.ts';
import { DEFAULT_PARTITION, RETENTION_LOCK, createDecisionPartitions, listDecisionPartitions, nextDay } from './decision-partitions.ts';

export interface RetentionResult {
  ran: boolean;
  /** Decisions removed: the rows of the dropped partitions plus those deleted from the DEFAULT partition. */
  decisionsDeleted: number;
  /** The days whose partitions were dropped (detached, then dropped), oldest first. */
  partitionsDropped: string[];
  /** Of decisionsDeleted, the rows deleted one by one from the DEFAULT partition. */
  defaultRowsDeleted: number;
  /** Days past retention kept because export is configured and they are not (or no longer wholly) exported. */
  awaitingExport: string[];
  /** Partitions made for today and the days ahead (as ensureDecisionPartitions does). */
  partitionsCreated: string[];
  revealsDeleted: number;
}

/**
 * Retention of the append-only audit tables: what is older than its retention is removed, nothing else is ever
 * touched (Addendum §13.2, §23: reveal events are kept 365 days; the decision log per configuration).
 *
 * The decision log is partitioned by day: a day's partition goes whole once its end is at or before the cutoff
 * (DETACH, then DROP: no row-by-row delete, no bloat), so a decision is kept at least `decisionDays` and at most a
 * day longer. Rows in the DEFAULT partition (outside every daily range) are deleted by age. With `requireExport`
 * (S3 export configured), a partition is dropped only once its day is recorded as exported with as many rows as it
 * holds now; a day that gained rows after its export (a journal replayed late) has its record withdrawn, so the next
 * export round writes the whole day again, and is dropped after that.
 *
 * One replica at a time: the work runs under a transaction-scoped advisory lock, and a replica that does not get it
 * skips the round. The same round makes sure today's and the next `aheadDays` days' partitions exist.
 */
export async function runRetention(props: {
  db: Db;
  decisionDays: number;
  revealDays: number;
  now?: Date;
  requireExport?: boolean;
  aheadDays?: number;
  logger?: Logger;
}): Promise<RetentionResult> {
  const now = props.now ?? new Date();
  const day = 86_400_000;
  const cutoff = new Date(now.getTime() - props.decisionDays * day);
  return props.db.transaction().execute(async (trx) => {
    const skipped: RetentionResult = {
      ran: false,
      decisionsDeleted: 0,
      partitionsDropped: [],
      defaultRowsDeleted: 0,
      awaitingExport: [],
      partitionsCreated: [],
      revealsDeleted: 0,
    };
    const lock = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${RETENTION_LOCK}) as ok`.execute(trx);
    if (!lock.rows[0]?.ok) return skipped;
    const { created } = await createDecisionPartitions(trx, { now, aheadDays: props.aheadDays });
    const result: RetentionResult = { ...skipped, ran: true, partitionsCreated: created };
    for (const p of await listDecisionPartitions(trx)) {
      if (Date.parse(`${nextDay(p.day)}T00:00:00Z`) > cutoff.getTime()) break;
      const count = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(p.name)}`.execute(trx);
      const rows = Number(count.rows[0].n);
      if (props.requireExport) {
        const exported = await sql<{ rows: string }>`
          SELECT rows FROM decision_log_exports WHERE day = ${p.day}::date AND status = 'done'`.execute(trx);
        if (!exported.rows.length) {
          result.awaitingExport.push(p.day);
          continue;
        }
        if (Number(exported.rows[0].rows) !== rows) {
          await sql`DELETE FROM decision_log_exports WHERE day = ${p.day}::date AND status = 'done'`.execute(trx);
          props.logger?.warn(
            { day: p.day, exported: Number(exported.rows[0].rows), rows },
            'decision log day gained rows after its export: it is exported again before its partition is dropped',
          );
          result.awaitingExport.push(p.day);
          continue;
        }
      }
      await sql`ALTER TABLE decisions DETACH PARTITION ${sql.table(p.name)}`.execute(trx);
      await sql`DROP TABLE ${sql.table(p.name)}`.execute(trx);
      result.partitionsDropped.push(p.day);
      result.decisionsDeleted += rows;
    }
    const d = await sql`DELETE FROM ${sql.table(DEFAULT_PARTITION)} WHERE at < ${cutoff.toISOString()}::timestamptz`.execute(trx);
    result.defaultRowsDeleted = Number(d.numAffectedRows ?? 0);
    result.decisionsDeleted += result.defaultRowsDeleted;
    const r = await trx
      .deleteFrom('pii_reveals')
      .where('at', '<', new Date(now.getTime() - props.revealDays * day))
      .executeTakeFirst();
    result.revealsDeleted = Number(r.numDeletedRows);
    return result;
  });
}

/**
 * Runs retention now and then every `everyMs` (default 6 h) until stopped. `exportDecisions`, when given (S3 export
 * configured), exports the closed days not yet exported first, and retention then drops only exported days.
 * `evidence`, when given, drops evidence records older than its days behind a signed checkpoint (EvidenceStore.prune).
 */
export function scheduleRetention(props: {
  db: Db;
  logger: Logger;
  decisionDays: number;
  revealDays: number;
  everyMs?: number;
  exportDecisions?: () => Promise<DayExport[]>;
  evidence?: { days: number; prune: (before: Date) => Promise<{ deleted: number; checkpoint?: { seq: number } }> };
}): () => void {
  const round = async () => {
    if (props.exportDecisions) {
      try {
        await props.exportDecisions();
      } catch (error) {
        // Retention below still runs: it keeps every day not exported.
        props.logger.warn(
          { err: { name: (error as Error).name, message: redactMessage(String((error as Error).message)) } },
          'decision log export failed; retrying next round',
        );
      }
    }
    try {
      const r = await runRetention({ ...props, requireExport: Boolean(props.exportDecisions) });
      if (r.ran && (r.decisionsDeleted || r.revealsDeleted || r.partitionsDropped.length || r.awaitingExport.length)) props.logger.info(r, 'retention applied');
      if (r.ran && props.evidence) {
        const e = await props.evidence.prune(new Date(Date.now() - props.evidence.days * 86_400_000));
        if (e.deleted)
          props.logger.info({ evidenceDeleted: e.deleted, checkpoint: e.checkpoint?.seq }, 'evidence retention applied behind a signed checkpoint');
      }
    } catch (error) {
      props.logger.warn({ err: { message: (error as Error).message } }, 'retention failed; retrying next round');
    }
  };
  void round();
  const timer = setInterval(round, props.everyMs ?? 6 * 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
