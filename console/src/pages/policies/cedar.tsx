import { Fragment } from 'react';
import { StatusBadge } from '../../ui/status.tsx';
import { policyAnchor, readReport, splitPolicies, type CheckReport, type PolicySetName } from './model.ts';

/** Comment lines muted, code as is: a light touch that keeps long Cedar files readable. */
function CedarLines(props: { text: string }) {
  const lines = props.text.split('\n');
  return (
    <>
      {lines.map((line, i) => (
        <Fragment key={i}>
          {/^\s*\/\//.test(line) ? <span className="cedar-comment">{line}</span> : line}
          {i < lines.length - 1 ? '\n' : null}
        </Fragment>
      ))}
    </>
  );
}

/**
 * A whole policy file in a scrollable, keyboard-focusable box. Each policy with an @id is wrapped in an element
 * that can be jumped to (id = policyAnchor(set, id)).
 */
export function CedarFile(props: { text: string; set: PolicySetName; label: string; id?: string }) {
  const segments = splitPolicies(props.text);
  return (
    <div className="pol-code" role="group" aria-label={props.label} tabIndex={0} id={props.id}>
      <pre className="cedar">
        <code>
          {segments.map((s, i) =>
            s.id ? (
              <span key={`p-${s.id}-${i}`} id={policyAnchor(props.set, s.id)} className="cedar-policy" tabIndex={-1} data-policy-id={s.id}>
                <CedarLines text={s.text} />
              </span>
            ) : (
              <CedarLines key={`t-${i}`} text={s.text} />
            ),
          )}
        </code>
      </pre>
    </div>
  );
}

/** One policy's (or any short) Cedar text. */
export function CedarSnippet(props: { text: string }) {
  return (
    <pre className="cedar cedar-snippet">
      <code>
        <CedarLines text={props.text} />
      </code>
    </pre>
  );
}

/**
 * A validation / decision-table report, read defensively: validation errors and warnings, passed and failed
 * counts, and the failing cases as a table.
 */
export function CheckReportView(props: { report: CheckReport | undefined | null; tablesCaption?: string; headingLevel?: 3 | 4; summary?: boolean }) {
  const r = readReport(props.report);
  const H = props.headingLevel === 4 ? 'h4' : 'h3';
  return (
    <div className="pol-report">
      {props.summary === false ? null : (
        <p className="pol-report-summary">
          <StatusBadge status={r.ok ? 'pass' : 'fail'} label={r.ok ? 'Passes' : 'Does not pass'} />{' '}
          {r.errors.length ? (
            <span>
              {r.errors.length} validation error{r.errors.length === 1 ? '' : 's'}
              {r.tablesRan ? '; ' : ': the decision tables did not run.'}
            </span>
          ) : (
            <span>Validates against its schema{r.tablesRan ? '; ' : '.'}</span>
          )}
          {r.tablesRan ? (
            <span>
              decision tables: <strong>{r.passed ?? '—'}</strong> passed, <strong>{r.failures.length}</strong> failed.
            </span>
          ) : null}
        </p>
      )}
      {r.hash && props.summary !== false ? (
        <p className="muted small">
          Hash <span className="hash">{r.hash}</span>
        </p>
      ) : null}
      <Problems title="Validation errors" items={r.errors} level={props.headingLevel} />
      <Problems title="Warnings" items={r.warnings} level={props.headingLevel} warn />
      {r.failures.length ? (
        <>
          <H>Failing cases</H>
          <div className="table-wrap">
            <table className="pol-table">
              <caption className="visually-hidden">{props.tablesCaption ?? 'Failing decision-table cases'}</caption>
              <thead>
                <tr>
                  <th scope="col">Case</th>
                  <th scope="col">Expected</th>
                  <th scope="col">Actual</th>
                  <th scope="col">Determining policies</th>
                  <th scope="col">Errors</th>
                </tr>
              </thead>
              <tbody>
                {r.failures.map((f, i) => (
                  <tr key={`${f.file ?? ''}-${f.name ?? ''}-${i}`}>
                    <td>
                      {f.name ?? <span className="muted">(unnamed case)</span>}
                      {f.file ? <div className="muted small mono">{f.file}</div> : null}
                    </td>
                    <td className="mono small">{String(f.expected ?? '—')}</td>
                    <td className="mono small">{String(f.actual ?? '—')}</td>
                    <td>
                      {f.reasons?.length ? (
                        f.reasons.map((x) => (
                          <span key={x} className="tag mono">
                            {x}
                          </span>
                        ))
                      ) : (
                        <span className="muted">none</span>
                      )}
                    </td>
                    <td className="small">
                      {f.errors?.length ? (
                        <ul className="pol-plain-list">
                          {f.errors.map((e, k) => (
                            <li key={k}>{e}</li>
                          ))}
                        </ul>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </div>
  );
}

/** A titled list of problems (validation errors, warnings, decision errors) as the engine words them; nothing when empty. */
export function Problems(props: { title: string; items: string[] | undefined; level?: 3 | 4; warn?: boolean }) {
  if (!props.items?.length) return null;
  const H = props.level === 4 ? 'h4' : 'h3';
  return (
    <>
      <H>{props.title}</H>
      <ul className={props.warn ? 'pol-problems pol-problems-warn' : 'pol-problems'}>
        {props.items.map((e, i) => (
          <li key={i} className="mono">
            {e}
          </li>
        ))}
      </ul>
    </>
  );
}
