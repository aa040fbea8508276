import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, apiUrl, call, client, download, type Answer } from '../api.ts';
import { Page, Panel } from '../ui/page.tsx';
import { Empty, ErrorState, QueryState } from '../ui/states.tsx';
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
  const [exportOutcome, setExportOutcome] = useState<ExportOutcome>(null);
  // Other filters: the outcome of the last export no longer applies (reset while rendering, not in an effect).
  const [outcomeFilters, setOutcomeFilters] = useState(filters);
  if (outcomeFilters !== filters) {
    setOutcomeFilters(filters);
    setExportOutcome(null);
  }
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
            <ExportCsv filters={filters} onOutcome={setExportOutcome} />
          </div>
        }
      >
        <AppliedFilters specs={FILTERS} applied={filters} />
        <ExportNotice outcome={exportOutcome} />
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

type ExportOutcome = { kind: 'started' } | { kind: 'error'; error: unknown } | null;

function ExportNotice(props: { outcome: ExportOutcome }) {
  const { outcome } = props;
  if (!outcome) return null;
  if (outcome.kind === 'error') return <ErrorState title="Could not export" error={outcome.error} />;
  return (
    <p className="notice small" role="status">
      Export started: your browser downloads a CSV file of the reveals matching the applied filters (up to 100,000 rows; no buyer PII).
    </p>
  );
}

/**
 * The export is a file download (download() from api.ts: a link the browser follows with the session cookie). A link
 * cannot report a refusal, so a HEAD request first asks whether the export would succeed: a 404, 403 or 400 then
 * shows here instead of as a failed download.
 */
async function checkExport(query: Record<string, string>): Promise<void> {
  const path = '/v1/pii-reveals/export';
  let res: Response;
  try {
    res = await fetch(apiUrl(path, query), { method: 'HEAD', credentials: 'same-origin', headers: { accept: 'text/csv' } });
  } catch {
    throw new ApiError({ status: 0, code: 'network', message: 'Tenet could not be reached. Check your connection and try again.' });
  }
  if (res.ok) return;
  // HEAD answers carry no body: ask again with GET for the server's own error message (small, since it failed).
  if (res.status !== 401) {
    try {
      await call(client.GET(path, { params: { query }, parseAs: 'text' }));
    } catch (error) {
      if (error instanceof ApiError) throw error;
    }
  }
  const reason: Record<number, string> = {
    401: 'Your session has ended: sign in again.',
    403: 'Your role may not export PII reveals.',
    404: 'The export is not available on this server (404).',
  };
  throw new ApiError({
    status: res.status,
    code: `http_${res.status}`,
    message: reason[res.status] ?? `The server answered ${res.status}.`,
    requestId: res.headers.get('x-request-id') ?? undefined,
  });
}

function ExportCsv(props: { filters: Record<string, string>; onOutcome: (o: ExportOutcome) => void }) {
  const [busy, setBusy] = useState(false);
  const onClick = async () => {
    setBusy(true);
    props.onOutcome(null);
    const query = { format: 'csv', ...props.filters };
    try {
      await checkExport(query);
      download('/v1/pii-reveals/export', query);
      props.onOutcome({ kind: 'started' });
    } catch (error) {
      props.onOutcome({ kind: 'error', error });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="btn" onClick={() => void onClick()} disabled={busy} aria-describedby="export-csv-hint">
        <span aria-hidden="true">⤓ </span>
        {busy ? 'Preparing export…' : 'Export CSV'}
      </button>
      <span id="export-csv-hint" className="visually-hidden">
        Downloads the reveals matching the applied filters as CSV.
      </span>
    </>
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
                <Caller value={r.caller} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
