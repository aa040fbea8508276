import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Request, type Response } from 'express';
import helmet from 'helmet';
import type { z } from 'zod';
import { PayloadTooLargeError } from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { Authenticated, RouteGuard } from './access.ts';
import { sendError, sendJson, writeJson } from './error-handler.ts';
import { guardInput } from './input-guard.ts';
import type { Caller, RouteDef } from './route.ts';

/** Every route's body limit, unless the route sets its own (`bodyLimit`, e.g. the bulk entity upsert). */
const BODY_LIMIT = 2 * 1024 * 1024;
/** Public routes (sign-in) take small bodies: anyone may send them. */
const PUBLIC_BODY_LIMIT = 64 * 1024;

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** The caller's `x-request-id` when it is a plausible id, else a new one: it is echoed and logged. */
const requestIdOf = (header: string | string[] | undefined): string => (typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID());

/** The headers helmet would set, computed once (they do not depend on the request). */
function helmetHeaders(): Array<[string, string]> {
  const middleware = helmet({
    contentSecurityPolicy: {
      directives: { 'default-src': ["'self'"], 'img-src': ["'self'", 'data:'], 'style-src': ["'self'", "'unsafe-inline'"], 'script-src': ["'self'"] },
    },
  }) as unknown as (req: unknown, res: unknown, next: () => void) => void;
  const headers = new Map<string, string>();
  const fakeRes = {
    setHeader: (k: string, v: string | number | string[]) => headers.set(k, Array.isArray(v) ? v.join(', ') : String(v)),
    removeHeader: (k: string) => headers.delete(k),
    getHeader: (k: string) => headers.get(k),
  };
  middleware({ headers: {}, method: 'GET', url: '/' }, fakeRes, () => {});
  return [...headers];
}

/** Shaped like body-parser's errors (status, type, expose), so toErrorResponse maps both alike. */
class BodyError extends Error {
  readonly expose = true;
  readonly status: number;
  constructor(readonly type: 'entity.too.large' | 'entity.parse.failed' | 'content.type.unsupported') {
    super(type);
    this.status = type === 'entity.too.large' ? 413 : type === 'content.type.unsupported' ? 415 : 400;
  }
}

/** `application/json` or a `+json` type, with any parameters (`; charset=utf-8`), in any case. */
const JSON_TYPE = /^\s*application\/(?:json|[^;\s]*\+json)\s*(?:;|$)/i;

/** Whether the request carries a body at all (a declared length above 0, or a chunked one). */
const hasBody = (req: IncomingMessage): boolean =>
  req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/**
 * The hot routes' body reader: a JSON body of at most `limit` bytes, no content encoding. Past the limit (declared
 * or, for a chunked body, counted) it stops keeping bytes and rejects at once; the rest of the body is read and
 * thrown away, so the caller gets its 413 instead of a TCP reset (destroying a socket the client is still writing
 * to resets it before the answer is read), as body-parser does. The server's requestTimeout bounds how long a
 * client can keep sending.
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
      // Only JSON bodies get here (readBody refuses others with a 415); an empty one is an empty body.
      if (size === 0) return resolve({});
      try {
        resolve(JSON.parse(Buffer.concat(chunks, size).toString('utf8')));
      } catch {
        reject(new BodyError('entity.parse.failed'));
      }
    });
    req.on('error', reject);
  });
}

const formatBytes = (n: number): string => `${n.toLocaleString('en-US')} bytes${n % (1024 * 1024) === 0 ? ` (${n / (1024 * 1024)} MiB)` : ''}`;

/** A route's limits in words, for its 413: "at most 10,000 entities and 8,388,608 bytes (8 MiB) per call". */
function limitsOf(limit: NonNullable<RouteDef['bodyLimit']>): string {
  const items = limit.items ? `${limit.items.max.toLocaleString('en-US')} ${limit.items.noun} and ` : '';
  return `at most ${items}${formatBytes(limit.bytes)} per call`;
}

/** The 413 of a body past a route's byte limit, or of one with more items than the route takes. */
function tooLarge(route: RouteDef, bytes: number, items?: number): PayloadTooLargeError {
  const limit = route.bodyLimit ?? { bytes };
  const what = `${route.method.toUpperCase()} ${route.path}`;
  const details = { limitBytes: limit.bytes, ...(limit.items ? { limitItems: limit.items.max, field: limit.items.field } : {}) };
  if (items !== undefined && limit.items) {
    return new PayloadTooLargeError(
      `${what} takes ${limitsOf(limit)}: this request has ${items.toLocaleString('en-US')} ${limit.items.noun}. Send them in several calls.`,
      { ...details, items },
    );
  }
  return new PayloadTooLargeError(`The request body is larger than ${formatBytes(limit.bytes)}: ${what} takes ${limitsOf(limit)}.`, details);
}

