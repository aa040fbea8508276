import { sql } from 'kysely';
import { parseDuration, type AnyControlDefinition } from '../../controls/define-control.ts';
import type { Db } from '../db/database.ts';
import type { RunStatus } from '../db/schema.ts';
import { finishedRunsSql, latestFirst, statusOf, type ControlRuns } from './control-runs.ts';

type HistoryStatus = Exclude<RunStatus, 'running' | 'abandoned'>;
export interface PostureDay {
  date: string;
  pass: number;
  fail: number;
  error: number;
  /** not_applicable + stale: pass + fail + error + other = the controls with a result that day */
  other: number;
  stale: number;
  notApplicable: number;
  /** pass / (pass + fail + error + stale); null when no control was evaluated */
  passRate: number | null;
}
export interface PostureChange {
  controlId: string;
  title: string;
  from: HistoryStatus | null;
  to: HistoryStatus;
  at: string;
  runId: string;
}

const DAY_MS = 86_400_000;

/** The posture of the catalogue: each control's current status from its latest run, and posture per day. */
export class Posture {
  constructor(
    private readonly props: {
      db: Db;
      runs: Pick<ControlRuns, 'latest'>;
      catalogue: ReadonlyMap<string, AnyControlDefinition>;
      /** the control's cron pattern in force (settings override, else its own) */
      schedule: (controlId: string) => string;
      /** the programme requirements a control answers (`amazon-spapi-dpp:1.2`); the programmes live above this layer */
      frameworks?: (controlId: string) => string[];
    },
  ) {}

  async current(now = Date.now()) {
    const latest = await this.props.runs.latest();
    return [...this.props.catalogue.values()].map((c) => {
      const last = latest.get(c.id);
      return {
        id: c.id,
        title: c.title,
        commitment: c.commitment,
        frameworks: this.props.frameworks?.(c.id) ?? [],
        severity: c.severity,
        schedule: this.props.schedule(c.id),
        freshFor: c.freshFor,
        remediation: c.remediation,
        status: statusOf(c, last, now),
        lastRun: last ?? null,
      };
    });
  }

