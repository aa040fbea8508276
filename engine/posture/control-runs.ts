import { sql, type RawBuilder } from 'kysely';
import type { ControlDefinition, ControlStatus } from '../../controls/define-control.ts';
import { currentStatus, type ControlResult } from '../../controls/runner.ts';
import type { Db } from '../db/database.ts';
import type { RunStatus } from '../db/schema.ts';
import { InputError, NotFoundError } from '../kernel/errors.ts';

export interface StoredRun {
  id: string;
  controlId: string;
  trigger: 'schedule' | 'manual' | 'startup';
  scheduledFor: string | null;
  replica: string;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  summary: string | null;
  findings: ControlResult['findings'];
  evidenceSeq: number | null;
  requestedBy: string | null;
}

/** A finished run with its verdict and finish time (what `currentStatus` judges). An abandoned run has no verdict. */
export type FinishedRun = StoredRun & { status: Exclude<RunStatus, 'running' | 'abandoned'>; finishedAt: string };

/** A run whose lease lapsed and was marked `abandoned` (`ControlRuns.abandonLapsed`), for its evidence record. */
export interface AbandonedRun {
  id: string;
  controlId: string;
  replica: string;
  leaseExpiredAt: string;
  abandonedAt: string;
}

/** The verdicts: finished runs other than abandoned ones (an abandoned run judged nothing). */
const VERDICT = sql`status NOT IN ('running', 'abandoned')`;
const verdict = (alias: string) => sql`${sql.ref(`${alias}.status`)} NOT IN ('running', 'abandoned')`;

/**
 * A run started by a replica from before leases (during a rolling upgrade) has none and is never renewed: it keeps
 * the wait such runs always had, twice the default run timeout after its start.
 */
const LEGACY_LEASE = sql`interval '240 seconds'`;

/** `now() + ms` in the database's clock: every replica measures leases by the one clock. */
const inMs = (ms: number): RawBuilder<Date> => sql<Date>`now() + ${ms} * interval '1 millisecond'`;

/**
 * Which finished run of a control is its latest, everywhere (console, readiness, posture history, packs): the one
 * that finished last, ties broken by the higher id. A run's id is taken when it starts (the row is inserted as
 * `running`), so runs of one control that overlap (a manual run beside a scheduled one, two replicas) can finish out
 * of id order; the stale rule (`currentStatus`) ages a verdict from its finish time, so the newest verdict is the
 * one with the newest finish time. Used as `ORDER BY` over a `control_runs` alias.
 */
export const latestFirst = (alias: string): RawBuilder<unknown> => sql`${sql.ref(`${alias}.finished_at`)} DESC, ${sql.ref(`${alias}.id`)} DESC`;

/**
 * The finished runs (id, control_id, status, finished_at), for SQL that aggregates runs (the posture history):
 * use it in FROM in place of the table, and order it with `latestFirst`.
 */
export const finishedRunsSql: RawBuilder<unknown> = sql`(
  SELECT id, control_id, status, finished_at FROM control_runs WHERE ${VERDICT} AND finished_at IS NOT NULL
)`;

/** A control's status from its latest finished run (`ControlRuns.latest`), judged by the stale rule as of `now`. */
export const statusOf = (control: Pick<ControlDefinition, 'freshFor'>, latest: FinishedRun | undefined, now: number): ControlStatus | 'never_run' =>
  currentStatus(control, latest ? { status: latest.status, finishedAt: latest.finishedAt } : undefined, now);

/** Every read and write of the `control_runs` table. */
export class ControlRuns {
  constructor(private readonly db: Db) {}

