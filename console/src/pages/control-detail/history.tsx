import { useId, useState } from 'react';
import type { StoredRun } from '../../api/models.ts';
import { useRunEvidence, useRuns } from '../../queries.ts';
import { useSession } from '../../session.tsx';
import { duration } from '../../ui/format.ts';
import { Empty, ErrorState, QueryState } from '../../ui/states.tsx';
import { StatusBadge } from '../../ui/status.tsx';
import { Time } from '../../ui/time.tsx';

const TRIGGER: Record<string, string> = { schedule: 'Scheduled', manual: 'Manual', startup: 'At start-up' };

export function History(props: { controlId: string }) {
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
        const e = d.evidence;
        if (!e) return <p className="small muted">No evidence record for this run{props.run.status === 'running' ? ' yet: it is still running' : ''}.</p>;
        const { seq, hash, prevHash, collectedAt, ...rest } = e;
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
                <span className="hash">{prevHash}</span>
              </dd>
              <dt>Recorded</dt>
              <dd>
                <Time value={collectedAt} />
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
