import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import { AuthenticationError, ConflictError, InputError, NotAllowedError, NotFoundError, RefusedError, UnavailableError } from '../errors.ts';
import type { Logger } from '../logger.ts';

export interface ErrorBody {
  error: { code: string; message: string; requestId: string; details?: unknown };
}

/** Zod issues without the offending values (they may be personal data or secrets): paths and messages only. */
export function describeZodError(error: ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
}

/** Maps any error to its status and the one error body, with the request id. */
export function toErrorResponse(err: unknown, requestId: string, logger: Logger, route: string): { status: number; body: ErrorBody } {
  let status = 500;
  let code = 'internal';
  let message = 'Internal error. Quote the request id when you report it.';
  let details: unknown;
  if (err instanceof ZodError) {
    status = 400;
    code = 'invalid_request';
    details = describeZodError(err);
    message = 'The request is not valid: ' + (details as Array<{ path: string; message: string }>).map((d) => `${d.path}: ${d.message}`).join('; ');
  } else if (err instanceof InputError) {
    status = 400; code = err.code; message = err.message; details = err.details;
  } else if (err instanceof AuthenticationError) {
    status = 401; code = err.code; message = err.message;
  } else if (err instanceof NotAllowedError) {
    status = 403; code = err.code; message = err.message;
  } else if (err instanceof NotFoundError) {
    status = 404; code = err.code; message = err.message;
  } else if (err instanceof ConflictError) {
    status = 409; code = err.code; message = err.message; details = err.details;
  } else if (err instanceof RefusedError) {
    status = 422; code = err.code; message = err.message;
  } else if (err instanceof UnavailableError) {
    status = 503; code = err.code; message = err.message;
  } else if (err && typeof err === 'object' && 'type' in err && (err as { type: string }).type === 'entity.too.large') {
    status = 413; code = 'payload_too_large'; message = 'The request body is too large.';
  } else if (err && typeof err === 'object' && 'type' in err && (err as { type: string }).type === 'entity.parse.failed') {
    status = 400; code = 'invalid_json'; message = 'The request body is not valid JSON.';
  } else {
    logger.error({ requestId, route, err: { message: (err as Error)?.message, stack: (err as Error)?.stack } }, 'unhandled error');
  }
  return { status, body: { error: { code, message, requestId, ...(details !== undefined ? { details } : {}) } } };
}

/** One error body everywhere, always with the request id. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const { status, body } = toErrorResponse(err, String(res.locals.requestId ?? 'unknown'), logger, req.path);
    res.status(status).json(body);
  };
}
