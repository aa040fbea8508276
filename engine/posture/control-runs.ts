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

/** A finished run with its verdict and finish time (what `currentStatus` judges). */
export type FinishedRun = StoredRun & { status: Exclude<RunStatus, 'running'>; finishedAt: string };

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
  SELECT id, control_id, status, finished_at FROM control_runs WHERE status <> 'running' AND finished_at IS NOT NULL
)`;

/** A control's status from its latest finished run (`ControlRuns.latest`), judged by the stale rule as of `now`. */
export const statusOf = (control: Pick<ControlDefinition, 'freshFor'>, latest: FinishedRun | undefined, now: number): ControlStatus | 'never_run' =>
  currentStatus(control, latest ? { status: latest.status, finishedAt: latest.finishedAt } : undefined, now);

/** Every read and write of the `control_runs` table. */
export class ControlRuns {
  constructor(private readonly db: Db) {}

  /** Records the start of a run (status `running`) and returns its id. */
  async start(props: { controlId: string; trigger: 'manual' | 'startup'; replica: string; requestedBy: string | null }): Promise<string> {
    const row = await this.db
      .insertInto('control_runs')
      .values({ control_id: props.controlId, trigger: props.trigger, replica: props.replica, status: 'running', requested_by: props.requestedBy })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /**
   * Claims the run of `controlId` for the tick at `scheduledFor`: one replica wins (advisory lock + the unique
   * (control_id, scheduled_for) row), and none starts while a run of the same control is still going.
   */
  async claim(controlId: string, scheduledFor: Date, replica: string, staleAfterMs: number): Promise<string | null> {
    return this.db.transaction().execute(async (trx) => {
      const lock = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(73010002, hashtext(${controlId})) AS ok`.execute(trx);
      if (!lock.rows[0]?.ok) return null;
      const running = await trx
        .selectFrom('control_runs')
        .select('id')
        .where('control_id', '=', controlId)
        .where('status', '=', 'running')
        .where('started_at', '>', new Date(Date.now() - staleAfterMs))
        .executeTakeFirst();
      if (running) return null;
      const row = await trx
        .insertInto('control_runs')
        .values({ control_id: controlId, trigger: 'schedule', scheduled_for: scheduledFor, replica, status: 'running' })
        .onConflict((oc) => oc.columns(['control_id', 'scheduled_for']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return row?.id ?? null;
    });
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
      })
      .where('id', '=', runId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRun(row);
  }

  /** The latest finished run (see `latestFirst`) of every control, among those finished by `asOf` when given. */
  async latest(asOf?: Date): Promise<Map<string, FinishedRun>> {
    const rows = await sql<Record<string, unknown>>`
      SELECT DISTINCT ON (r.control_id) r.* FROM control_runs r
      WHERE r.status <> 'running' AND r.finished_at IS NOT NULL ${asOf ? sql`AND r.finished_at <= ${asOf}` : sql``}
      ORDER BY r.control_id, ${latestFirst('r')}`.execute(this.db);
    return new Map(rows.rows.map((r) => [String(r.control_id), toRun(r as never) as FinishedRun]));
  }

  /** Per control, its finished runs and passes with a finish time in [from, to]. */
  async countsBetween(from: Date, to: Date): Promise<Map<string, { runs: number; passes: number }>> {
    const rows = await sql<{ control_id: string; runs: string; passes: string }>`
      SELECT control_id, count(*) AS runs, count(*) FILTER (WHERE status = 'pass') AS passes FROM control_runs
      WHERE status <> 'running' AND finished_at BETWEEN ${from} AND ${to} GROUP BY control_id`.execute(this.db);
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
      WHERE status <> 'running' AND finished_at BETWEEN ${from} AND ${to}
        AND control_id IN (SELECT key FROM jsonb_each_text(${expected}::jsonb))
      GROUP BY control_id`.execute(this.db);
    const gaps = await sql<{ control_id: string; prev: Date; finished_at: Date; n: string }>`
      WITH expected AS (SELECT key AS control_id, value::double precision AS gap_ms FROM jsonb_each_text(${expected}::jsonb)),
      runs AS (
        SELECT r.control_id, r.finished_at, lag(r.finished_at) OVER (PARTITION BY r.control_id ORDER BY r.finished_at, r.id) AS prev, e.gap_ms
        FROM control_runs r JOIN expected e ON e.control_id = r.control_id
        WHERE r.status <> 'running' AND r.finished_at BETWEEN ${from} AND ${to}
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
