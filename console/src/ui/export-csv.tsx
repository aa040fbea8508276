// The CSV export of an audit log (decisions, PII reveals): a button, and a notice of what happened.
import { useState } from 'react';
import { ApiError, apiUrl, download } from '../api.ts';
import { ErrorState } from './states.tsx';

/** The audit exports the server streams as CSV, with the filters of their JSON list. */
export type ExportPath = '/v1/decisions/export' | '/v1/pii-reveals/export';

export type ExportOutcome = { kind: 'started' } | { kind: 'error'; error: unknown } | null;

/**
 * The outcome of the last export, reset when the filters change (while rendering, not in an effect): an outcome of
 * other filters no longer applies.
 */
export function useExportOutcome(filters: unknown): [ExportOutcome, (o: ExportOutcome) => void] {
  const [outcome, setOutcome] = useState<ExportOutcome>(null);
  const [outcomeFilters, setOutcomeFilters] = useState(filters);
  if (outcomeFilters !== filters) {
    setOutcomeFilters(filters);
    setOutcome(null);
  }
  return [outcome, setOutcome];
}

export function ExportNotice(props: { outcome: ExportOutcome; what: string }) {
  const { outcome } = props;
  if (!outcome) return null;
  if (outcome.kind === 'error') return <ErrorState title="Could not export" error={outcome.error} />;
  return (
    <p className="notice small" role="status">
      Export started: your browser downloads a CSV file of {props.what}.
    </p>
  );
}

interface ErrorBody {
  error?: { code?: string; message?: string; requestId?: string };
}

/**
 * The export is a file download (download() from api.ts: a link the browser follows with the session cookie). A link
 * cannot report a refusal, so a HEAD request first asks whether the export would succeed: a 404, 403 or 400 then
 * shows here instead of as a failed download.
 */
async function checkExport(path: ExportPath, query: Record<string, string>, noun: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(apiUrl(path, query), { method: 'HEAD', credentials: 'same-origin', headers: { accept: 'text/csv' } });
  } catch {
    throw new ApiError({ status: 0, code: 'network', message: 'Tenet could not be reached. Check your connection and try again.' });
  }
  if (res.ok) return;
  // HEAD answers carry no body: ask again with GET for the server's own error message (small, since it failed).
  if (res.status !== 401) {
    const again = await fetch(apiUrl(path, query), { credentials: 'same-origin', headers: { accept: 'application/json' } }).catch(() => undefined);
    const body = again && !again.ok ? ((await again.json().catch(() => undefined)) as ErrorBody | undefined) : undefined;
    if (body?.error?.message) {
      throw new ApiError({
        status: again!.status,
        code: body.error.code ?? `http_${again!.status}`,
        message: body.error.message,
        requestId: body.error.requestId ?? again!.headers.get('x-request-id') ?? undefined,
      });
    }
  }
  const reason: Record<number, string> = {
    401: 'Your session has ended: sign in again.',
    403: `Your role may not export ${noun}.`,
    404: 'The export is not available on this server (404).',
  };
  throw new ApiError({
    status: res.status,
    code: `http_${res.status}`,
    message: reason[res.status] ?? `The server answered ${res.status}.`,
    requestId: res.headers.get('x-request-id') ?? undefined,
  });
}

/** "Export CSV": the rows matching the applied filters, as the server streams them. */
export function ExportCsv(props: { path: ExportPath; filters: Record<string, string>; noun: string; onOutcome: (o: ExportOutcome) => void }) {
  const [busy, setBusy] = useState(false);
  const hintId = `export-csv-hint-${props.path.replace(/[^a-z]+/g, '-')}`;
  const onClick = async () => {
    setBusy(true);
    props.onOutcome(null);
    const query = { format: 'csv', ...props.filters };
    try {
      await checkExport(props.path, query, props.noun);
      download(props.path, query);
      props.onOutcome({ kind: 'started' });
    } catch (error) {
      props.onOutcome({ kind: 'error', error });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="btn" onClick={() => void onClick()} disabled={busy} aria-describedby={hintId}>
        <span aria-hidden="true">⤓ </span>
        {busy ? 'Preparing export…' : 'Export CSV'}
      </button>
      <span id={hintId} className="visually-hidden">
        Downloads the {props.noun} matching the applied filters as CSV.
      </span>
    </>
  );
}