  /**
   * Posture per UTC day over the last `days` days (today included): each catalogue control counts with its last
   * finished status of that day, or, on a day it did not run, the status carried forward from its last run before
   * (judged stale, as `currentStatus` does, when older than its freshFor at the end of that day). Plus the newest
   * status changes (a run whose status differs from the control's previous finished run) inside the period, of
   * catalogue controls. Two queries, whatever the number of runs; a short period reads only its own runs.
   */
  async history(props: { days: number; now?: number }): Promise<{ days: PostureDay[]; changes: PostureChange[] }> {
    const now = new Date(props.now ?? Date.now());
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const start = new Date(today - (props.days - 1) * DAY_MS);
    const startDate = start.toISOString().slice(0, 10);
    const endDate = new Date(today).toISOString().slice(0, 10);
    const fresh = JSON.stringify(Object.fromEntries([...this.props.catalogue.values()].map((c) => [c.id, parseDuration(c.freshFor)])));
    // Per catalogue control, its latest finished run before the period (the `latestFirst` rule): with it, the
    // period's runs are all that is needed (carried-forward status, and the `from` of the period's first change).
    const seed = sql`
      fresh AS (
        SELECT key AS control_id, value::bigint AS fresh_ms FROM jsonb_each_text(${fresh}::jsonb)
      ),
      seed AS (
        SELECT f.control_id, s.id, s.finished_at FROM fresh f LEFT JOIN LATERAL (
          SELECT r.id, r.finished_at FROM ${finishedRunsSql} r
          WHERE r.control_id = f.control_id AND r.finished_at < ${start}
          ORDER BY ${latestFirst('r')} LIMIT 1
        ) s ON true
      )`;
    const days = await sql<{ date: string; pass: string; fail: string; error: string; stale: string; not_applicable: string }>`
      WITH ${seed},
      -- per control and day, the last finished run (runs before the period fall on the day before it): its finish
      -- time in µs and its status packed into one bigint, so one hash aggregate finds it, with no sort of all runs
      -- (the latest by finish time, as latestFirst; two runs finished in the same µs are told apart by status, not id)
      buckets AS (
        SELECT control_id, day,
          (ARRAY['pass', 'fail', 'error', 'not_applicable'])[(packed % 8) + 1] AS status,
          to_timestamp((packed / 8) / 1e6) AS finished_at
        FROM (
          SELECT r.control_id,
            CASE WHEN r.finished_at < ${start} THEN ${startDate}::date - 1 ELSE (r.finished_at AT TIME ZONE 'UTC')::date END AS day,
            max((extract(epoch FROM r.finished_at) * 1e6)::bigint * 8 + array_position(ARRAY['pass', 'fail', 'error', 'not_applicable'], r.status) - 1) AS packed
          FROM ${finishedRunsSql} r
          WHERE r.status IN ('pass', 'fail', 'error', 'not_applicable') AND r.finished_at <= ${now}
            AND (r.finished_at >= ${start} OR r.id IN (SELECT id FROM seed))
            AND r.control_id IN (SELECT control_id FROM fresh)
          GROUP BY 1, 2
        ) p
      ),
      days AS (
        SELECT d::date AS day FROM generate_series(${startDate}::date - 1, ${endDate}::date, interval '1 day') AS d
      ),
      grid AS (
        SELECT c.control_id, c.fresh_ms, d.day, b.status, b.finished_at,
          count(b.finished_at) OVER (PARTITION BY c.control_id ORDER BY d.day) AS grp
        FROM fresh c CROSS JOIN days d
        LEFT JOIN buckets b ON b.control_id = c.control_id AND b.day = d.day
      ),
      -- carried forward: each day takes the last bucket at or before it
      filled AS (
        SELECT g.day, g.fresh_ms,
          first_value(g.status) OVER w AS status,
          first_value(g.finished_at) OVER w AS finished_at
        FROM grid g
        WINDOW w AS (PARTITION BY g.control_id, g.grp ORDER BY g.day)
      ),
      -- judged as currentStatus (the stale rule) does, as of the end of the day (or now, today)
      judged AS (
        SELECT f.day,
          CASE
            WHEN f.status = 'error' THEN 'error'
            WHEN extract(epoch FROM (LEAST(((f.day + 1)::timestamp AT TIME ZONE 'UTC'), ${now}::timestamptz) - f.finished_at)) * 1000 > f.fresh_ms THEN 'stale'
            ELSE f.status
          END AS status
        FROM filled f
        WHERE f.status IS NOT NULL AND f.day >= ${startDate}::date
      )
      SELECT to_char(d.day, 'YYYY-MM-DD') AS date,
        count(j.status) FILTER (WHERE j.status = 'pass') AS pass,
        count(j.status) FILTER (WHERE j.status = 'fail') AS fail,
        count(j.status) FILTER (WHERE j.status = 'error') AS error,
        count(j.status) FILTER (WHERE j.status = 'stale') AS stale,
        count(j.status) FILTER (WHERE j.status = 'not_applicable') AS not_applicable
      FROM days d LEFT JOIN judged j ON j.day = d.day
      WHERE d.day >= ${startDate}::date
      GROUP BY d.day ORDER BY d.day`.execute(this.props.db);
    // Per control, latest first, the runs whose status differs from the run before (lead): at most 20 each, then
    // the latest 20 overall.
    const changes = await sql<{ id: string; control_id: string; status: HistoryStatus; prev: HistoryStatus | null; finished_at: Date }>`
      WITH ${seed}
      SELECT ch.id, ch.control_id, ch.status, ch.prev, ch.finished_at FROM seed s CROSS JOIN LATERAL (
        SELECT * FROM (
          SELECT r.id, r.control_id, r.status, r.finished_at, lead(r.status) OVER (ORDER BY ${latestFirst('r')}) AS prev
          FROM ${finishedRunsSql} r
          WHERE r.control_id = s.control_id AND (s.id IS NULL OR (r.finished_at, r.id) >= (s.finished_at, s.id))
          ORDER BY ${latestFirst('r')}
        ) x
        WHERE x.prev IS DISTINCT FROM x.status AND x.finished_at >= ${start} AND x.finished_at <= ${now}
        LIMIT 20
      ) ch
      ORDER BY ${latestFirst('ch')}
      LIMIT 20`.execute(this.props.db);
    return {
      days: days.rows.map((r) => {
        const [pass, fail, error, stale, notApplicable] = [r.pass, r.fail, r.error, r.stale, r.not_applicable].map(Number);
        const evaluated = pass + fail + error + stale;
        return { date: r.date, pass, fail, error, other: stale + notApplicable, stale, notApplicable, passRate: evaluated ? pass / evaluated : null };
      }),
      changes: changes.rows.map((r) => ({
        controlId: r.control_id,
        title: this.props.catalogue.get(r.control_id)?.title ?? r.control_id,
        from: r.prev,
        to: r.status,
        at: new Date(r.finished_at).toISOString(),
        runId: String(r.id),
      })),
    };
  }
}
