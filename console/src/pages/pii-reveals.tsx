import { useInfiniteQuery } from '@tanstack/react-query';
import { call, client, type Answer } from '../api.ts';
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

const FILTERS: FilterSpec[] = [
  { name: 'principal', label: 'Principal', kind: 'uid', placeholder: 'User::asha', hint: 'As Type::id.' },
  { name: 'agency', label: 'Agency', kind: 'text', placeholder: 'northwind', hint: 'Agency id.' },
  { name: 'client', label: 'Client', kind: 'text', placeholder: 'chai-co', hint: 'Client id.' },
  { name: 'decision', label: 'Decision', kind: 'decision' },
  { name: 'from', label: 'From', kind: 'datetime' },
  { name: 'to', label: 'To', kind: 'datetime' },
];

const PAGE_SIZE = 50;

export default function PiiRevealsPage() {
  const filters = useAppliedFilters(FILTERS);
  const [exportOutcome, setExportOutcome] = useExportOutcome(filters);
  const query = useInfiniteQuery({
    queryKey: ['pii-reveals', filters],
    queryFn: ({ pageParam, signal }) => call(client.GET('/v1/pii-reveals', { params: { query: { ...filters, limit: PAGE_SIZE, before: pageParam } }, signal })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  });

  return (
    <Page
      title="PII reveals"
      lead="Every request to reveal Amazon buyer PII (Security Addendum §13.2), allowed or denied, kept 365 days. The log holds who, which order and why: never the PII itself."
    >
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
            <ExportCsv path="/v1/pii-reveals/export" filters={filters} noun="PII reveals" onOutcome={setExportOutcome} />
          </div>
        }
      >
        <AppliedFilters specs={FILTERS} applied={filters} />
        <ExportNotice outcome={exportOutcome} what="the reveals matching the applied filters (up to 100,000 rows; no buyer PII)" />
        <QueryState query={firstPageState(query)} label="Loading PII reveals…">
          {(data) => {
            const rows = data.pages.flatMap((p) => p.reveals);
            if (!rows.length) return <Empty>No PII reveals match these filters.</Empty>;
            return (
              <>
                <RevealTable rows={rows} />
                <LoadMore query={query} shown={rows.length} noun={rows.length === 1 ? 'reveal' : 'reveals'} />
              </>
            );
          }}
        </QueryState>
      </Panel>
    </Page>
  );
}

function RevealTable(props: { rows: Answer<'/v1/pii-reveals'>['reveals'] }) {
  return (
    <div className="table-wrap">
      <table className="audit-table">
        <caption className="visually-hidden">PII reveals</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Decision</th>
            <th scope="col">Principal</th>
            <th scope="col">Order</th>
            <th scope="col">Agency</th>
            <th scope="col">Client</th>
            <th scope="col">Purpose</th>
            <th scope="col">Reasons</th>
            <th scope="col">Caller</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr key={r.id}>
              <td className="audit-time">
                <Time value={r.at} />
              </td>
              <td>
                <StatusBadge status={r.decision} />
              </td>
              <td>
                <UidCell uid={r.principal} filter="principal" />
              </td>
              <td>
                <UidCell uid={r.resource} />
              </td>
              <td>
                <FilterLink name="agency" value={r.agency} />
              </td>
              <td>
                <FilterLink name="client" value={r.client} />
              </td>
              <td>{r.purpose ? <span className="mono small">{r.purpose}</span> : <span className="muted">—</span>}</td>
              <td className="audit-tags">
                <ReasonTags reasons={r.reasons} />
              </td>
              <td className="mono small audit-caller">
                <Caller value={r.caller} name={r.callerName} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
