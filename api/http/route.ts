import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Access } from '../../core/domain/auth/roles.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

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
  handler: (input: { params: z.output<P>; query: z.output<Q>; body: z.output<B>; req: FastifyRequest; reply: FastifyReply }) => Promise<unknown>;
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
export function route<P extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, B extends z.ZodType = z.ZodUndefined>(
  app: FastifyInstance,
  book: RouteBook,
  spec: RouteSpec<P, Q, B>,
): void {
  book.push({ ...spec, errors: spec.errors ?? [] });
  app.route({
    method: spec.method,
    url: spec.url,
    config: { access: spec.access },
    handler: async (req, reply) => {
      const params = spec.params ? spec.params.parse(req.params) : undefined;
      const query = spec.query ? spec.query.parse(req.query) : undefined;
      const body = spec.body ? spec.body.parse(req.body ?? {}) : undefined;
      return spec.handler({ params, query, body, req, reply } as never);
    },
  });
}
