import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { call, client } from '../api.ts';
import type { ControlPosture } from '../api/models.ts';
import { invalidateAfterRun, useControl, useIntegrations } from '../queries.ts';
import { useSession } from '../session.tsx';
import { frameworkLabel, titledIntegrationName as integrationName } from '../ui/format.ts';
import { Page, Panel } from '../ui/page.tsx';
import { ErrorState, QueryState } from '../ui/states.tsx';
import { StatusBadge, statusLabel } from '../ui/status.tsx';
import { Exceptions } from './control-detail/exceptions.tsx';
import { Findings } from './control-detail/findings.tsx';
import { History } from './control-detail/history.tsx';

const severityLabel = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

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
            <dt>Requirements it answers</dt>
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
            <dd>{c.freshFor}</dd>
            {mayReadIntegrations && integrations.isSuccess ? (
              <>
                <dt>Required by</dt>
                <dd>
                  {requiredBy.length ? (
                    <ul className="inline-list">
                      {requiredBy.map((i) => (
                        <li key={i.integrationId}>
                          {integrationName(i.integrationId)} <StatusBadge status={i.ready ? 'ready' : 'not_ready'} />
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
  const queryClient = useQueryClient();
  const run = useMutation({
    mutationFn: () => call(client.POST('/v1/controls/run', { body: { controls: [props.id] } })),
    onSuccess: () => invalidateAfterRun(queryClient, [props.id]),
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
