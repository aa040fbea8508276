import { useInfiniteQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { call, client, type Schemas } from '../api.ts';
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

export default function DecisionsPage() {
  const filters = useAppliedFilters(FILTERS);
  const query = useInfiniteQuery({
    queryKey: ['decisions', filters],
    queryFn: ({ pageParam, signal }) => call(client.GET('/v1/decisions', { params: { query: { ...filters, limit: PAGE_SIZE, before: pageParam } }, signal })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  });

  return (
    <Page
      title="Decisions"
      lead="Every authorization decision, newest first: who asked for what, the answer, and the policies that determined it. Context values are never stored, only their keys; entities a request supplied are listed by uid."
    >
      <Panel title="Filters">
        <FilterForm specs={FILTERS} />
      </Panel>
      <Panel
        title="Results"
        actions={
          <button type="button" className="btn btn-ghost" onClick={() => void query.refetch()} disabled={query.isFetching}>
            {query.isFetching && !query.isFetchingNextPage ? 'Refreshing…' : 'Refresh'}
          </button>
        }
      >
        <AppliedFilters specs={FILTERS} applied={filters} />
        <QueryState query={firstPageState(query)} label="Loading decisions…">
          {(data) => {
            const rows = data.pages.flatMap((p) => p.decisions);
            if (!rows.length) return <Empty>No decisions match these filters.</Empty>;
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
                    <Caller value={d.caller} />
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
