/**
 * Shared query hooks for control posture, integration readiness, exceptions and posture history. Stable query keys,
 * so a mutation anywhere can invalidate what it changed:
 *   ['controls'] (list) and ['controls', id] (one) · ['integrations'] · ['exceptions'] · ['posture-history', days]
 *   ['runs', id] (a control's run history, paged) · ['run-evidence', id, runId] (one run with its evidence record)
 * Hooks return the unwrapped payload (an array, not `{controls: [...]}`).
 */
import { useInfiniteQuery, useQuery, type QueryClient } from '@tanstack/react-query';
import { api } from './api.ts';
import type { ControlException, ControlPosture, IntegrationReadiness, PostureHistory, StoredRun } from './types.ts';

export const queryKeys = {
  controls: ['controls'] as const,
  control: (id: string) => ['controls', id] as const,
  integrations: ['integrations'] as const,
  exceptions: ['exceptions'] as const,
  postureHistory: (days: number) => ['posture-history', days] as const,
  runs: (id: string) => ['runs', id] as const,
  runEvidence: (id: string, runId: string) => ['run-evidence', id, runId] as const,
};

const path = (id: string) => `/v1/controls/${encodeURIComponent(id)}`;

export function useControls(options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.controls,
    queryFn: ({ signal }) => api<{ controls: ControlPosture[] }>('/v1/controls', { signal }).then((r) => r.controls),
    enabled: options.enabled,
  });
}

export function useControl(id: string) {
  return useQuery({
    queryKey: queryKeys.control(id),
    queryFn: ({ signal }) => api<ControlPosture>(path(id), { signal }),
  });
}

export function useIntegrations(options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.integrations,
    queryFn: ({ signal }) => api<{ integrations: IntegrationReadiness[] }>('/v1/integrations', { signal }).then((r) => r.integrations),
    enabled: options.enabled,
  });
}

/** All exceptions, including expired and revoked ones (`active` tells them apart). */
export function useExceptions(options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.exceptions,
    queryFn: ({ signal }) =>
      // The engine reads `all=true`; `includeInactive=true` is the console contract's name. Unknown query keys are ignored.
      api<{ exceptions: ControlException[] }>('/v1/exceptions', { signal, query: { includeInactive: true, all: true } }).then((r) => r.exceptions),
    enabled: options.enabled,
  });
}

/** One day of posture history. `passRate` is null on a day when no control had an evaluated result. */
export type PostureDay = Omit<PostureHistory['days'][number], 'passRate'> & { passRate: number | null; stale?: number; notApplicable?: number };
export type PostureHistoryAnswer = { days: PostureDay[]; changes: PostureHistory['changes'] };

export function usePostureHistory(days = 30, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.postureHistory(days),
    queryFn: ({ signal }) => api<PostureHistoryAnswer>('/v1/posture/history', { signal, query: { days } }),
    enabled: options.enabled,
  });
}

export const RUNS_PAGE_SIZE = 20;

/** A control's runs, newest first, page by page (`fetchNextPage` follows the server's `next` cursor). */
export function useRuns(id: string) {
  return useInfiniteQuery({
    queryKey: queryKeys.runs(id),
    queryFn: ({ signal, pageParam }) =>
      api<{ runs: StoredRun[]; next: string | null }>(`${path(id)}/runs`, { signal, query: { limit: RUNS_PAGE_SIZE, before: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  });
}

/** The evidence record a run appended to the hash chain (fields beyond these are rendered as JSON). */
export interface RunEvidence {
  seq: number;
  hash: string;
  prevHash?: string;
  recordedAt?: string;
  collectedAt?: string;
  [k: string]: unknown;
}

/** One run with its evidence record: immutable once finished, so it is fetched once. */
export function useRunEvidence(id: string, runId: string, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.runEvidence(id, runId),
    queryFn: ({ signal }) => api<StoredRun & { evidence: RunEvidence | null }>(`${path(id)}/runs/${encodeURIComponent(runId)}`, { signal }),
    staleTime: Infinity,
    enabled: options.enabled,
  });
}

const invalidate = (client: QueryClient, keys: ReadonlyArray<readonly unknown[]>): Promise<unknown> =>
  Promise.all(keys.map((queryKey) => client.invalidateQueries({ queryKey })));

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
