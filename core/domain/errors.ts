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
  | 'CONFLICT';

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

export const notFound = (what: string, id: string) => new DomainError('NOT_FOUND', `${what} ${id} does not exist`, { id });
