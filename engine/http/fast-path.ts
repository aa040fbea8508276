import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Express, Request, Response } from 'express';
import type { ApiKeyStore } from '../authz/api-keys.ts';
import { AuthenticationError, InputError } from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import { apiKeyCaller, bearerToken, type RouteGuard } from './access.ts';
import { toErrorResponse } from './error-handler.ts';
import { guardInput } from './input-guard.ts';
import type { RouteDef } from './route.ts';

/** Shaped like body-parser's errors (status, type, expose), so toErrorResponse maps both alike. */
class BodyError extends Error {
  readonly expose = true;
  readonly status: number;
  constructor(readonly type: 'entity.too.large' | 'entity.parse.failed') {
    super(type);
    this.status = type === 'entity.too.large' ? 413 : 400;
  }
}

/**
 * Reads a JSON body of at most `limit` bytes. Past the limit (declared or, for a chunked body, counted) it stops
 * keeping bytes and rejects at once; the rest of the body is read and thrown away, so the caller gets its 413
 * instead of a TCP reset (destroying a socket the client is still writing to resets it before the answer is read),
 * as it does from the Express routes (body-parser stops, Node discards the rest). The server's requestTimeout
 * bounds how long a client can keep sending.
 */
function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(new BodyError('entity.too.large'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    const onData = (c: Buffer) => {
      size += c.length;
      if (tooLarge) return;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        reject(new BodyError('entity.too.large'));
      } else chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (tooLarge) return;
      const type = req.headers['content-type'] ?? '';
      // As express.json does: only JSON bodies are parsed; anything else is an empty body (then a 400 from zod).
      if (!/^application\/json\b|\+json\b/.test(type) || size === 0) return resolve({});
      try {
        resolve(JSON.parse(Buffer.concat(chunks, size).toString('utf8')));
      } catch {
        reject(new BodyError('entity.parse.failed'));
      }
    });
    req.on('error', reject);
  });
}

/**
 * The request listener: routes marked `hot` (the authorization calls app services make on every data access)
 * run the same pipeline as every other route — request id, security headers, API key, route gate, zod body,
 * handler, one error body — without Express's per-request machinery, which measured here as the larger part of
 * a decision's cost. Everything else goes to the Express app.
 */
export function createRequestListener(props: {
  app: Express;
  routes: RouteDef[];
  apiKeys: ApiKeyStore;
  guard: RouteGuard;
  logger: Logger;
  metrics: Metrics;
  securityHeaders: Array<[string, string]>;
  bodyLimit: number;
}): RequestListener {
  const hot = new Map<string, RouteDef>();
  for (const r of props.routes) if (r.hot && typeof r.gate === 'object') hot.set(`${r.method.toUpperCase()} ${r.path}`, r);
  const { app, apiKeys, guard, logger, metrics, securityHeaders, bodyLimit } = props;

  async function serve(route: RouteDef, req: IncomingMessage, res: ServerResponse, q: number): Promise<void> {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && /^[A-Za-z0-9._-]{8,128}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    for (const [k, v] of securityHeaders) res.setHeader(k, v);
    let status = 200;
    let payload: unknown;
    try {
      if (typeof route.gate !== 'object') throw new InputError('not a hot route');
      // API keys only: a console cookie or an OIDC token is never accepted here (no CSRF surface on the hot path).
      const token = bearerToken(req.headers.authorization);
      const info = token ? await apiKeys.authenticate(token) : undefined;
      if (!info) throw new AuthenticationError();
      const key = apiKeyCaller(info);
      await guard.check(key, route.gate, requestId);
      // Every route's input passes the same guard before its schema: here the body and the (unused) query string.
      // As [key, value] pairs: a repeated key keeps every value (an object would keep only the last).
      if (q >= 0) guardInput('query', [...new URLSearchParams(req.url!.slice(q + 1))]);
      const raw = await readJson(req, bodyLimit);
      guardInput('body', raw);
      const body = route.body ? route.body.parse(raw) : undefined;
      payload = await route.handler({ body, query: undefined, params: undefined, key, requestId, req: req as Request, res: res as unknown as Response });
      status = res.statusCode;
    } catch (error) {
      const mapped = toErrorResponse(error, requestId, logger, route.path);
      status = mapped.status;
      payload = mapped.body;
      if (!req.complete) req.resume();
    }
    const json = JSON.stringify(payload);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
    res.end(json);
    metrics.httpRequests.inc({ route: `${route.method.toUpperCase()} ${route.path}`, status: String(status)[0] + 'xx' });
  }

  return (req, res) => {
    const q = req.url?.indexOf('?') ?? -1;
    const path = q >= 0 ? req.url!.slice(0, q) : req.url;
    const route = hot.get(`${req.method} ${path}`);
    if (route) {
      serve(route, req, res, q).catch((error: unknown) => {
        logger.error({ err: { message: (error as Error).message } }, 'hot path failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
    } else app(req, res);
  };
}

/** The headers helmet would set, computed once (they do not depend on the request). */
export function collectHelmetHeaders(middleware: (req: unknown, res: unknown, next: (err?: unknown) => void) => void): Array<[string, string]> {
  const headers = new Map<string, string>();
  const fakeRes = {
    setHeader: (k: string, v: string | number | string[]) => headers.set(k, Array.isArray(v) ? v.join(', ') : String(v)),
    removeHeader: (k: string) => headers.delete(k),
    getHeader: (k: string) => headers.get(k),
  };
  middleware({ headers: {}, method: 'POST', url: '/' }, fakeRes, () => {});
  return [...headers];
}
