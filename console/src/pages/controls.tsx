import { useId } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useControls } from '../queries.ts';
import type { ControlPosture, ControlStatus } from '../api/models.ts';
import { frameworkLabel } from '../ui/format.ts';
import { Page } from '../ui/page.tsx';
import { Empty, QueryState } from '../ui/states.tsx';
import { StatusBadge, statusLabel } from '../ui/status.tsx';
import { Time } from '../ui/time.tsx';

const STATUSES: ControlStatus[] = ['pass', 'fail', 'error', 'stale', 'never_run', 'not_applicable'];
const SEVERITIES: Array<ControlPosture['severity']> = ['critical', 'high', 'medium', 'low'];
/** Framework filter: URL value → the framework prefix of a control's refs ("SPAPI-DPP:2.1"). */
const FRAMEWORKS = [
  { value: 'addendum', prefix: 'security-addendum', label: 'Addendum' },
  { value: 'spapi-dpp', prefix: 'amazon-spapi-dpp', label: 'SP-API DPP' },
  { value: 'google', prefix: 'google-limited-use-casa', label: 'Google / CASA' },
];
/** Worst first, so what needs attention leads the table. */
const STATUS_RANK: Record<string, number> = { fail: 0, error: 1, stale: 2, never_run: 3, pass: 4, not_applicable: 5 };
const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };

const severityLabel = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export default function Controls() {
  const query = useControls();
  const [params, setParams] = useSearchParams();
  const ids = { status: useId(), severity: useId(), framework: useId(), search: useId() };

  // Unknown values in a hand-edited URL count as "all".
  const pick = <T extends string>(key: string, allowed: readonly T[]): T | '' => {
    const v = params.get(key) ?? '';
    return (allowed as readonly string[]).includes(v) ? (v as T) : '';
  };
  const status = pick('status', STATUSES);
  const severity = pick('severity', SEVERITIES);
  const framework = pick(
    'framework',
    FRAMEWORKS.map((f) => f.value),
  );
  const search = params.get('q') ?? '';
  const filtered = Boolean(status || severity || framework || search);

  const set = (key: string, value: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      // typing in the search box should not add a history entry per keystroke
      { replace: key === 'q' },
    );

  return (
    <Page title="Controls" lead="Every control Tenet runs, its current result and the commitments it verifies.">
      <form className="filters controls-filters" role="search" aria-label="Filter controls" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor={ids.status}>Status</label>
          <select id={ids.status} value={status} onChange={(e) => set('status', e.target.value)}>
            <option value="">All statuses</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.severity}>Severity</label>
          <select id={ids.severity} value={severity} onChange={(e) => set('severity', e.target.value)}>
            <option value="">All severities</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {severityLabel(s)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.framework}>Framework</label>
          <select id={ids.framework} value={framework} onChange={(e) => set('framework', e.target.value)}>
            <option value="">All frameworks</option>
            {FRAMEWORKS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-grow">
          <label htmlFor={ids.search}>Search</label>
          <input
            id={ids.search}
            type="search"
            value={search}
            placeholder="Title, id or commitment"
            autoComplete="off"
            onChange={(e) => set('q', e.target.value)}
          />
        </div>
        {filtered ? (
          <button type="button" className="btn btn-ghost" onClick={() => setParams(new URLSearchParams())}>
            Clear filters
          </button>
        ) : null}
      </form>

      <QueryState query={query} label="Loading controls…">
        {(controls) => {
          const needle = search.trim().toLowerCase();
          const prefix = FRAMEWORKS.find((f) => f.value === framework)?.prefix;
          const rows = controls
            .filter((c) => !status || c.status === status)
            .filter((c) => !severity || c.severity === severity)
            .filter((c) => !prefix || c.frameworks.some((f) => f.split(':')[0] === prefix))
            .filter(
              (c) =>
                !needle || [c.title, c.id, c.commitment, ...c.frameworks, ...c.frameworks.map(frameworkLabel)].some((t) => t.toLowerCase().includes(needle)),
            )
            .sort(
              (a, b) =>
                (STATUS_RANK[a.status] ?? 9) - (STATUS_RANK[b.status] ?? 9) ||
                (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) ||
                a.title.localeCompare(b.title),
            );
          return (
            <>
              <p className="muted small results-count" role="status" aria-live="polite">
                {filtered ? `${rows.length} of ${controls.length} controls match.` : `${controls.length} controls.`}
              </p>
              {rows.length ? (
                <div className="table-wrap">
                  <table aria-label="Controls" className="controls-table">
                    <thead>
                      <tr>
                        <th scope="col">Control</th>
                        <th scope="col">Status</th>
                        <th scope="col">Severity</th>
                        <th scope="col">Requirements</th>
                        <th scope="col">Last run</th>
                      </tr>
                    </thead>
                    <tbody>
                      {rows.map((c) => (
                        <tr key={c.id}>
                          <td className="control-cell">
                            <Link to={`/controls/${encodeURIComponent(c.id)}`}>{c.title}</Link>
                            <span className="mono muted small control-id">{c.id}</span>
                          </td>
                          <td>
                            <StatusBadge status={c.status} />
                          </td>
                          <td>
                            <span className={`severity severity-${c.severity}`}>{severityLabel(c.severity)}</span>
                          </td>
                          <td className="frameworks-cell">
                            {c.frameworks.map((f) => (
                              <span className="tag" key={f}>
                                {frameworkLabel(f)}
                              </span>
                            ))}
                          </td>
                          <td className="nowrap">
                            {c.lastRun ? <Time value={c.lastRun.finishedAt ?? c.lastRun.startedAt} /> : <span className="muted">Never</span>}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : (
                <Empty>{controls.length ? 'No control matches these filters.' : 'No controls are in the catalogue.'}</Empty>
              )}
            </>
          );
        }}
      </QueryState>
    </Page>
  );
}
