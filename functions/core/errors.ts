// Typed errors with a stable code and the HTTP status each maps to. The HTTP layer is the one place
// that turns them into a page or a JSON body; nothing serialises a raw error into a response.

export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: 400 | 403 | 404 | 405 | 409 | 410 | 413 | 415 | 429 | 500 | 501 | 503,
    options?: { cause?: unknown; field?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.field = options?.field;
  }
  readonly field: string | undefined;
}

/** Input that fails validation; names the field. */
export class ValidationError extends AppError {
  constructor(code: string, message: string, field?: string, status: 400 | 413 | 415 = 400) {
    super(code, message, status, { field });
    this.name = 'ValidationError';
  }
}

/** A link token that is forged, truncated, expired or meant for something else. */
export class TokenError extends AppError {
  constructor(code: 'token_invalid' | 'token_expired' | 'token_wrong_purpose' | 'token_missing', message: string) {
    super(code, message, code === 'token_expired' ? 410 : 400);
    this.name = 'TokenError';
  }
}

export class NotFoundError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, 404);
    this.name = 'NotFoundError';
  }
}

export class RateLimitedError extends AppError {
  /** `retryAfterSeconds`: whole seconds until the limit's window ends (the `Retry-After` header). */
  constructor(
    message = 'Too many requests. Please wait a few minutes and try again.',
    readonly retryAfterSeconds?: number,
  ) {
    super('rate_limited', message, 429);
    this.name = 'RateLimitedError';
  }
}

/** A dependency (DynamoDB, SES) could not answer; consent and send decisions fail closed on it. */
export class DependencyError extends AppError {
  constructor(message: string, cause: unknown) {
    super('dependency_failed', message, 503, { cause });
    this.name = 'DependencyError';
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