/** Runs a connect-style middleware (the body parser) as a step of the pipeline. */
const runMiddleware = (mw: express.RequestHandler, req: Request, res: Response): Promise<void> =>
  new Promise((resolve, reject) => {
    void mw(req, res, (err?: unknown) => (err ? reject(err) : resolve()));
  });

/** What the dispatcher found in the URL: Express's router for most routes, the hot routes' exact-match map for the rest. */
interface RouteInput {
  params: Record<string, string | string[]>;
  query: unknown;
}

/** Why an answer does not fit its route's declared schema: paths and messages, never values. */
export function responseProblems(route: Pick<RouteDef, 'response'>, result: unknown, json: string | undefined): string[] {
  const schema = route.response;
  if (schema === undefined) return [];
  if (schema === 'none') return result === undefined ? [] : ['(body): the route declares no body'];
  if (json === undefined) return ['(body): missing, the route declares one'];
  const wire: unknown = JSON.parse(json);
  const parsed = (schema as z.ZodType).safeParse(wire);
  if (!parsed.success) return parsed.error.issues.slice(0, 20).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
  const out: string[] = [];
  undeclared(wire, parsed.data, '', out);
  return out.map((p) => `${p || '(body)'}: not declared in the response schema`);
}

/** Keys of the answer the schema dropped (zod objects strip unknown keys): the schema must list every field. */
function undeclared(wire: unknown, parsed: unknown, at: string, out: string[]): void {
  if (out.length >= 20 || wire === null || typeof wire !== 'object' || parsed === null || typeof parsed !== 'object') return;
  const join = (k: string | number) => (at ? `${at}.${k}` : String(k));
  if (Array.isArray(wire)) {
    if (Array.isArray(parsed)) wire.forEach((w, i) => undeclared(w, parsed[i], join(i), out));
    return;
  }
  for (const k of Object.keys(wire)) {
    if (!(k in parsed)) out.push(join(k));
    else undeclared((wire as Record<string, unknown>)[k], (parsed as Record<string, unknown>)[k], join(k), out);
  }
}

export interface Pipeline {
  /** Request id and security headers, for every request (routed or not: console files and 404s get them too). */
  begin(req: IncomingMessage, res: ServerResponse): string;
  /** One route's request, from caller to answer. Never rejects: every failure is answered with the one error body. */
  serve(route: RouteDef, req: IncomingMessage, res: ServerResponse, requestId: string, input: RouteInput): Promise<void>;
}

/**
 * The one request pipeline every route runs, in this order: caller (API key; for routes that are not hot also the
 * console's cookie or an OIDC token), route gate, body (read only now: an anonymous or forbidden caller's 2 MB body
 * is never parsed), the input guard over body, query and path, the route's schemas, the handler, the answer (or
 * the one error body). With `checkResponses` every JSON answer is parsed with the route's declared schema and a
 * mismatch is a 500 naming the fields: tests run so, production does not pay for it.
 */
