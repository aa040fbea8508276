/**
 * Shared query hooks for control posture, integration readiness, exceptions and posture history. Stable query keys,
 * so a mutation anywhere can invalidate what it changed:
 *   ['controls'] (list) and ['controls', id] (one) · ['integrations'] · ['exceptions'] · ['posture-history', days]
 *   ['runs', id] (a control's run history, paged) · ['run-evidence', id, runId] (one run with its evidence record)
 * Hooks return the unwrapped payload (an array, not `{controls: [...]}`).
 */
import { useInfiniteQuery, useQuery, type QueryClient } from '@tanstack/react-query';
import { call, client } from './api.ts';

const queryKeys = {
  controls: ['controls'] as const,
  control: (id: string) => ['controls', id] as const,
  integrations: ['integrations'] as const,
  exceptions: ['exceptions'] as const,
  postureHistory: (days: number) => ['posture-history', days] as const,
  runs: (id: string) => ['runs', id] as const,
  runEvidence: (id: string, runId: string) => ['run-evidence', id, runId] as const,
};

export function useControls(options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.controls,
    queryFn: ({ signal }) => call(client.GET('/v1/controls', { signal })).then((r) => r.controls),
    enabled: options.enabled,
  });
}

export function useControl(id: string) {
  return useQuery({
    queryKey: queryKeys.control(id),
    queryFn: ({ signal }) => call(client.GET('/v1/controls/{id}', { params: { path: { id } }, signal })),
  });
}

export function useIntegrations(options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.integrations,
    queryFn: ({ signal }) => call(client.GET('/v1/integrations', { signal })).then((r) => r.integrations),
    enabled: options.enabled,
  });
}

/** All exceptions, including expired and revoked ones (`active` tells them apart). */
export function useExceptions(options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.exceptions,
    queryFn: ({ signal }) => call(client.GET('/v1/exceptions', { params: { query: { all: 'true' } }, signal })).then((r) => r.exceptions),
    enabled: options.enabled,
  });
}

export function usePostureHistory(days = 30, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.postureHistory(days),
    queryFn: ({ signal }) => call(client.GET('/v1/posture/history', { params: { query: { days } }, signal })),
    enabled: options.enabled,
  });
}

const RUNS_PAGE_SIZE = 20;

/** A control's runs, newest first, page by page (`fetchNextPage` follows the server's `next` cursor). */
export function useRuns(id: string) {
  return useInfiniteQuery({
    queryKey: queryKeys.runs(id),
    queryFn: ({ signal, pageParam }) =>
      call(client.GET('/v1/controls/{id}/runs', { params: { path: { id }, query: { limit: RUNS_PAGE_SIZE, before: pageParam } }, signal })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  });
}

/** One run with its evidence record: immutable once finished, so it is fetched once. */
export function useRunEvidence(id: string, runId: string, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.runEvidence(id, runId),
    queryFn: ({ signal }) => call(client.GET('/v1/controls/{id}/runs/{runId}', { params: { path: { id, runId } }, signal })),
    staleTime: Infinity,
    enabled: options.enabled,
  });
}

const invalidate = (queryClient: QueryClient, keys: ReadonlyArray<readonly unknown[]>): Promise<unknown> =>
  Promise.all(keys.map((queryKey) => queryClient.invalidateQueries({ queryKey })));

/** After an exception was approved or revoked: the exceptions, readiness and control posture. */
export const invalidateAfterException = (client: QueryClient): Promise<unknown> =>
  invalidate(client, [queryKeys.exceptions, queryKeys.integrations, queryKeys.controls]);

/** After controls ran: posture (list and each control), their run history, readiness and the posture history. */
export const invalidateAfterRun = (client: QueryClient, controlIds?: string[]): Promise<unknown> =>
  invalidate(client, [
    queryKeys.controls,
    ...(controlIds ? controlIds.map((id) => queryKeys.runs(id)) : [['runs']]),
    queryKeys.integrations,
    ['posture-history'],
  ]);

/** One programme's scorecard (default period: the last 90 days to now): requirement statuses and what to fix next. */
export function useProgramme(id: string, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ['programmes', id],
    queryFn: ({ signal }) => call(client.GET('/v1/programmes/{id}', { params: { path: { id } }, signal })),
    enabled: options.enabled,
  });
}
