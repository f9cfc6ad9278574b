import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Access } from '../../core/domain/auth/roles.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * What a route does with an answer that does not match its documented response schema:
 * `strict` refuses it (a 500, so a test fails on drift), `log` logs and sends it, `off` skips
 * the check. The schemas are the OpenAPI document's and the dashboard's generated types, so a
 * handler that drifts from them is found by the tests, not by the dashboard.
 */
export type ResponseValidation = 'off' | 'log' | 'strict';

declare module 'fastify' {
  interface FastifyInstance {
    responseValidation: ResponseValidation;
  }
}

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: Method;
  url: string;
  summary: string;
  tags: string[];
  /**
   * Who may call it: 'public', or the roles allowed (core/domain/auth/roles.ts). Required,
   * so no route can be added without deciding; enforced by api/plugins/auth.ts and
   * published in the OpenAPI document (security, x-roles).
   */
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** Status → response schema, for the OpenAPI document. */
  responses: Record<number, z.ZodType | null>;
  /** Error codes this route may answer with (documented). */
  errors?: string[];
  handler: (input: {
    params: z.output<P>;
    query: z.output<Q>;
    body: z.output<B>;
    req: FastifyRequest;
    reply: FastifyReply;
  }) => Promise<unknown>;
}

export interface DocumentedRoute {
  method: Method;
  url: string;
  summary: string;
  tags: string[];
  access: Access;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  responses: Record<number, z.ZodType | null>;
  errors: string[];
}

/** Every route declared through `route`, for the generated OpenAPI document. */
export type RouteBook = DocumentedRoute[];

/**
 * Declares a thin route: zod parses params, query and body (a failure becomes a 400
 * VALIDATION_FAILED through the error handler), then the handler calls a service.
 * The same schemas produce the OpenAPI document, so docs and validation cannot drift.
 */
export function route<
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
>(app: FastifyInstance, book: RouteBook, spec: RouteSpec<P, Q, B>): void {
  book.push({ ...spec, errors: spec.errors ?? [] });
  app.route({
    method: spec.method,
    url: spec.url,
    config: { access: spec.access },
    handler: async (req, reply) => {
      const params = spec.params ? spec.params.parse(req.params) : undefined;
      const query = spec.query ? spec.query.parse(req.query) : undefined;
      const body = spec.body ? spec.body.parse(req.body ?? {}) : undefined;
      const result = await spec.handler({ params, query, body, req, reply } as never);
      checkResponse(app.responseValidation, spec, reply, result);
      return result;
    },
  });
}

function checkResponse(
  mode: ResponseValidation | undefined,
  spec: { method: string; url: string; responses: Record<number, z.ZodType | null> },
  reply: FastifyReply,
  result: unknown,
): void {
  if (!mode || mode === 'off' || result === undefined || reply.sent) return;
  const schema = spec.responses[reply.statusCode];
  if (!schema) return;
  // Checked as the client receives it: dates and other values as JSON.stringify writes them.
  const checked = schema.safeParse(JSON.parse(JSON.stringify(result)));
  if (checked.success) return;
  const issues = checked.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  const problem = `response of ${spec.method} ${spec.url} (${reply.statusCode}) does not match its schema: ${issues}`;
  if (mode === 'strict') throw new Error(problem);
  reply.log.warn({ route: `${spec.method} ${spec.url}` }, problem);
}
