/**
 * The one way the console talks to the engine. Same-origin calls with the httpOnly session cookie; unsafe methods
 * carry the session's CSRF token. Errors come back as ApiError with the server's code, message and request id.
 */
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

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
}

export function apiUrl(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(apiUrl(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError({ status: 0, code: 'network', message: 'Tenet could not be reached. Check your connection and try again.' });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const e = body?.error ?? {};
    if (res.status === 401 && path !== '/v1/session') onUnauthenticated?.();
    throw new ApiError({
      status: res.status,
      code: e.code ?? `http_${res.status}`,
      message: e.message ?? `The server answered ${res.status}.`,
      requestId: e.requestId ?? res.headers.get('x-request-id') ?? undefined,
      details: e.details,
    });
  }
  return body as T;
}

/** Downloads a file from an authenticated route (the cookie rides along) without leaving the page. */
export function download(path: string, query?: RequestOptions['query']): void {
  const a = document.createElement('a');
  a.href = apiUrl(path, query);
  a.download = '';
  document.body.append(a);
  a.click();
  a.remove();
}
