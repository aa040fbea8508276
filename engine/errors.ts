/**
 * Errors know nothing about HTTP; engine/http/error-handler.ts maps them (and zod errors) to responses.
 * Messages must never carry a secret or raw personal data: they reach error bodies.
 */
export class InputError extends Error {
  readonly code = 'invalid_request';
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

export class AuthenticationError extends Error {
  readonly code = 'unauthenticated';
  constructor(message = 'A valid API key is required (Authorization: Bearer <key>).') {
    super(message);
    this.name = 'AuthenticationError';
  }
}

export class NotAllowedError extends Error {
  readonly code = 'forbidden';
  constructor(message = 'Your role may not do this.') {
    super(message);
    this.name = 'NotAllowedError';
  }
}

export class NotFoundError extends Error {
  readonly code = 'not_found';
  constructor(message = 'Not found.') {
    super(message);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends Error {
  readonly code = 'conflict';
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class UnavailableError extends Error {
  readonly code = 'unavailable';
  constructor(message: string) {
    super(message);
    this.name = 'UnavailableError';
  }
}

/** The request was understood but what it asks for must not be done (e.g. a pack that would hold raw PII). */
export class RefusedError extends Error {
  readonly code = 'refused';
  constructor(message: string) {
    super(message);
    this.name = 'RefusedError';
  }
}
