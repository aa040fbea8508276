import { Link } from 'react-router';
import type { ControlPosture, ControlStatus, IntegrationReadiness, PostureDay, ProgrammeScorecard, RequirementStatus } from '../api/models.ts';
import { useControls, useIntegrations, usePostureHistory, useProgramme } from '../queries.ts';
import { useSession } from '../session.tsx';
import { percent, titledIntegrationName as integrationName } from '../ui/format.ts';
import { Page, Panel } from '../ui/page.tsx';
import { Empty, QueryState } from '../ui/states.tsx';
import { StatusBadge, statusLabel } from '../ui/status.tsx';
import { Time } from '../ui/time.tsx';
import { formatDay, TrendChart, type TrendPoint } from '../ui/trend-chart.tsx';

const AMAZON = 'amazon_spapi';
const HISTORY_DAYS = 30;

/** The order statuses are counted in, and their tone for the proportion bar. */
const STATUSES: ControlStatus[] = ['pass', 'fail', 'error', 'stale', 'never_run', 'not_applicable'];
/** Worst first: the order blockers are listed in. */
const BLOCKING_ORDER: Record<string, number> = { fail: 0, error: 1, unknown_control: 2, stale: 3, never_run: 4, not_applicable: 5, pass: 6 };
const SEVERITY_ORDER: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };
/** The compliance programmes (GET /v1/programmes), in the order the API lists them. */
const PROGRAMMES = ['amazon-spapi-dpp', 'google-limited-use-casa', 'security-addendum'] as const;
/** The order requirement statuses are counted in. */
const REQUIREMENT_STATUSES: RequirementStatus[] = ['met', 'met_by_exception', 'partial', 'not_met', 'not_assessed'];
/** How many controls "what to fix next" shows before "and N more". */
const FIX_NEXT_SHOWN = 5;
const severityLabel = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export default function Overview() {
  const { can } = useSession();
  const mayReadIntegrations = can('integrations', 'read');
  const controls = useControls();
  const integrations = useIntegrations({ enabled: mayReadIntegrations });
  const history = usePostureHistory(HISTORY_DAYS);
  const byId = new Map((controls.data ?? []).map((c) => [c.id, c]));
  // The scorecards are the heaviest answers (each asks the access review of the PDP): asked once readiness, which
  // gates access today, and the posture history are in, so they never hold those up.
  const scorecardsWanted = history.isFetched && (integrations.isFetched || !mayReadIntegrations);

  return (
    <Page
      title="Overview"
      lead="Where each compliance programme stands requirement by requirement (the answers its review pack carries), what to fix next, which restricted integrations may serve data today, and how control posture is trending."
    >
      <Panel title="Compliance programmes" actions={<span className="muted small">Last 90 days, as of now</span>}>
        <ul className="programmes">
          {PROGRAMMES.map((id) => (
            <li key={id}>
              <Programme id={id} enabled={scorecardsWanted} />
            </li>
          ))}
        </ul>
      </Panel>

      <Panel title="Integration readiness — gates restricted-data actions" id="panel-integration-readiness">
        <p className="small muted">
          Whether Tenet's policy lets an integration's restricted-data actions through today: every control the integration needs passes, or an approved
          exception covers it. This gates access; it is not a compliance verdict (see the programmes above).
        </p>
        {mayReadIntegrations ? (
          <QueryState query={integrations} label="Loading integration readiness…">
            {(list) => <Readiness integrations={list} controls={byId} />}
          </QueryState>
        ) : (
          <Empty>Your role may not read integration readiness.</Empty>
        )}
      </Panel>

      <div className="overview-grid">
        <Panel title="Controls by status" className="overview-counts">
          <QueryState query={controls} label="Loading controls…">
            {(list) => <StatusCounts controls={list} />}
          </QueryState>
        </Panel>

        <Panel title="Pass rate over time" className="overview-trend" actions={<span className="muted small">Last {HISTORY_DAYS} days (UTC)</span>}>
          <QueryState query={history} label="Loading posture history…">
            {(h) => <PassRate days={h.days} />}
          </QueryState>
        </Panel>
      </div>

      <Panel title="Recent changes">
        <QueryState query={history} label="Loading recent changes…">
          {(h) =>
            h.changes.length ? (
              <ol className="changes">
                {h.changes.map((c) => (
                  <li key={`${c.runId}-${c.controlId}`}>
                    <span className="change-control">
                      <Link to={`/controls/${encodeURIComponent(c.controlId)}`}>{c.title}</Link>
                      <span className="mono muted small">{c.controlId}</span>
                    </span>
                    <span className="change-transition">
                      {c.from ? <StatusBadge status={c.from} /> : <span className="muted small">First result</span>}
                      <span aria-hidden="true">→</span>
                      <span className="visually-hidden">to</span>
                      <StatusBadge status={c.to} />
                    </span>
                    <span className="change-time small muted">
                      <Time value={c.at} />
                    </span>
                  </li>
                ))}
              </ol>
            ) : (
              <Empty>No control changed status in the last {HISTORY_DAYS} days.</Empty>
            )
          }
        </QueryState>
      </Panel>
    </Page>
  );
}

