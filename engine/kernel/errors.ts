/**
 * Errors know nothing about HTTP; engine/http/error-handler.ts maps them (and zod errors) to responses.
 * Messages must never carry a secret or raw personal data: they reach error bodies.
 */
export class InputError extends Error {
  readonly code: string = 'invalid_request';
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * An authorization request tried to supply an entity the store holds, or one of a type the store owns
 * (tenancy and posture): a 400 like any bad input, with its own code so a caller can tell it apart.
 */
export class EntityConflictError extends InputError {
  override readonly code = 'entity_conflict';
  constructor(message: string, details?: unknown) {
    super(message, details);
    this.name = 'EntityConflictError';
  }
}

/** A request larger than its route accepts (bytes, or items in one call): a 413 whose message names the limits. */
export class PayloadTooLargeError extends Error {
  readonly code = 'payload_too_large';
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'PayloadTooLargeError';
  }
}

export class AuthenticationError extends Error {
  readonly code = 'unauthenticated';
  constructor(message = 'A valid API key, OIDC token (Authorization: Bearer <key or token>) or console session is required.') {
    super(message);
    this.name = 'AuthenticationError';
  }
}

export class NotAllowedError extends Error {
  readonly code: string = 'forbidden';
  constructor(message = 'Your role may not do this.') {
    super(message);
    this.name = 'NotAllowedError';
  }
}

/**
 * A console request (cookie session) that changes something without the session's CSRF token in `x-csrf-token`.
 * A 403 like any refusal, with its own code so the console can tell it apart.
 */
export class CsrfError extends NotAllowedError {
  override readonly code = 'csrf_failed';
  constructor(message = 'This request needs the x-csrf-token header of your console session.') {
    super(message);
    this.name = 'CsrfError';
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
  readonly code: string = 'refused';
  constructor(message: string) {
    super(message);
    this.name = 'RefusedError';
  }
}
