import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { DomainError, type DomainErrorCode } from '../../core/domain/errors.ts';
import { isDataException } from '../../core/storage/transaction.ts';

/** The one error shape every route answers with: a stable code, a message, details. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Status of each domain error code (also used by the OpenAPI document). */
export const ERROR_STATUS: Record<DomainErrorCode, number> = {
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  VALIDATION_FAILED: 400,
  INVALID_TRANSITION: 409,
  DEVICE_IN_USE: 409,
  DEVICE_DISABLED: 409,
  CONFLICT: 409,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
};

// Fastify's own client errors, given stable codes of ours.
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
};

/**
 * Maps domain and validation errors to 4xx with a stable code, and hides the details
 * of anything else behind a 500 (logged in full, never sent).
 */
export function registerErrorHandler(app: FastifyInstance): void {
  // Fastify binds a route to the error handler in force when the route is declared: set it first.
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    if (err instanceof ZodError) {
      return reply.status(400).send(
        body(
          'VALIDATION_FAILED',
          'request is invalid',
          err.issues.map((i) => ({
            path: i.path.join('.'),
            message: i.message,
          })),
        ),
      );
    }
    if (err instanceof DomainError) {
      if (err.code === 'RATE_LIMITED' && typeof err.details?.retryAfterS === 'number')
        reply.header('retry-after', String(err.details.retryAfterS));
      return reply.status(ERROR_STATUS[err.code]).send(body(err.code, err.message, err.details));
    }
    const fe = err as FastifyError;
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      const code = (fe.code && FASTIFY_CODES[fe.code]) ?? (fe instanceof SyntaxError ? 'INVALID_JSON' : 'BAD_REQUEST');
      return reply.status(fe.statusCode).send(body(code, fe.message));
    }
    if (isDataException(err)) {
      // Input the routes' schemas let through but the database refused (a value out of a
      // column's range, text it cannot hold): the request is at fault, so a 400. Logged,
      // because it means a schema should have caught it.
      req.log.warn({ err }, 'database refused request data');
      return reply.status(400).send(body('INVALID_INPUT', 'a value in the request cannot be stored'));
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send(body('INTERNAL', 'internal error'));
  });
}

/**
 * Errors fastify raises while routing, before any handler or hook (a malformed URL, a path
 * parameter over maxParamLength): by default they bypass the error handler and answer in
 * fastify's own shape. Passed as the `frameworkErrors` option.
 */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const status =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : err.statusCode && err.statusCode < 500 ? err.statusCode : 400;
  const code = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'URI_TOO_LONG' : 'BAD_URL';
  void reply
    .status(status)
    .send(
      body(code, err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path parameter is too long' : 'the URL is malformed'),
    );
}

/** JSON 404s for unknown routes; page paths get the dashboard's index.html when it is served. */
export function registerNotFoundHandler(app: FastifyInstance, opts: { spaFallback: boolean }): void {
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    // A dashboard page reloaded at its own URL gets the single-page app; API paths and
    // missing files keep a JSON 404.
    // A page path may contain a dot (/creators/@ava.cooks): what decides is whether the
    // browser asked for a page (Accept: text/html) rather than a missing asset.
    const wantsPage = (req.headers.accept ?? '').includes('text/html');
    if (opts.spaFallback && req.method === 'GET' && !path.startsWith('/api/') && wantsPage) {
      return reply.type('text/html').sendFile('index.html');
    }
    return reply.status(404).send(body('ROUTE_NOT_FOUND', `no route ${req.method} ${path}`));
  });
}

function body(code: string, message: string, details?: unknown): ErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}
