import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import { isDatabaseUnavailable } from '../db/database.ts';
import {
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  RefusedError,
  UnavailableError,
} from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import { redactMessage, redactValue } from '../scanner/redaction.ts';

export interface ErrorBody {
  error: { code: string; message: string; requestId: string; details?: unknown };
}

/** Zod issues without the offending values (they may be personal data or secrets): paths and messages only. */
function describeZodError(error: ZodError): Array<{ path: string; message: string }> {
  return error.issues.slice(0, 20).map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
}

/** How often a database outage is logged: once per interval, with how many requests it failed meanwhile. */
const OUTAGE_LOG_INTERVAL_MS = 10_000;
const outages = new WeakMap<Logger, { loggedAt: number; failed: number }>();

function reportOutage(logger: Logger, err: unknown, route: string, now = Date.now()): void {
  const state = outages.get(logger);
  if (state && now - state.loggedAt < OUTAGE_LOG_INTERVAL_MS) {
    state.failed++;
    return;
  }
  const e = err as { code?: unknown; message?: unknown };
  logger.error(
    {
      route,
      // Not `err`: pino's error serializer would add a stack, and one line per interval is the point.
      outage: { code: typeof e?.code === 'string' ? e.code : undefined, message: typeof e?.message === 'string' ? redactMessage(e.message) : undefined },
      failedSinceLastReport: state?.failed ?? 0,
    },
    `database unavailable: requests answer 503 (logged at most every ${OUTAGE_LOG_INTERVAL_MS / 1000} s)`,
  );
  outages.set(logger, { loggedAt: now, failed: 0 });
}

/** The body parser's and router's own client errors (http-errors with `expose`): 413 too large, 415 charset, 400 aborted … */
function bodyParserError(err: unknown): { status: number; type: string } | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { type?: unknown; status?: unknown; statusCode?: unknown; expose?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  // The router's "Failed to decode param" (a path segment that is not valid UTF-8) is a URIError with status 400.
  if (status === undefined || status < 400 || status > 499 || (e.expose !== true && !(err instanceof URIError))) return undefined;
  return { status, type: typeof e.type === 'string' ? e.type : '' };
}

/**
 * Maps any error to its status and the one error body, with the request id. Every message and every string in
 * `details` goes through redactMessage (engine/scanner/redaction.ts): the one rule for what an error body may echo.
 */
export function toErrorResponse(err: unknown, requestId: string, logger: Logger, route: string): { status: number; body: ErrorBody } {
  let status = 500;
  let code = 'internal';
  let message = 'Internal error. Quote the request id when you report it.';
  let details: unknown;
  const parser = bodyParserError(err);
  if (err instanceof ZodError) {
    status = 400;
    code = 'invalid_request';
    details = describeZodError(err);
    message = 'The request is not valid: ' + (details as Array<{ path: string; message: string }>).map((d) => `${d.path}: ${d.message}`).join('; ');
  } else if (err instanceof InputError) {
    status = 400;
    code = err.code;
    message = err.message;
    details = err.details;
  } else if (err instanceof AuthenticationError) {
    status = 401;
    code = err.code;
    message = err.message;
  } else if (err instanceof NotAllowedError) {
    status = 403;
    code = err.code;
    message = err.message;
  } else if (err instanceof NotFoundError) {
    status = 404;
    code = err.code;
    message = err.message;
  } else if (err instanceof ConflictError) {
    status = 409;
    code = err.code;
    message = err.message;
    details = err.details;
  } else if (err instanceof RefusedError) {
    status = 422;
    code = err.code;
    message = err.message;
  } else if (err instanceof PayloadTooLargeError) {
    status = 413;
    code = err.code;
    message = err.message;
    details = err.details;
  } else if (err instanceof UnavailableError) {
    status = 503;
    code = err.code;
    message = err.message;
  } else if (parser?.type === 'entity.too.large' || parser?.status === 413) {
    status = 413;
    code = 'payload_too_large';
    message = 'The request body is too large.';
  } else if (parser?.type === 'content.type.unsupported') {
    status = 415;
    code = 'unsupported_media_type';
    message = 'The request body must be JSON, sent with content-type: application/json.';
  } else if (parser?.type === 'entity.parse.failed') {
    status = 400;
    code = 'invalid_json';
    message = 'The request body is not valid JSON.';
  } else if (parser) {
    // Unsupported charset or encoding (415), an aborted body, a malformed path (400): the client's to fix.
    status = parser.status;
    code = status === 415 ? 'unsupported_media_type' : 'invalid_request';
    message = status === 415 ? 'The request body has an unsupported charset or content encoding.' : 'The request could not be read.';
  } else if (isDatabaseUnavailable(err)) {
    status = 503;
    code = 'unavailable';
    message = 'The database is unavailable. Try again shortly.';
    reportOutage(logger, err, route);
  } else {
    logger.error({ requestId, route, err: { message: redactMessage(String((err as Error)?.message)), stack: (err as Error)?.stack } }, 'unhandled error');
  }
  return {
    status,
    body: { error: { code, message: redactMessage(message), requestId, ...(details !== undefined ? { details: redactValue(details) } : {}) } },
  };
}

/** Writes a JSON answer (every JSON body Tenet sends, answers and errors alike, is written here). */
export function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  writeJson(res, status, JSON.stringify(payload));
}

export function writeJson(res: ServerResponse, status: number, json: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/** An error answered with the one error body; a response already under way is cut instead (it cannot be completed). */
export function sendError(res: ServerResponse, err: unknown, requestId: string, logger: Logger, route: string): number {
  const { status, body } = toErrorResponse(err, requestId, logger, route);
  if (res.headersSent) res.destroy();
  else sendJson(res, status, body);
  return status;
}

/** For what no route answers (unknown paths, the console's files, a path the router cannot decode). */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    sendError(res, err, String(res.locals.requestId ?? 'unknown'), logger, req.route?.path ?? '(no route)');
  };
}
