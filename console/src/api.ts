/**
 * The one way the console talks to the engine: an openapi-fetch client typed by the generated API types
 * (engine/client/schema.d.ts, from the engine's OpenAPI document; `tsx console/scripts/api-types.ts` regenerates it).
 * Same-origin calls with the httpOnly session cookie; unsafe methods carry the session's CSRF token. Errors come back
 * as ApiError with the server's code, message and request id.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from '../../engine/client/schema.d.ts';

/** The named schemas of the API (Session, Decision, PolicyTryResult, ...). */
export type Schemas = components['schemas'];

type Method = 'get' | 'post' | 'put' | 'delete';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;

/** The JSON body a route answers with on success (200, or the 201/202 it declares instead). */
export type Answer<P extends keyof paths, M extends Method = 'get'> =
  Operation<P, M> extends { responses: infer R } ? Json<R[Extract<keyof R, 200 | 201 | 202>]> : never;

/** The JSON body a route takes. */
export type RequestBody<P extends keyof paths, M extends Method> = Operation<P, M> extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly details: unknown;

  constructor(props: { status: number; code: string; message: string; requestId?: string; details?: unknown }) {
    super(props.message);
    this.status = props.status;
    this.code = props.code;
    this.requestId = props.requestId;
    this.details = props.details;
  }
}

let csrfToken: string | null = null;
let onUnauthenticated: (() => void) | undefined;

/** Set by the session provider: the CSRF token of the current session, and what to do when it ends. */
export function configureApi(props: { csrf: string | null; onUnauthenticated?: () => void }): void {
  csrfToken = props.csrf;
  onUnauthenticated = props.onUnauthenticated;
}

type QueryValues = Record<string, string | number | boolean | undefined | null>;

/** Query string without the empty values (unset filters are left out, not sent as `x=`). */
function searchOf(query: QueryValues | undefined): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  return params.toString();
}

export function apiUrl(path: string, query?: QueryValues): string {
  const qs = searchOf(query);
  return qs ? `${path}?${qs}` : path;
}

/** The typed client: `client.GET('/v1/controls/{id}', { params: { path: { id } } })`. Use it through `call`. */
export const client = createClient<paths>({
  credentials: 'same-origin',
  headers: { accept: 'application/json' },
  querySerializer: (query) => searchOf(query as QueryValues),
});

client.use({
  onRequest({ request }) {
    if (request.method !== 'GET' && csrfToken) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && new URL(request.url).pathname !== '/v1/session') onUnauthenticated?.();
    return response;
  },
});

interface ErrorBody {
  error?: { code?: string; message?: string; requestId?: string; details?: unknown };
}

/**
 * Awaits a client call: the answer's body, or an ApiError (the server's error, or `network` when Tenet could not be
 * reached). Aborts are rethrown as they are.
 */
export async function call<D>(request: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  let result: { data?: D; error?: unknown; response: Response };
  try {
    result = await request;
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError({ status: 0, code: 'network', message: 'Tenet could not be reached. Check your connection and try again.' });
  }
  const { response } = result;
  if (!response.ok) {
    const e = (typeof result.error === 'object' && result.error !== null ? (result.error as ErrorBody).error : undefined) ?? {};
    throw new ApiError({
      status: response.status,
      code: e.code ?? `http_${response.status}`,
      message: e.message ?? `The server answered ${response.status}.`,
      requestId: e.requestId ?? response.headers.get('x-request-id') ?? undefined,
      details: e.details,
    });
  }
  return result.data as D;
}

/** Downloads a file from an authenticated route (the cookie rides along) without leaving the page. */
export function download(path: keyof paths, query?: QueryValues): void {
  const a = document.createElement('a');
  a.href = apiUrl(path, query);
  a.download = '';
  document.body.append(a);
  a.click();
  a.remove();
}