// ---- programmes ---------------------------------------------------------------------------------------------

function Programme(props: { id: string; enabled: boolean }) {
  const query = useProgramme(props.id, { enabled: props.enabled });
  return (
    <QueryState query={query} label="Loading the programme's scorecard…">
      {(card) => <Scorecard card={card} />}
    </QueryState>
  );
}

function Scorecard(props: { card: ProgrammeScorecard }) {
  const { card } = props;
  const headingId = `programme-${card.programme.id}`;
  const fix = card.fixNext.slice(0, FIX_NEXT_SHOWN);
  const more = card.fixNext.length - fix.length;
  return (
    <section className="programme" data-programme={card.programme.id} aria-labelledby={headingId}>
      <div className="integration-head">
        <h3 id={headingId}>{card.programme.title}</h3>
        <span className="small muted">{card.summary.total} requirements</span>
      </div>
      <ul className="programme-counts" aria-label="Requirements by status">
        {REQUIREMENT_STATUSES.map((s) => (
          <li key={s} className={card.summary[s] ? '' : 'is-zero'} data-status={s}>
            <span className="status-count-n">{card.summary[s]}</span>
            <StatusBadge status={s} />
          </li>
        ))}
      </ul>
      <ul className="requirements" aria-label={`${card.programme.title}: requirements`}>
        {card.requirements.map((r) => (
          <li key={r.id} data-requirement={r.id} data-status={r.status} title={r.question}>
            <span className="mono small req-id">{r.id}</span>
            <span>{r.title}</span>
            <StatusBadge status={r.status} />
          </li>
        ))}
      </ul>
      <h4>What to fix next</h4>
      {fix.length ? (
        <ol className="fix-next">
          {fix.map((f) => (
            <li key={f.controlId} data-fix={f.controlId}>
              <span className="fix-head">
                <Link to={`/controls/${encodeURIComponent(f.controlId)}`}>{f.title}</Link>
                <StatusBadge status={f.status} />
                <span className={`severity severity-${f.severity}`}>{severityLabel(f.severity)}</span>
                <span className="mono muted small">{f.controlId}</span>
              </span>
              <p className="small">
                {f.why === 'not_assessed' ? 'No evidence yet: run it (and configure its source). ' : ''}
                {f.remediation}
              </p>
              <span className="small muted">Keeps {f.requirements.join(', ')} from being met.</span>
            </li>
          ))}
        </ol>
      ) : (
        <p className="small muted">No failing or unassessed control stands behind a requirement that is not met.</p>
      )}
      {more > 0 ? <p className="small muted">and {more} more controls.</p> : null}
    </section>
  );
}

// ---- integration readiness ----------------------------------------------------------------------------------

function Readiness(props: { integrations: IntegrationReadiness[]; controls: Map<string, ControlPosture> }) {
  const name = (i: IntegrationReadiness) => integrationName(i.integrationId);
  const sorted = [...props.integrations].sort(
    (a, b) => Number(b.integrationId === AMAZON) - Number(a.integrationId === AMAZON) || Number(a.ready) - Number(b.ready) || name(a).localeCompare(name(b)),
  );
  if (!sorted.length) return <Empty>No integrations are configured on this server.</Empty>;
  return (
    <>
      {sorted.some((i) => i.integrationId === AMAZON) ? null : (
        <p className="notice">Amazon SP-API is not configured as an integration on this server, so Tenet does not gate its buyer PII.</p>
      )}
      <ul className="integrations">
        {sorted.map((i) => (
          <Integration key={i.integrationId} integration={i} name={name(i)} controls={props.controls} featured={i.integrationId === AMAZON} />
        ))}
      </ul>
    </>
  );
}

