/**
 * Typed domain errors. Services throw these, never HTTP errors, because ingest and the
 * scheduler reuse the same services; the API maps `code` to a status in one place.
 */
export type DomainErrorCode =
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'VALIDATION_FAILED'
  | 'INVALID_TRANSITION'
  | 'DEVICE_IN_USE'
  | 'DEVICE_DISABLED'
  | 'CONFLICT'
  /** No (valid) credentials: sign in or send an API token. */
  | 'UNAUTHENTICATED'
  /** Signed in, but this role may not do this (or a CSRF header is missing). */
  | 'FORBIDDEN'
  | 'RATE_LIMITED';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string, id: string) =>
  new DomainError('NOT_FOUND', `${what} ${id} does not exist`, { id });