  /** Records the start of a run (status `running`, holding a lease of `leaseMs`) and returns its id. */
  async start(props: { controlId: string; trigger: 'manual' | 'startup'; replica: string; requestedBy: string | null; leaseMs: number }): Promise<string> {
    const row = await this.db
      .insertInto('control_runs')
      .values({
        control_id: props.controlId,
        trigger: props.trigger,
        replica: props.replica,
        status: 'running',
        requested_by: props.requestedBy,
        lease_expires_at: inMs(props.leaseMs),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /**
   * Claims the run of `controlId` for the tick at `scheduledFor`: one replica wins (advisory lock + the unique
   * (control_id, scheduled_for) row), and none starts while a run of the same control holds a live lease. Runs of
   * the control whose lease lapsed are first marked `abandoned` (`abandonLapsed`), so the tick after a replica
   * died runs the control again.
   */
  async claim(
    controlId: string,
    scheduledFor: Date,
    replica: string,
    leaseMs: number,
    onAbandoned: (runs: AbandonedRun[], trx: Db) => Promise<void>,
  ): Promise<string | null> {
    return this.db.transaction().execute(async (trx) => {
      const lock = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(73010002, hashtext(${controlId})) AS ok`.execute(trx);
      if (!lock.rows[0]?.ok) return null;
      await this.abandonLapsed(onAbandoned, controlId, trx);
      const running = await trx.selectFrom('control_runs').select('id').where('control_id', '=', controlId).where('status', '=', 'running').executeTakeFirst();
      if (running) return null;
      const row = await trx
        .insertInto('control_runs')
        .values({ control_id: controlId, trigger: 'schedule', scheduled_for: scheduledFor, replica, status: 'running', lease_expires_at: inMs(leaseMs) })
        .onConflict((oc) => oc.columns(['control_id', 'scheduled_for']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return row?.id ?? null;
    });
  }

  /**
   * Marks `abandoned` every running run (of `controlId`, or of every control) whose lease lapsed, in one
   * transaction with `onAbandoned` (which appends their evidence records). A run finishing at the same moment
   * holds its row lock: whichever commits first wins, and the other sees the row no longer `running`.
   */
  async abandonLapsed(onAbandoned: (runs: AbandonedRun[], trx: Db) => Promise<void>, controlId?: string, trx?: Db): Promise<AbandonedRun[]> {
    const run = async (t: Db) => {
      const rows = await sql<{ id: string; control_id: string; replica: string; lease_expires_at: Date | null; finished_at: Date }>`
        UPDATE control_runs SET status = 'abandoned', finished_at = now(),
          duration_ms = extract(epoch FROM (now() - started_at)) * 1000,
          summary = 'abandoned: replica ' || replica || ' stopped renewing its lease (it stopped or lost the database)'
        WHERE status = 'running' AND COALESCE(lease_expires_at, started_at + ${LEGACY_LEASE}) < now()
          ${controlId ? sql`AND control_id = ${controlId}` : sql``}
        RETURNING id, control_id, replica, lease_expires_at, finished_at`.execute(t);
      const abandoned = rows.rows
        .map((r) => ({
          id: String(r.id),
          controlId: r.control_id,
          replica: r.replica,
          leaseExpiredAt: iso(r.lease_expires_at) ?? iso(r.finished_at)!,
          abandonedAt: iso(r.finished_at)!,
        }))
        .sort((a, b) => Number(a.id) - Number(b.id));
      if (abandoned.length) await onAbandoned(abandoned, t);
      return abandoned;
    };
    return trx ? run(trx) : this.db.transaction().execute(run);
  }

  /** Links an abandoned run to its evidence record (in the transaction that abandoned it). */
  async recordAbandonedEvidence(runId: string, evidenceSeq: number, trx: Db): Promise<void> {
    await trx
      .updateTable('control_runs')
      .set({ evidence_seq: String(evidenceSeq) })
      .where('id', '=', runId)
      .where('status', '=', 'abandoned')
      .execute();
  }

  /**
   * Renews a running run's lease (the running replica's heartbeat). False once the run is no longer `running`
   * (another replica abandoned it): a late heartbeat never revives an abandoned run, nor touches any other run.
   */
  async renew(runId: string, leaseMs: number): Promise<boolean> {
    const row = await this.db
      .updateTable('control_runs')
      .set({ lease_expires_at: inMs(leaseMs) })
      .where('id', '=', runId)
      .where('status', '=', 'running')
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Locks a run's row for its finish (in the transaction that appends its evidence): the run as it stands, which
   * is `running` unless another replica abandoned it meanwhile.
   */
  async lockForFinish(runId: string, trx: Db): Promise<StoredRun> {
    const row = await trx.selectFrom('control_runs').selectAll().where('id', '=', runId).forUpdate().executeTakeFirstOrThrow();
    return toRun(row as never);
  }

  /** Records a run's result, in the caller's transaction (the one appending its evidence record). */
  async finish(runId: string, result: ControlResult, evidenceSeq: number, trx: Db = this.db): Promise<StoredRun> {
    const row = await trx
      .updateTable('control_runs')
      .set({
        status: result.status,
        finished_at: result.finishedAt,
        duration_ms: result.durationMs,
        summary: result.summary ?? null,
        findings: JSON.stringify(result.findings),
        evidence_seq: String(evidenceSeq),
        lease_expires_at: null,
      })
      .where('id', '=', runId)
      .where('status', '=', 'running')
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRun(row);
  }

  /** The latest finished run (see `latestFirst`) of every control, among those finished by `asOf` when given. */
  async latest(asOf?: Date): Promise<Map<string, FinishedRun>> {
    const rows = await sql<Record<string, unknown>>`
      SELECT DISTINCT ON (r.control_id) r.* FROM control_runs r
      WHERE ${verdict('r')} AND r.finished_at IS NOT NULL ${asOf ? sql`AND r.finished_at <= ${asOf}` : sql``}
      ORDER BY r.control_id, ${latestFirst('r')}`.execute(this.db);
    return new Map(rows.rows.map((r) => [String(r.control_id), toRun(r as never) as FinishedRun]));
  }

  /** Per control, its finished runs and passes with a finish time in [from, to]. */
  async countsBetween(from: Date, to: Date): Promise<Map<string, { runs: number; passes: number }>> {
    const rows = await sql<{ control_id: string; runs: string; passes: string }>`
      SELECT control_id, count(*) AS runs, count(*) FILTER (WHERE status = 'pass') AS passes FROM control_runs
      WHERE ${VERDICT} AND finished_at BETWEEN ${from} AND ${to} GROUP BY control_id`.execute(this.db);
    return new Map(rows.rows.map((r) => [r.control_id, { runs: Number(r.runs), passes: Number(r.passes) }]));
  }

  /**
   * How well the finished runs in [from, to] cover the period, for the controls given (id -> the longest wait the
   * schedule allows between two runs, ms): first and last finish, the number of runs, and the waits between two
   * consecutive runs longer than that allowance (`gapCount`, and the `limit` longest, longest first).
   */
  async coverage(
    from: Date,
    to: Date,
    allowedGapMs: ReadonlyMap<string, number>,
    limit = 10,
  ): Promise<Map<string, { first: string; last: string; runs: number; gapCount: number; gaps: Array<{ from: string; to: string }> }>> {
    const expected = JSON.stringify(Object.fromEntries(allowedGapMs));
    const summary = await sql<{ control_id: string; first: Date; last: Date; runs: string }>`
      SELECT control_id, min(finished_at) AS first, max(finished_at) AS last, count(*) AS runs FROM control_runs
      WHERE ${VERDICT} AND finished_at BETWEEN ${from} AND ${to}
        AND control_id IN (SELECT key FROM jsonb_each_text(${expected}::jsonb))
      GROUP BY control_id`.execute(this.db);
    const gaps = await sql<{ control_id: string; prev: Date; finished_at: Date; n: string }>`
      WITH expected AS (SELECT key AS control_id, value::double precision AS gap_ms FROM jsonb_each_text(${expected}::jsonb)),
      runs AS (
        SELECT r.control_id, r.finished_at, lag(r.finished_at) OVER (PARTITION BY r.control_id ORDER BY r.finished_at, r.id) AS prev, e.gap_ms
        FROM control_runs r JOIN expected e ON e.control_id = r.control_id
        WHERE ${verdict('r')} AND r.finished_at BETWEEN ${from} AND ${to}
      ),
      gaps AS (
        SELECT control_id, prev, finished_at,
          count(*) OVER (PARTITION BY control_id) AS n,
          row_number() OVER (PARTITION BY control_id ORDER BY finished_at - prev DESC, finished_at) AS rn
        FROM runs WHERE prev IS NOT NULL AND finished_at - prev > gap_ms * interval '1 millisecond'
      )
      SELECT control_id, prev, finished_at, n FROM gaps WHERE rn <= ${limit} ORDER BY control_id, rn`.execute(this.db);
    const out = new Map<string, { first: string; last: string; runs: number; gapCount: number; gaps: Array<{ from: string; to: string }> }>();
    for (const r of summary.rows) out.set(r.control_id, { first: iso(r.first)!, last: iso(r.last)!, runs: Number(r.runs), gapCount: 0, gaps: [] });
    for (const g of gaps.rows) {
      const c = out.get(g.control_id);
      if (!c) continue;
      c.gapCount = Number(g.n);
      c.gaps.push({ from: iso(g.prev)!, to: iso(g.finished_at)! });
    }
    return out;
  }

  /** Runs of one control, newest started first (cursor: `before` = a run id). */
  async list(controlId: string, props: { limit: number; before?: string }): Promise<StoredRun[]> {
    let q = this.db.selectFrom('control_runs').selectAll().where('control_id', '=', controlId);
    if (props.before) {
      if (!/^\d+$/.test(props.before)) throw new InputError('before: a run id');
      q = q.where('id', '<', props.before);
    }
    return (await q.orderBy('id', 'desc').limit(props.limit).execute()).map((r) => toRun(r as never));
  }

  async get(controlId: string, runId: string): Promise<StoredRun> {
    if (!/^\d+$/.test(runId)) throw new NotFoundError(`no run ${runId}`);
    const row = await this.db.selectFrom('control_runs').selectAll().where('control_id', '=', controlId).where('id', '=', runId).executeTakeFirst();
    if (!row) throw new NotFoundError(`no run ${runId} of ${controlId}`);
    return toRun(row as never);
  }
}

function iso(v: unknown): string | null {
  return v ? new Date(v as string).toISOString() : null;
}

function toRun(r: {
  id: string;
  control_id: string;
  trigger: StoredRun['trigger'];
  scheduled_for: Date | null;
  replica: string;
  status: RunStatus;
  started_at: Date;
  finished_at: Date | null;
  duration_ms: number | null;
  summary: string | null;
  findings: unknown;
  evidence_seq: string | null;
  requested_by: string | null;
}): StoredRun {
  return {
    id: String(r.id),
    controlId: r.control_id,
    trigger: r.trigger,
    scheduledFor: iso(r.scheduled_for),
    replica: r.replica,
    status: r.status,
    startedAt: iso(r.started_at)!,
    finishedAt: iso(r.finished_at),
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    summary: r.summary,
    findings: (typeof r.findings === 'string' ? JSON.parse(r.findings) : r.findings) as StoredRun['findings'],
    evidenceSeq: r.evidence_seq === null ? null : Number(r.evidence_seq),
    requestedBy: r.requested_by,
  };
}
