// Shared by the Decisions and PII reveals pages: URL-driven filters, cursor paging, small cells.
// (Lives here because pages/policies/ is the folder this work owns; it would sit well in ui/ later.)
import type { InfiniteData, UseInfiniteQueryResult, UseQueryResult } from '@tanstack/react-query';
import { Fragment, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ErrorState } from './states.tsx';
import { formatDateTime, viewerTimeZone } from './time.tsx';

/** What the audit routes accept for principal/resource: `Type::id` (engine/http/routes/audit-routes.ts). */
const UID_FILTER = /^[A-Za-z_][A-Za-z0-9_:]*::.+$/;

/** `<input type="datetime-local">` value (viewer's zone) → ISO-8601 UTC, or undefined. */
function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  // "YYYY-MM-DDTHH:mm[:ss]" without an offset is local time for Date.
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** ISO-8601 → `<input type="datetime-local">` value in the viewer's zone ('' if absent or invalid). */
function isoToLocal(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export interface FilterSpec {
  name: string;
  label: string;
  kind: 'uid' | 'text' | 'decision' | 'datetime';
  placeholder?: string;
  hint?: string;
}

/** The applied filters: the URL's search params, for the names given (empty ones left out). */
export function useAppliedFilters(specs: FilterSpec[]): Record<string, string> {
  const [params] = useSearchParams();
  return useMemo(() => {
    const out: Record<string, string> = {};
    for (const s of specs) {
      const v = params.get(s.name)?.trim();
      if (v) out[s.name] = v;
    }
    return out;
  }, [params, specs]);
}

/**
 * A filter form whose submit writes the URL's search params (the queries read them). From/To are
 * datetime-local inputs in the viewer's zone, sent as UTC ISO. Principal/resource must look like Type::id.
 */
export function FilterForm(props: { specs: FilterSpec[] }) {
  const [params, setParams] = useSearchParams();
  const ids = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const zone = viewerTimeZone();

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const next = new URLSearchParams(params);
    const problems: Record<string, string> = {};
    for (const s of props.specs) {
      const raw = String(form.get(s.name) ?? '').trim();
      next.delete(s.name);
      if (!raw) continue;
      if (s.kind === 'uid' && !UID_FILTER.test(raw)) {
        problems[s.name] = `${s.label} must look like Type::id, e.g. ${s.placeholder ?? 'User::asha'}.`;
        continue;
      }
      if (s.kind === 'datetime') {
        const iso = localToIso(raw);
        if (!iso) {
          problems[s.name] = `${s.label} is not a valid date and time.`;
          continue;
        }
        next.set(s.name, iso);
        continue;
      }
      next.set(s.name, raw);
    }
    const from = next.get('from');
    const to = next.get('to');
    if (from && to && new Date(from) >= new Date(to)) problems.to = 'To must be later than From.';
    setErrors(problems);
    const first = props.specs.find((s) => problems[s.name]);
    if (first) {
      formRef.current?.querySelector<HTMLElement>(`[name="${first.name}"]`)?.focus();
      return;
    }
    setParams(next);
  };

  const clear = () => {
    const next = new URLSearchParams(params);
    for (const s of props.specs) next.delete(s.name);
    setErrors({});
    formRef.current?.reset();
    for (const el of formRef.current?.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select') ?? []) el.value = '';
    if (next.toString() !== params.toString()) setParams(next);
  };

  const fieldId = (name: string) => `${ids}-${name}`;
  return (
    // keyed by the URL: back/forward and "Clear" show the applied filters again
    <form key={params.toString()} ref={formRef} className="filters audit-filters" onSubmit={onSubmit} noValidate>
      {props.specs.map((s) => {
        const err = errors[s.name];
        const describedBy = [s.hint ? `${fieldId(s.name)}-hint` : '', err ? `${fieldId(s.name)}-err` : ''].filter(Boolean).join(' ') || undefined;
        const common = {
          id: fieldId(s.name),
          name: s.name,
          'aria-invalid': err ? true : undefined,
          'aria-describedby': describedBy,
        } as const;
        return (
          <div key={s.name} className={`field audit-filter-${s.kind}`}>
            <label htmlFor={fieldId(s.name)}>{s.label}</label>
            {s.kind === 'decision' ? (
              <select {...common} defaultValue={params.get(s.name) ?? ''}>
                <option value="">Any</option>
                <option value="allow">Allow</option>
                <option value="deny">Deny</option>
              </select>
            ) : s.kind === 'datetime' ? (
              <input {...common} type="datetime-local" defaultValue={isoToLocal(params.get(s.name))} />
            ) : (
              <input
                {...common}
                type="text"
                defaultValue={params.get(s.name) ?? ''}
                placeholder={s.placeholder}
                autoComplete="off"
                spellCheck={false}
                autoCapitalize="off"
              />
            )}
            {s.hint ? (
              <span id={`${fieldId(s.name)}-hint`} className="hint">
                {s.hint}
              </span>
            ) : null}
            {err ? (
              <span id={`${fieldId(s.name)}-err`} className="pol-field-error" role="alert">
                <span aria-hidden="true">✕ </span>
                {err}
              </span>
            ) : null}
          </div>
        );
      })}
      <div className="audit-filter-actions">
        <button type="submit" className="btn btn-primary">
          Apply filters
        </button>
        <button type="button" className="btn btn-ghost" onClick={clear}>
          Clear filters
        </button>
      </div>
      <p className="hint audit-zone">From and To are in {zone}; they are sent as UTC. From is inclusive, To exclusive.</p>
    </form>
  );
}

/** A plain-language line naming the applied filters. */
export function AppliedFilters(props: { specs: FilterSpec[]; applied: Record<string, string> }) {
  const entries = props.specs.filter((s) => props.applied[s.name]);
  if (!entries.length) return <p className="muted small">No filters: newest first.</p>;
  return (
    <p className="muted small audit-applied">
      Filtered by{' '}
      {entries.map((s, i) => (
        <span key={s.name}>
          {i ? ', ' : ''}
          {s.label.toLowerCase()}{' '}
          <strong className={s.kind === 'datetime' ? undefined : 'mono'}>
            {s.kind === 'datetime' ? formatDateTime(props.applied[s.name]) : props.applied[s.name]}
          </strong>
        </span>
      ))}
      .
    </p>
  );
}

/**
 * QueryState for an infinite query: a failed "Load more" must not hide the rows already shown (LoadMore shows
 * that error), so only the first page's loading and error are passed through.
 */
export function firstPageState<T>(query: UseInfiniteQueryResult<InfiniteData<T>>): UseQueryResult<InfiniteData<T>> {
  if (query.isFetchNextPageError && query.data) {
    return { ...query, isError: false, isSuccess: true, status: 'success', error: null } as unknown as UseQueryResult<InfiniteData<T>>;
  }
  return query as unknown as UseQueryResult<InfiniteData<T>>;
}

export function LoadMore(props: { query: UseInfiniteQueryResult<InfiniteData<unknown>>; shown: number; noun: string }) {
  const { query } = props;
  return (
    <div className="load-more audit-load-more">
      <p className="muted small" role="status">
        {props.shown} {props.noun} shown{query.hasNextPage ? '; more are available.' : query.isFetchNextPageError ? '.' : ': that is all for these filters.'}
      </p>
      {query.hasNextPage ? (
        <button type="button" className="btn" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
          {query.isFetchingNextPage ? 'Loading more…' : 'Load more'}
        </button>
      ) : null}
      {query.isFetchNextPageError ? <ErrorState title="Could not load more" error={query.error} retry={() => void query.fetchNextPage()} /> : null}
    </div>
  );
}

/** Text with break opportunities after `::`, `_`, `.` and `/`: long ids wrap at their joints, never mid-word. */
function Breakable(props: { text: string }) {
  const parts = props.text.split(/(?<=::|[_./])/);
  return (
    <>
      {parts.map((p, i) => (
        <Fragment key={i}>
          {i ? <wbr /> : null}
          {p}
        </Fragment>
      ))}
    </>
  );
}

/** `Type::id` in mono; a link that filters the page by it when `filter` is given. */
export function UidCell(props: { uid: { type: string; id: string } | null | undefined; filter?: string }) {
  if (!props.uid) return <span className="muted">—</span>;
  const text = `${props.uid.type}::${props.uid.id}`;
  if (!props.filter)
    return (
      <span className="mono audit-uid">
        <Breakable text={text} />
      </span>
    );
  return <FilterLink name={props.filter} value={text} />;
}

/** Links to the same page with one more filter applied. */
export function FilterLink(props: { name: string; value: string | null | undefined; mono?: boolean }) {
  const [current] = useSearchParams();
  if (!props.value) return <span className="muted">—</span>;
  const next = new URLSearchParams(current);
  next.set(props.name, props.value);
  next.delete('before');
  return (
    <Link
      className={props.mono === false ? 'audit-filter-link' : 'mono audit-uid audit-filter-link'}
      to={{ search: `?${next.toString()}` }}
      title={`Show only ${props.name} ${props.value}`}
    >
      <Breakable text={props.value} />
      <span className="visually-hidden"> (show only this {props.name})</span>
    </Link>
  );
}

export function ReasonTags(props: { reasons: string[] | null | undefined; errors?: string[] | null }) {
  const reasons = props.reasons ?? [];
  const errors = props.errors ?? [];
  return (
    <>
      {reasons.length ? (
        reasons.map((r) => (
          <span key={r} className="tag mono">
            {r}
          </span>
        ))
      ) : (
        <span className="muted small">no determining policy</span>
      )}
      {errors.length ? (
        <div className="small audit-error-note">
          <span aria-hidden="true">! </span>
          {errors.length} evaluation error{errors.length === 1 ? '' : 's'}
        </div>
      ) : null}
    </>
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Who called: an API key by its name when the server knows it (the key's id on hover); else API key ids (UUIDs)
 * shortened to 8 characters on screen (full id on hover and for screen readers).
 */
export function Caller(props: { value: string | null | undefined; name?: string | null }) {
  if (!props.value) return <span className="muted">—</span>;
  if (props.name)
    return (
      <span className="audit-caller-name" title={`API key ${props.value}`}>
        <Breakable text={props.name} />
      </span>
    );
  if (!UUID.test(props.value)) return <Breakable text={props.value} />;
  return (
    <span title={props.value}>
      {props.value.slice(0, 8)}
      <span aria-hidden="true">…</span>
      <span className="visually-hidden">{props.value.slice(8)}</span>
    </span>
  );
}
