import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api.ts';
import {
  invalidateAfterException,
  invalidateAfterRun,
  useControl,
  useExceptions,
  useIntegrations,
  useRunEvidence,
  useRuns,
  type RunEvidence,
} from '../queries.ts';
import { useSession } from '../session.tsx';
import type { ControlException, ControlPosture, Finding, IntegrationReadiness, StoredRun } from '../types.ts';
import { duration, frameworkLabel, integrationName as baseIntegrationName } from '../ui/format.ts';
import { Page, Panel } from '../ui/page.tsx';
import { Empty, ErrorState, QueryState } from '../ui/states.tsx';
import { StatusBadge, statusLabel } from '../ui/status.tsx';
import { Time } from '../ui/time.tsx';

const TRIGGER: Record<string, string> = { schedule: 'Scheduled', manual: 'Manual', startup: 'At start-up' };
/** "From the … run" */
const TRIGGER_RUN: Record<string, string> = { schedule: 'scheduled run', manual: 'manual run', startup: 'start-up run' };
const severityLabel = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** The shared name, with unknown ids in title case ("google_ads" → "Google Ads"). */
const integrationName = (id: string, name?: string) => {
  const n = baseIntegrationName(id, name);
  return n === id.replace(/_/g, ' ') ? n.replace(/\b[a-z]/g, (ch) => ch.toUpperCase()) : n;
};

export default function ControlDetail() {
  const { id = '' } = useParams();
  const { can } = useSession();
  const control = useControl(id);
  const c = control.data;

  return (
    <Page
      title={c?.title ?? (control.isError ? 'Control not available' : 'Control')}
      lead={
        c ? (
          <span className="control-meta">
            <span className="mono">{c.id}</span>
            <StatusBadge status={c.status} />
            <span className={`severity severity-${c.severity}`}>{severityLabel(c.severity)} severity</span>
          </span>
        ) : undefined
      }
      actions={c && can('controls', 'run') ? <RunNow id={c.id} /> : undefined}
    >
      <p className="back-link small">
        <Link to="/controls">
          <span aria-hidden="true">← </span>All controls
        </Link>
      </p>
      <QueryState query={control} label="Loading the control…">
        {(posture) => <Detail control={posture} />}
      </QueryState>
    </Page>
  );
}