export function createPipeline(props: {
  guard: RouteGuard;
  /** Any caller: API key, console session cookie, OIDC token. */
  authenticate: (req: IncomingMessage) => Promise<Authenticated>;
  /** API keys only: the hot routes (no cookie, so no CSRF surface). */
  authenticateApiKey: (req: IncomingMessage) => Promise<Authenticated>;
  logger: Logger;
  metrics: Metrics;
  checkResponses: boolean;
}): Pipeline {
  const { guard, logger, metrics, checkResponses } = props;
  const securityHeaders = helmetHeaders();
  const jsonBody = express.json({ limit: BODY_LIMIT });
  const publicJsonBody = express.json({ limit: PUBLIC_BODY_LIMIT });
  // Routes with limits of their own: one parser per limit, made on first use.
  const ownLimitBodies = new Map<number, express.RequestHandler>();
  const jsonBodyOf = (route: RouteDef): express.RequestHandler => {
    if (route.gate === 'public') return publicJsonBody;
    const bytes = route.bodyLimit?.bytes;
    if (bytes === undefined) return jsonBody;
    let parser = ownLimitBodies.get(bytes);
    if (!parser) ownLimitBodies.set(bytes, (parser = express.json({ limit: bytes })));
    return parser;
  };

  function begin(req: IncomingMessage, res: ServerResponse): string {
    const requestId = requestIdOf(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    for (const [k, v] of securityHeaders) res.setHeader(k, v);
    return requestId;
  }

  async function readBody(route: RouteDef, req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    // A body that is not JSON is refused, not read as an empty one (which would answer a puzzling 400 about
    // missing fields). A request without a body stays an empty body.
    if (hasBody(req) && !JSON_TYPE.test(req.headers['content-type'] ?? '')) throw new BodyError('content.type.unsupported');
    // The hot routes keep a lean reader (JSON only, no content encoding), measured cheaper than body-parser; the
    // others keep body-parser's charsets and content encodings.
    const bytes = route.bodyLimit?.bytes ?? BODY_LIMIT;
    try {
      if (route.hot) return checkItems(route, await readJson(req, bytes));
      await runMiddleware(jsonBodyOf(route), req as Request, res as Response);
    } catch (error) {
      // A route with limits of its own says what they are; the others keep the plain 413.
      if (route.bodyLimit && (error as { type?: unknown }).type === 'entity.too.large') throw tooLarge(route, bytes);
      throw error;
    }
    return checkItems(route, (req as Request).body);
  }

  /** A body with more items than its route takes is refused before its schema reads them (a 413 naming the limits). */
  function checkItems(route: RouteDef, body: unknown): unknown {
    const items = route.bodyLimit?.items;
    if (!items || body === null || typeof body !== 'object') return body;
    const list = (body as Record<string, unknown>)[items.field];
    if (Array.isArray(list) && list.length > items.max) throw tooLarge(route, route.bodyLimit!.bytes, list.length);
    return body;
  }

  async function run(route: RouteDef, req: IncomingMessage, res: ServerResponse, requestId: string, input: RouteInput): Promise<number | undefined> {
    // Handlers read the caller's session (and the error handler the request id) from res.locals, as Express has it.
    const locals = ((res as { locals?: Record<string, unknown> }).locals ??= {});
    locals.requestId = requestId;
    let key: Caller | undefined;
    if (route.gate !== 'public') {
      const who = await (route.hot ? props.authenticateApiKey : props.authenticate)(req);
      key = who.key;
      locals.key = key;
      if (who.session) locals.session = who.session;
      if (route.gate !== 'authenticated') await guard.check(key, route.gate, requestId);
    }
    const raw = route.body ? await readBody(route, req, res) : undefined;
    guardInput('path', input.params);
    guardInput('query', input.query);
    if (route.body) guardInput('body', raw);
    const body = route.body ? route.body.parse(raw ?? {}) : undefined;
    const query = route.query ? route.query.parse(input.query) : undefined;
    const params = route.params ? route.params.parse(input.params) : undefined;
    const result = await route.handler({ body, query, params, key: key!, requestId, req: req as Request, res: res as Response });
    if (route.raw || res.headersSent) return res.statusCode;
    const json = result === undefined ? undefined : JSON.stringify(result);
    if (checkResponses) {
      const problems = responseProblems(route, result, json);
      if (problems.length) {
        const where = `${route.method.toUpperCase()} ${route.path}`;
        logger.error({ route: where, problems }, 'answer does not match its declared response schema');
        sendJson(res, 500, {
          error: {
            code: 'response_schema_mismatch',
            message: `${where}: the answer does not match its declared response schema`,
            requestId,
            details: problems,
          },
        });
        return 500;
      }
    }
    if (json === undefined) res.end();
    else writeJson(res, res.statusCode, json);
    return res.statusCode;
  }

  async function serve(route: RouteDef, req: IncomingMessage, res: ServerResponse, requestId: string, input: RouteInput): Promise<void> {
    let status: number | undefined;
    try {
      status = await run(route, req, res, requestId, input);
    } catch (error) {
      try {
        status = sendError(res, error, requestId, logger, route.path);
      } catch (sendFailure) {
        logger.error({ err: { message: (sendFailure as Error).message } }, 'error answer failed');
        res.destroy();
      }
      if (!req.complete) req.resume();
    }
    if (status !== undefined) metrics.httpRequests.inc({ route: `${route.method.toUpperCase()} ${route.path}`, status: String(status)[0] + 'xx' });
  }

  return { begin, serve };
}
