import type { FastifyInstance } from 'fastify';
import { unstorableJson } from '../../core/protocol/json-limits.ts';
import { DomainError } from '../../core/domain/errors.ts';

/** No request body of ours nests deeper; more is an attack on recursive code downstream. */
export const MAX_BODY_DEPTH = 32;

/**
 * Refuses, before any route sees it, input no field of the API can legitimately hold and
 * PostgreSQL cannot store: NUL characters and unpaired UTF-16 surrogates in any string or
 * key of the body, query or path, and bodies nested deeper than MAX_BODY_DEPTH. Without
 * this a NUL in a name reached the database and came back as a 500.
 */
export function registerInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    for (const [part, value] of [
      ['body', req.body],
      ['query', req.query],
      ['path', req.params],
    ] as const) {
      const problem = unstorableJson(value, MAX_BODY_DEPTH);
      if (problem) throw new DomainError('VALIDATION_FAILED', `${part}: ${problem}`, { part });
    }
  });
}