function Detail(props: { control: ControlPosture }) {
  const { control: c } = props;
  const { can } = useSession();
  const mayReadIntegrations = can('integrations', 'read');
  const integrations = useIntegrations({ enabled: mayReadIntegrations });
  const requiredBy = (integrations.data ?? []).filter((i) => i.controls.some((r) => r.controlId === c.id));

  return (
    <>
      <div className="detail-grid">
        <Panel title="Commitment">
          <blockquote className="commitment">{c.commitment}</blockquote>
          <dl className="facts">
            <dt>Frameworks</dt>
            <dd>
              {c.frameworks.length
                ? c.frameworks.map((f) => (
                    <span className="tag" key={f} title={f}>
                      {frameworkLabel(f)}
                    </span>
                  ))
                : '—'}
            </dd>
            <dt>Schedule</dt>
            <dd>
              <code>{c.schedule}</code>
            </dd>
            <dt>Fresh for</dt>
            <dd>{typeof c.freshFor === 'number' ? duration(c.freshFor) : c.freshFor}</dd>
            {mayReadIntegrations && integrations.isSuccess ? (
              <>
                <dt>Required by</dt>
                <dd>
                  {requiredBy.length ? (
                    <ul className="inline-list">
                      {requiredBy.map((i) => (
                        <li key={i.integrationId}>
                          {integrationName(i.integrationId, i.name)} <StatusBadge status={i.ready ? 'ready' : 'not_ready'} />
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <span className="muted">No configured integration</span>
                  )}
                </dd>
              </>
            ) : null}
          </dl>
          <h3>Remediation</h3>
          <p className="remediation">{c.remediation}</p>
        </Panel>

        <Panel title="Findings">
          <Findings control={c} />
        </Panel>
      </div>

      <Panel title="Status history">
        <History controlId={c.id} />
      </Panel>

      <Panel title="Exceptions">
        <Exceptions control={c} integrations={requiredBy} integrationsState={mayReadIntegrations ? integrations : undefined} />
      </Panel>
    </>
  );
}

// ---- run now ------------------------------------------------------------------------------------------------

function RunNow(props: { id: string }) {
  const client = useQueryClient();
  const run = useMutation({
    // The engine's body is {controls: [...]} (strict: other keys are refused).
    mutationFn: () => api<{ runs: StoredRun[] }>('/v1/controls/run', { method: 'POST', body: { controls: [props.id] } }),
    onSuccess: () => invalidateAfterRun(client, [props.id]),
  });
  const result = run.data?.runs.find((r) => r.controlId === props.id) ?? run.data?.runs[0];
  return (
    <div className="run-now">
      <button type="button" className="btn btn-primary" disabled={run.isPending} aria-busy={run.isPending} onClick={() => run.mutate()}>
        {run.isPending ? <span className="spinner" aria-hidden="true" /> : null}
        Run now
      </button>
      <p role="status" className="run-now-status small">
        {run.isPending ? 'Running the control…' : run.isSuccess && result ? `Run finished: ${statusLabel(result.status)}` : ''}
      </p>
      {run.isError ? <ErrorState title="The run could not start" error={run.error} /> : null}
    </div>
  );
}

// ---- findings -----------------------------------------------------------------------------------------------

function findingResource(f: Finding): string | undefined {
  const r = f.resource ?? f.resourceId;
  const type = typeof f.resourceType === 'string' ? f.resourceType : undefined;
  if (typeof r === 'string' && r) return type ? `${type} ${r}` : r;
  return type;
}

function findingMessage(f: Finding): string {
  if (typeof f.message === 'string' && f.message) return f.message;
  if (typeof f.detail === 'string' && f.detail) return f.detail;
  const { resource: _r, resourceId: _i, resourceType: _t, severity: _s, ...rest } = f;
  return Object.keys(rest).length ? JSON.stringify(rest) : '(no message)';
}

function Findings(props: { control: ControlPosture }) {
  const { control: c } = props;
  const run = c.lastRun;
  if (!run) return <Empty>This control has not run yet, so it has no findings.</Empty>;
  const findings = Array.isArray(run.findings) ? run.findings : [];
  const failing = run.status === 'fail' || run.status === 'error';
  return (
    <>
      <p className="small muted">
        From the {TRIGGER_RUN[run.trigger] ?? `${run.trigger} run`} of <Time value={run.finishedAt ?? run.startedAt} />: <StatusBadge status={run.status} />
      </p>
      {run.summary ? <p className="run-summary">{run.summary}</p> : null}
      {findings.length ? (
        <ul className="findings">
          {findings.map((f, k) => {
            const resource = findingResource(f);
            return (
              <li key={`${k}-${resource ?? ''}`} className={f.severity === 'info' ? 'finding finding-info' : 'finding'}>
                {resource ? <span className="finding-resource mono">{resource}</span> : null}
                <span className="finding-message">
                  {f.severity === 'info' ? <span className="tag">Note</span> : null}
                  {findingMessage(f)}
                </span>
              </li>
            );
          })}
        </ul>
      ) : (
        <Empty>{run.status === 'pass' ? 'No findings: the last run passed.' : 'The last run reported no findings.'}</Empty>
      )}
      {failing ? (
        <div className="how-to-fix">
          <h3>How to fix</h3>
          <p>{c.remediation}</p>
        </div>
      ) : null}
    </>
  );
}

// ---- status history -----------------------------------------------------------------------------------------

function History(props: { controlId: string }) {
  const runs = useRuns(props.controlId);
  const { can } = useSession();
  const mayReadEvidence = can('evidence', 'read');
  return (
    <QueryState query={runs} label="Loading the run history…">
      {(data) => {
        const all = data.pages.flatMap((p) => p.runs);
        if (!all.length) return <Empty>This control has not run yet.</Empty>;
        return (
          <>
            <ol className="timeline run-timeline">
              {all.map((r) => (
                <RunItem key={r.id} run={r} controlId={props.controlId} mayReadEvidence={mayReadEvidence} />
              ))}
            </ol>
            {runs.isFetchNextPageError ? <ErrorState title="Could not load more runs" error={runs.error} retry={() => void runs.fetchNextPage()} /> : null}
            <div className="load-more">
              {runs.hasNextPage ? (
                <button
                  type="button"
                  className="btn"
                  disabled={runs.isFetchingNextPage}
                  aria-busy={runs.isFetchingNextPage}
                  onClick={() => void runs.fetchNextPage()}
                >
                  {runs.isFetchingNextPage ? <span className="spinner" aria-hidden="true" /> : null}
                  Load more
                </button>
              ) : (
                <p className="small muted">{all.length === 1 ? 'This is the only run.' : `All ${all.length} runs shown.`}</p>
              )}
            </div>
          </>
        );
      }}
    </QueryState>
  );
}

function RunItem(props: { run: StoredRun; controlId: string; mayReadEvidence: boolean }) {
  const { run } = props;
  const [open, setOpen] = useState(false);
  const regionId = useId();
  const metaId = useId();
  return (
    <li className="run">
      <div className="run-status">
        <StatusBadge status={run.status} />
      </div>
      <div className="run-body">
        <p className="run-meta small" id={metaId}>
          <Time value={run.startedAt} />
          <span className="sep" aria-hidden="true">
            ·
          </span>
          <span>
            {TRIGGER[run.trigger] ?? run.trigger}
            {run.requestedBy ? ` by ${run.requestedBy}` : ''}
          </span>
          <span className="sep" aria-hidden="true">
            ·
          </span>
          <span>
            <span className="visually-hidden">took </span>
            {duration(run.durationMs)}
          </span>
        </p>
        {run.summary ? <p className="run-summary">{run.summary}</p> : null}
        {props.mayReadEvidence ? (
          <>
            <button
              type="button"
              className="btn btn-small"
              aria-expanded={open}
              aria-controls={regionId}
              aria-describedby={metaId}
              onClick={() => setOpen((o) => !o)}
            >
              <span aria-hidden="true" className="disclosure">
                {open ? '▾' : '▸'}
              </span>
              Evidence
            </button>
            <div id={regionId} className="run-evidence" hidden={!open}>
              {open ? <EvidenceView controlId={props.controlId} run={run} /> : null}
            </div>
          </>
        ) : run.evidenceSeq !== null ? (
          <p className="small muted">Evidence record #{run.evidenceSeq}</p>
        ) : null}
      </div>
    </li>
  );
}

function EvidenceView(props: { controlId: string; run: StoredRun }) {
  const detail = useRunEvidence(props.controlId, props.run.id);
  return (
    <QueryState query={detail} label="Loading the evidence record…">
      {(d) => {
        const e: RunEvidence | null = d.evidence;
        if (!e) return <p className="small muted">No evidence record for this run{props.run.status === 'running' ? ' yet: it is still running' : ''}.</p>;
        const { seq, hash, prevHash, recordedAt, collectedAt, ...rest } = e;
        return (
          <div className="evidence">
            <dl className="facts">
              <dt>Sequence</dt>
              <dd>
                <span className="mono">#{String(seq)}</span>
              </dd>
              <dt>Hash</dt>
              <dd>
                <span className="hash">{hash}</span>
              </dd>
              <dt>Previous hash</dt>
              <dd>
                <span className="hash">{prevHash ?? '—'}</span>
              </dd>
              <dt>Recorded</dt>
              <dd>
                <Time value={recordedAt ?? collectedAt} />
              </dd>
            </dl>
            <details className="evidence-json">
              <summary>Full record (JSON)</summary>
              <pre tabIndex={0} aria-label={`Evidence record ${String(seq)} as JSON`}>
                {JSON.stringify(rest, null, 2)}
              </pre>
            </details>
          </div>
        );
      }}
    </QueryState>
  );
}

// ---- exceptions ---------------------------------------------------------------------------------------------

function exceptionState(e: ControlException): { status: string; label: string } {
  if (e.revokedAt) return { status: 'revoked', label: 'Revoked' };
  if (e.active) return { status: 'stale', label: 'Active' };
  return { status: 'expired', label: 'Expired' };
}

function Exceptions(props: { control: ControlPosture; integrations: IntegrationReadiness[]; integrationsState?: ReturnType<typeof useIntegrations> }) {
  const { can } = useSession();
  const mayRead = can('exceptions', 'read');
  const mayApprove = can('exceptions', 'approve');
  const exceptions = useExceptions({ enabled: mayRead });
  const client = useQueryClient();
  const revoke = useMutation({
    mutationFn: (id: string) => api<{ revoked: string }>(`/v1/exceptions/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => invalidateAfterException(client),
  });

  return (
    <>
      <p className="small muted">
        An approved exception makes this control count as satisfied for integration readiness until it expires, even while it does not pass.
      </p>
      {mayRead ? (
        <QueryState query={exceptions} label="Loading exceptions…">
          {(all) => {
            const rows = all
              .filter((e) => e.controlId === props.control.id)
              .sort((a, b) => Number(b.active) - Number(a.active) || b.createdAt.localeCompare(a.createdAt));
            if (!rows.length) return <Empty>No exception has been approved for this control.</Empty>;
            return (
              // focusable: on a phone the table scrolls sideways, and may hold nothing else to focus (axe: scrollable-region-focusable)
              <div className="table-wrap" tabIndex={0}>
                <table aria-label="Exceptions" className="exceptions-table">
                  <thead>
                    <tr>
                      <th scope="col">Integration</th>
                      <th scope="col">Reason</th>
                      <th scope="col">Approved by</th>
                      <th scope="col">Expires</th>
                      <th scope="col">State</th>
                      {mayApprove ? (
                        <th scope="col">
                          <span className="visually-hidden">Actions</span>
                        </th>
                      ) : null}
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((e) => {
                      const state = exceptionState(e);
                      return (
                        <tr key={e.id}>
                          <td>{e.integrationId ? integrationName(e.integrationId) : 'All integrations'}</td>
                          <td className="reason-cell">{e.reason}</td>
                          <td>
                            {e.approvedBy}
                            <span className="small muted block">
                              <Time value={e.createdAt} />
                            </span>
                          </td>
                          <td className="nowrap">
                            <Time value={e.expiresAt} />
                          </td>
                          <td>
                            <StatusBadge status={state.status} label={state.label} />
                            {e.revokedAt ? (
                              <span className="small muted block">
                                by {e.revokedBy ?? 'unknown'}, <Time value={e.revokedAt} />
                              </span>
                            ) : null}
                          </td>
                          {mayApprove ? (
                            <td>
                              {e.active && !e.revokedAt ? (
                                <button type="button" className="btn btn-danger btn-small" disabled={revoke.isPending} onClick={() => revoke.mutate(e.id)}>
                                  {revoke.isPending && revoke.variables === e.id ? 'Revoking…' : 'Revoke'}
                                </button>
                              ) : null}
                            </td>
                          ) : null}
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            );
          }}
        </QueryState>
      ) : (
        <Empty>Your role may not read exceptions.</Empty>
      )}
      {mayApprove ? (
        <>
          <p role="status" className={revoke.isSuccess ? 'notice notice-good' : 'live-empty'}>
            {revoke.isSuccess ? 'Exception revoked' : ''}
          </p>
          {revoke.isError ? <ErrorState title="Could not revoke the exception" error={revoke.error} /> : null}
          <ApproveForm control={props.control} integrations={props.integrations} integrationsState={props.integrationsState} />
        </>
      ) : null}
    </>
  );
}

/** yyyy-mm-dd of a date in the viewer's zone (what <input type=date> shows). */
const localDate = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const daysFromNow = (n: number) => {
  const d = new Date();
  d.setDate(d.getDate() + n);
  return d;
};

function ApproveForm(props: { control: ControlPosture; integrations: IntegrationReadiness[]; integrationsState?: ReturnType<typeof useIntegrations> }) {
  const client = useQueryClient();
  const ids = { integration: useId(), reason: useId(), reasonHint: useId(), expires: useId(), expiresHint: useId() };
  const [integration, setIntegration] = useState('');
  const [reason, setReason] = useState('');
  const [expires, setExpires] = useState(() => localDate(daysFromNow(30)));
  const approve = useMutation({
    mutationFn: (body: { controlId: string; integrationId?: string; reason: string; expiresAt: string }) =>
      api<ControlException>('/v1/exceptions', { method: 'POST', body }),
    onSuccess: async () => {
      await invalidateAfterException(client);
      setReason('');
      setIntegration('');
      setExpires(localDate(daysFromNow(30)));
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const [y, m, d] = expires.split('-').map(Number);
    // The exception lasts to the end of the chosen day in the viewer's zone.
    const expiresAt = new Date(y!, m! - 1, d!, 23, 59, 59).toISOString();
    approve.mutate({ controlId: props.control.id, ...(integration ? { integrationId: integration } : {}), reason: reason.trim(), expiresAt });
  };

  return (
    <form className="form exception-form" onSubmit={submit} aria-labelledby={`${ids.integration}-title`}>
      <h3 id={`${ids.integration}-title`}>Approve an exception</h3>
      <div className="form-row">
        <div className="field">
          <label htmlFor={ids.integration}>Integration</label>
          <select id={ids.integration} value={integration} onChange={(e) => setIntegration(e.target.value)}>
            <option value="">All integrations</option>
            {props.integrations.map((i) => (
              <option key={i.integrationId} value={i.integrationId}>
                {integrationName(i.integrationId, i.name)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.expires}>Expires on</label>
          <input
            id={ids.expires}
            type="date"
            required
            value={expires}
            min={localDate(daysFromNow(1))}
            max={localDate(daysFromNow(365))}
            aria-describedby={ids.expiresHint}
            onChange={(e) => setExpires(e.target.value)}
          />
          <span className="hint" id={ids.expiresHint}>
            At the end of that day; at most a year.
          </span>
        </div>
      </div>
      {props.integrationsState?.isError ? (
        <p className="small muted">The integrations could not be loaded: the exception can still cover all of them.</p>
      ) : null}
      <div className="field">
        <label htmlFor={ids.reason}>Reason</label>
        <textarea
          id={ids.reason}
          required
          minLength={10}
          maxLength={2000}
          rows={3}
          value={reason}
          aria-describedby={ids.reasonHint}
          onChange={(e) => setReason(e.target.value)}
        />
        <span className="hint" id={ids.reasonHint}>
          Why the risk is accepted and what compensates for it (at least 10 characters). Recorded with your name.
        </span>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={approve.isPending} aria-busy={approve.isPending}>
          {approve.isPending ? <span className="spinner" aria-hidden="true" /> : null}
          Approve exception
        </button>
      </div>
      <p role="status" className={approve.isSuccess ? 'notice notice-good' : 'live-empty'}>
        {approve.isSuccess ? 'Exception approved' : ''}
      </p>
      {approve.isError ? <ErrorState title="Could not approve the exception" error={approve.error} /> : null}
    </form>
  );
}
