import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ApiError } from '../api.ts';

export function Loading(props: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {props.label ?? 'Loading…'}
    </div>
  );
}

export function ErrorState(props: { error: unknown; retry?: () => void; title?: string }) {
  const e = props.error;
  const message = e instanceof Error ? e.message : 'Something went wrong.';
  const forbidden = e instanceof ApiError && e.status === 403;
  return (
    <div className="state state-error" role="alert">
      <strong>{props.title ?? (forbidden ? 'Not allowed' : 'Could not load this')}</strong>
      <p>{message}</p>
      {e instanceof ApiError && e.requestId ? (
        <p className="muted small">
          Request id: <code>{e.requestId}</code>
        </p>
      ) : null}
      {props.retry && !forbidden ? (
        <button type="button" className="btn" onClick={props.retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Empty(props: { children: ReactNode }) {
  return <div className="state state-empty">{props.children}</div>;
}

/** Loading, error (with retry) or the data: every page renders its queries through this. */
export function QueryState<T>(props: { query: UseQueryResult<T>; label?: string; children: (data: T) => ReactNode }) {
  const { query } = props;
  if (query.isPending) return <Loading label={props.label} />;
  if (query.isError) return <ErrorState error={query.error} retry={() => void query.refetch()} />;
  return <>{props.children(query.data)}</>;
}
