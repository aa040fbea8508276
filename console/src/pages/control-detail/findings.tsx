import type { ControlPosture, Finding } from '../../api/models.ts';
import { Empty } from '../../ui/states.tsx';
import { StatusBadge } from '../../ui/status.tsx';
import { Time } from '../../ui/time.tsx';

/** "From the … run" */
const TRIGGER_RUN: Record<string, string> = { schedule: 'scheduled run', manual: 'manual run', startup: 'start-up run' };

function findingResource(f: Finding): string | undefined {
  if (f.resourceId) return f.resourceType ? `${f.resourceType} ${f.resourceId}` : f.resourceId;
  return f.resourceType;
}

export function Findings(props: { control: ControlPosture }) {
  const { control: c } = props;
  const run = c.lastRun;
  if (!run) return <Empty>This control has not run yet, so it has no findings.</Empty>;
  const findings = run.findings;
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
                  {f.message || '(no message)'}
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
