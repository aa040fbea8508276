import { useMutation } from '@tanstack/react-query';
import { useId } from 'react';
import { call, client, type RequestBody } from '../../api.ts';
import { Panel } from '../../ui/page.tsx';
import { ErrorState } from '../../ui/states.tsx';
import { Time } from '../../ui/time.tsx';
import { CheckReportView } from './cedar.tsx';
import { readReport, SET_LABEL, type PolicySet } from './model.ts';

/** Runs the decision tables (policies/cases/*.json) against the active version of the chosen set. */
export function DecisionTablesPanel(props: { active: PolicySet }) {
  const { active } = props;
  const ids = useId();
  const label = SET_LABEL[active.name];
  const run = useMutation({
    mutationFn: async (src: RequestBody<'/v1/policies/validate', 'post'>) => ({
      report: await call(client.POST('/v1/policies/validate', { body: src })),
      at: new Date(),
      hash: active.hash,
    }),
  });
  const r = run.data ? readReport(run.data.report) : null;

  return (
    <Panel title="Decision tables" actions={<span className="tag">{label} set</span>}>
      <p className="muted small">
        The decision tables are the cases every version must pass before it goes live. Run them against the active {label} version to prove it still behaves as
        written.
      </p>
      <div className="form-row">
        <button
          type="button"
          className="btn"
          disabled={run.isPending}
          onClick={() => run.mutate({ name: active.name, policies: active.policies, schema: active.schema })}
        >
          {run.isPending ? 'Running…' : 'Run decision tables'}
        </button>
      </div>
      {run.isPending ? (
        <p role="status" className="muted">
          Running the decision tables…
        </p>
      ) : null}
      {run.isError ? <ErrorState title="Could not run the decision tables" error={run.error} /> : null}
      {run.isSuccess && r ? (
        <section
          className={r.ok ? 'pol-result pol-result-good' : 'pol-result pol-result-bad'}
          role={r.ok ? 'status' : 'alert'}
          aria-labelledby={`${ids}-title`}
        >
          <h3 id={`${ids}-title`}>{r.ok ? 'All cases pass' : 'Some cases fail'}</h3>
          <div className="pol-stats">
            <div className="stat">
              <span className="value">{r.passed ?? '—'}</span>
              <span className="label">passed</span>
            </div>
            <div className="stat">
              <span className="value">{r.failures.length}</span>
              <span className="label">failed</span>
            </div>
            <p className="muted small">
              Ran <Time value={run.data.at} /> on the active {label} version{run.data.hash ? ' ' : ''}
              {run.data.hash ? <span className="hash">{run.data.hash.slice(0, 12)}…</span> : null}.
            </p>
          </div>
          <CheckReportView
            report={run.data.report}
            tablesCaption={`Failing decision-table cases of the active ${label} set`}
            headingLevel={4}
            summary={Boolean(r.errors.length)}
          />
        </section>
      ) : null}
    </Panel>
  );
}