function Integration(props: { integration: IntegrationReadiness; name: string; controls: Map<string, ControlPosture>; featured: boolean }) {
  const { integration: i, controls } = props;
  const title = (id: string) => controls.get(id)?.title ?? id;
  const blocking = i.controls
    .filter((c) => !c.satisfied)
    .sort(
      (a, b) =>
        (BLOCKING_ORDER[a.status] ?? 9) - (BLOCKING_ORDER[b.status] ?? 9) ||
        (SEVERITY_ORDER[controls.get(a.controlId)?.severity ?? ''] ?? 9) - (SEVERITY_ORDER[controls.get(b.controlId)?.severity ?? ''] ?? 9) ||
        a.controlId.localeCompare(b.controlId),
    );
  const excepted = i.controls.filter((c) => c.satisfied && c.exception);
  const headingId = `integration-${i.integrationId}`;
  // Blockers the engine reported that no control row explains (defensive: show them as text).
  const unexplained = blocking.length ? [] : i.blockers;
  const n = blocking.length;

  return (
    <li
      data-integration={i.integrationId}
      className={`integration ${!i.ready ? 'is-blocked' : i.byException ? 'is-excepted' : 'is-ready'}${props.featured ? ' integration-featured' : ''}`}
      aria-labelledby={headingId}
    >
      <div className="integration-head">
        <h3 id={headingId}>{props.name}</h3>
        <StatusBadge status={!i.ready ? 'not_ready' : i.byException ? 'ready_by_exception' : 'ready'} />
      </div>
      {props.featured ? (
        <p className="verdict">
          {i.ready ? (
            <>
              <strong>{i.byException ? 'Buyer PII may be accessed today, by exception.' : 'Buyer PII may be accessed today.'}</strong> Every control this
              integration needs passes{excepted.length ? ' or is covered by an approved exception' : ''}; each reveal is still decided by policy (role, MFA,
              order not yet redacted).
            </>
          ) : (
            <>
              <strong>Buyer PII is blocked today.</strong> Tenet's policy denies every data access through this integration, buyer-PII reveals included, until{' '}
              {n === 1 ? 'the control below passes or gets' : n > 1 ? `the ${n} controls below pass or get` : 'its controls pass or get'} an approved exception.
            </>
          )}
        </p>
      ) : null}
      {n ? (
        <>
          <p className="small muted blockers-intro">{n === 1 ? '1 control blocks it:' : `${n} controls block it:`}</p>
          <ul className="blockers">
            {blocking.map((c) => (
              <li key={c.controlId}>
                <Link to={`/controls/${encodeURIComponent(c.controlId)}`}>{title(c.controlId)}</Link>
                <StatusBadge status={c.status} />
                {controls.has(c.controlId) ? <span className="mono muted small">{c.controlId}</span> : null}
                {c.lastRunAt ? (
                  <span className="small muted">
                    last run <Time value={c.lastRunAt} mode="relative" />
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : unexplained.length ? (
        <ul className="blockers">
          {unexplained.map((b) => (
            <li key={b}>{b}</li>
          ))}
        </ul>
      ) : (
        <p className="small muted">
          {excepted.length
            ? `${i.controls.length - excepted.length} of its ${i.controls.length} controls pass; ${excepted.length === 1 ? 'one is' : `${excepted.length} are`} covered by an approved exception.`
            : i.controls.length === 1
              ? 'Its control passes.'
              : `All ${i.controls.length} of its controls pass.`}
        </p>
      )}
      {excepted.length ? (
        <p className="small excepted">
          <span className="muted">By exception: </span>
          {excepted.map((c, k) => (
            <span key={c.controlId}>
              {k ? '; ' : ''}
              <Link to={`/controls/${encodeURIComponent(c.controlId)}`}>{title(c.controlId)}</Link> ({statusLabel(c.status).toLowerCase()}, until{' '}
              <Time value={c.exception!.expiresAt} mode="date" />)
            </span>
          ))}
        </p>
      ) : null}
    </li>
  );
}

// ---- status counts ------------------------------------------------------------------------------------------

function StatusCounts(props: { controls: ControlPosture[] }) {
  const total = props.controls.length;
  const counts = Object.fromEntries(STATUSES.map((s) => [s, props.controls.filter((c) => c.status === s).length])) as Record<ControlStatus, number>;
  if (!total) return <Empty>No controls are in the catalogue.</Empty>;
  return (
    <>
      <div className="status-bar" aria-hidden="true">
        {STATUSES.filter((s) => counts[s]).map((s) => (
          <span key={s} className={`status-bar-seg seg-${s}`} style={{ flexGrow: counts[s] }} />
        ))}
      </div>
      <ul className="status-counts">
        {STATUSES.map((s) => (
          <li key={s}>
            <Link to={`/controls?status=${s}`} className={`status-count${counts[s] ? '' : ' is-zero'}`}>
              <span className="status-count-n">{counts[s]}</span>
              <StatusBadge status={s} />
            </Link>
          </li>
        ))}
      </ul>
      <p className="small muted">
        {total} controls in the catalogue. <Link to="/controls">All controls</Link>
      </p>
    </>
  );
}

// ---- pass rate ----------------------------------------------------------------------------------------------

function PassRate(props: { days: PostureDay[] }) {
  const { days } = props;
  if (!days.length || days.every((d) => d.passRate === null)) return <Empty>No control results in the last {HISTORY_DAYS} days yet.</Empty>;
  const points: TrendPoint[] = days.map((d) => ({
    date: d.date,
    value: d.passRate,
    details: { Passing: d.pass, Failing: d.fail, Error: d.error, Other: d.other },
  }));
  const latest = [...days].reverse().find((d) => d.passRate !== null)!;
  const evaluated = latest.pass + latest.fail + latest.error + (latest.stale ?? 0);
  return (
    <>
      <p className="trend-now">
        <span className="trend-now-value">{percent(latest.passRate!)}</span>{' '}
        <span className="muted small">
          passing on {formatDay(latest.date, true)}
          {evaluated ? ` (${latest.pass} of ${evaluated} evaluated controls)` : ''}
        </span>
      </p>
      <TrendChart points={points} label="Pass rate over the last 30 days" valueLabel="Pass rate" testId="trend-chart" />
    </>
  );
}
