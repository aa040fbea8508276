import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Logger } from '../kernel/logger.ts';

/**
 * Retention of the append-only audit tables: rows older than their retention are deleted, nothing else is ever
 * touched (Addendum §13.2, §23: reveal events are kept 365 days; the decision log per configuration).
 * One replica at a time: the work runs under a transaction-scoped advisory lock, and a replica that does not get
 * it skips the round.
 */
export async function runRetention(props: {
  db: Db;
  decisionDays: number;
  revealDays: number;
  now?: Date;
}): Promise<{ ran: boolean; decisionsDeleted: number; revealsDeleted: number }> {
  const now = props.now ?? new Date();
  const day = 86_400_000;
  return props.db.transaction().execute(async (trx) => {
    const lock = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(73010003) as ok`.execute(trx);
    if (!lock.rows[0]?.ok) return { ran: false, decisionsDeleted: 0, revealsDeleted: 0 };
    const d = await trx
      .deleteFrom('decisions')
      .where('at', '<', new Date(now.getTime() - props.decisionDays * day))
      .executeTakeFirst();
    const r = await trx
      .deleteFrom('pii_reveals')
      .where('at', '<', new Date(now.getTime() - props.revealDays * day))
      .executeTakeFirst();
    return { ran: true, decisionsDeleted: Number(d.numDeletedRows), revealsDeleted: Number(r.numDeletedRows) };
  });
}

/**
 * Runs retention now and then every `everyMs` (default 6 h) until stopped. `evidence`, when given, drops evidence
 * records older than its days behind a signed checkpoint (EvidenceStore.prune).
 */
export function scheduleRetention(props: {
  db: Db;
  logger: Logger;
  decisionDays: number;
  revealDays: number;
  everyMs?: number;
  evidence?: { days: number; prune: (before: Date) => Promise<{ deleted: number; checkpoint?: { seq: number } }> };
}): () => void {
  const round = async () => {
    try {
      const r = await runRetention(props);
      if (r.ran && (r.decisionsDeleted || r.revealsDeleted)) props.logger.info(r, 'retention applied');
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
