import { useInfiniteQuery } from '@tanstack/react-query';
import { Fragment, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { call, client, type Schemas } from '../api.ts';
import { ExportCsv, ExportNotice, useExportOutcome } from '../ui/export-csv.tsx';
import { Page, Panel } from '../ui/page.tsx';
import { Empty, QueryState } from '../ui/states.tsx';
import { StatusBadge } from '../ui/status.tsx';
import { Time } from '../ui/time.tsx';
import {
  AppliedFilters,
  Caller,
  FilterForm,
  FilterLink,
  firstPageState,
  LoadMore,
  ReasonTags,
  UidCell,
  useAppliedFilters,
  type FilterSpec,
} from '../ui/audit-log.tsx';

type DecisionRow = Schemas['LoggedDecision'];

const FILTERS: FilterSpec[] = [
  { name: 'principal', label: 'Principal', kind: 'uid', placeholder: 'User::asha', hint: 'As Type::id.' },
  { name: 'action', label: 'Action', kind: 'text', placeholder: 'reveal_buyer_pii', hint: 'The exact action id.' },
  { name: 'resource', label: 'Resource', kind: 'uid', placeholder: 'Order::o-1001', hint: 'As Type::id.' },
  { name: 'decision', label: 'Decision', kind: 'decision' },
  { name: 'from', label: 'From', kind: 'datetime' },
  { name: 'to', label: 'To', kind: 'datetime' },
];

const PAGE_SIZE = 50;

type DecisionSet = 'platform' | 'tenet';

/** The two logs in one table: the platform's decisions, and Tenet's own route checks (every console page load makes some). */
const SETS: Array<{ id: DecisionSet; label: string; noun: string; lead: string }> = [
  {
    id: 'platform',
    label: 'Platform decisions',
    noun: 'platform decisions',
    lead: 'Decisions of the platform policy set, asked for by your apps through /v1/authorize.',
  },
  {
    id: 'tenet',
    label: 'Tenet route checks',
    noun: 'Tenet route checks',
    lead: 'Tenet’s own access checks: which key or person called which of Tenet’s routes (the console’s own calls included), and the answer.',
  },
];

/** The set shown: `?set=tenet` for Tenet's own route checks; the platform's decisions otherwise. */
function useDecisionSet(): DecisionSet {
  const [params] = useSearchParams();
  return params.get('set') === 'tenet' ? 'tenet' : 'platform';
}

export default function DecisionsPage() {
  const set = useDecisionSet();
  const applied = useAppliedFilters(FILTERS);
  const filters = useMemo(() => ({ ...applied, set }), [applied, set]);
  const [exportOutcome, setExportOutcome] = useExportOutcome(filters);
  const query = useInfiniteQuery({
    queryKey: ['decisions', filters],
    queryFn: ({ pageParam, signal }) => call(client.GET('/v1/decisions', { params: { query: { ...filters, limit: PAGE_SIZE, before: pageParam } }, signal })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const current = SETS.find((s) => s.id === set)!;

  return (
    <Page
      title="Decisions"
      lead="Every authorization decision, newest first: who asked for what, the answer, and the policies that determined it. Context values are never stored, only their keys; entities a request supplied are listed by uid."
    >
      <SetTabs current={set} />
      <p className="muted small decision-set-lead">{current.lead}</p>
      <Panel title="Filters">
        <FilterForm specs={FILTERS} />
      </Panel>
      <Panel
        title="Results"
        actions={
          <div className="audit-actions">
            <button type="button" className="btn btn-ghost" onClick={() => void query.refetch()} disabled={query.isFetching}>
              {query.isFetching && !query.isFetchingNextPage ? 'Refreshing…' : 'Refresh'}
            </button>
            <ExportCsv path="/v1/decisions/export" filters={filters} noun="decisions" onOutcome={setExportOutcome} />
          </div>
        }
      >
        <AppliedFilters specs={FILTERS} applied={applied} />
        <ExportNotice outcome={exportOutcome} what={`the ${current.noun} matching the applied filters (up to 100,000 rows)`} />
        <QueryState query={firstPageState(query)} label="Loading decisions…">
          {(data) => {
            const rows = data.pages.flatMap((p) => p.decisions);
            if (!rows.length)
              return (
                <Empty>
                  {Object.keys(applied).length
                    ? 'No decisions match these filters.'
                    : set === 'platform'
                      ? 'No platform decisions yet: they appear when your apps ask POST /v1/authorize. Tenet’s own route checks are on the other tab.'
                      : 'No route checks yet.'}
                </Empty>
              );
            return (
              <>
                <DecisionTable rows={rows} />
                <LoadMore query={query} shown={rows.length} noun={rows.length === 1 ? 'decision' : 'decisions'} />
              </>
            );
          }}
        </QueryState>
      </Panel>
    </Page>
  );
}

/** The two sets as links that keep the other filters (the address says which set is shown: shareable, back works). */
function SetTabs(props: { current: DecisionSet }) {
  const [params] = useSearchParams();
  return (
    <nav className="set-tabs" aria-label="Decision log">
      <ul>
        {SETS.map((s) => {
          const next = new URLSearchParams(params);
          next.delete('before');
          if (s.id === 'platform') next.delete('set');
          else next.set('set', s.id);
          const search = next.toString();
          return (
            <li key={s.id}>
              <Link to={{ search: search ? `?${search}` : '' }} aria-current={s.id === props.current ? 'page' : undefined} className="set-tab">
                {s.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function DecisionTable(props: { rows: DecisionRow[] }) {
  const [open, setOpen] = useState<Set<string>>(() => new Set());
  const toggle = (id: string) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  return (
    <div className="table-wrap">
      <table className="audit-table">
        <caption className="visually-hidden">Decisions</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Decision</th>
            <th scope="col">Principal</th>
            <th scope="col">Action</th>
            <th scope="col">Resource</th>
            <th scope="col">Reasons</th>
            <th scope="col">Caller</th>
            <th scope="col">
              <span className="visually-hidden">More</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((d) => {
            const expanded = open.has(d.id);
            const detailsId = `decision-${d.id}`;
            return (
              <Fragment key={d.id}>
                <tr>
                  <td className="audit-time">
                    <Time value={d.at} />
                  </td>
                  <td>
                    <StatusBadge status={d.decision} />
                  </td>
                  <td>
                    <UidCell uid={d.principal} filter="principal" />
                  </td>
                  <td>
                    <FilterLink name="action" value={d.action} />
                  </td>
                  <td>
                    <UidCell uid={d.resource} filter="resource" />
                    {d.requestEntities?.length ? (
                      <>
                        {' '}
                        <span className="tag" title="This decision used entities supplied with the request, not only stored ones: see Details.">
                          +{d.requestEntities.length} from request
                        </span>
                      </>
                    ) : null}
                  </td>
                  <td className="audit-tags">
                    <ReasonTags reasons={d.reasons} errors={d.errors} />
                  </td>
                  <td className="mono small audit-caller">
                    <Caller value={d.caller} name={d.callerName} />
                  </td>
                  <td>
                    <button type="button" className="btn btn-ghost btn-small" aria-expanded={expanded} aria-controls={detailsId} onClick={() => toggle(d.id)}>
                      {expanded ? 'Hide' : 'Details'}
                      <span className="visually-hidden">
                        {' '}
                        of the {d.decision} for {d.principal.type}::{d.principal.id}
                      </span>
                    </button>
                  </td>
                </tr>
                {expanded ? (
                  <tr className="audit-details-row" id={detailsId}>
                    <td colSpan={8}>
                      <dl className="facts">
                        <dt>Decision id</dt>
                        <dd className="mono">{d.id}</dd>
                        <dt>Request id</dt>
                        <dd className="mono">{d.requestId ?? '—'}</dd>
                        <dt>Policy hash</dt>
                        <dd className="hash">{d.policyHash ?? '—'}</dd>
                        <dt>Entity version</dt>
                        <dd className="mono">{d.entityVersion ?? '—'}</dd>
                        <dt>Latency</dt>
                        <dd>{d.latencyUs === null || d.latencyUs === undefined ? '—' : `${(d.latencyUs / 1000).toFixed(2)} ms`}</dd>
                        <dt>Request entities</dt>
                        <dd>
                          {d.requestEntities?.length ? (
                            <ul className="taglist-inline" aria-label="Entities supplied with the request">
                              {d.requestEntities.map((u, i) => (
                                <li key={i}>
                                  <UidCell uid={u} />
                                </li>
                              ))}
                            </ul>
                          ) : (
                            <span className="muted">none: stored entities only</span>
                          )}
                        </dd>
                        <dt>Context keys</dt>
                        <dd>
                          {d.contextKeys?.length ? (
                            d.contextKeys.map((k) => (
                              <span key={k} className="tag mono">
                                {k}
                              </span>
                            ))
                          ) : (
                            <span className="muted">none</span>
                          )}
                        </dd>
                        <dt>Errors</dt>
                        <dd>
                          {d.errors?.length ? (
                            <ul className="pol-plain-list">
                              {d.errors.map((e, i) => (
                                <li key={i} className="mono small">
                                  {e}
                                </li>
                              ))}
                            </ul>
                          ) : (
                            <span className="muted">none</span>
                          )}
                        </dd>
                      </dl>
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
