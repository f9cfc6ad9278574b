import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { READERS } from '../../../../core/domain/auth/roles.ts';
import { auditActor, principalOf } from '../../../plugins/auth.ts';
import { route } from '../../../http/route.ts';
import { ApiTokenSchema, RoleSchema } from '../../../http/auth-schemas.ts';
import type { ApiDeps } from '../../../app.ts';

export default function tokenRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'POST',
    url: '/api/tokens',
    tags: ['users'],
    access: READERS,
    summary:
      'Create an API token for yourself, scoped to a role (an admin: any role; others: their own or viewer). The token is shown this once',
    body: z
      .object({
        name: z.string().trim().min(1).max(200).describe('What uses it, e.g. "carrier webhook"'),
        role: RoleSchema,
        expiresAt: z.iso.datetime({ offset: true }).optional(),
      })
      .strict(),
    responses: {
      201: ApiTokenSchema.extend({
        token: z.string().describe('Send as Authorization: Bearer <token>. Shown once; only its hash is stored.'),
      }),
    },
    errors: ['FORBIDDEN'],
    handler: async ({ body, req, reply }) =>
      reply.status(201).send(
        await services.users.createToken(
          principalOf(req),
          {
            name: body.name,
            role: body.role,
            ...(body.expiresAt ? { expiresAt: new Date(body.expiresAt) } : {}),
          },
          auditActor(req),
        ),
      ),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/tokens',
    tags: ['users'],
    access: READERS,
    summary: 'API tokens: every one for an admin, your own otherwise (never the token itself)',
    responses: { 200: z.object({ tokens: z.array(ApiTokenSchema) }) },
    handler: async ({ req }) => ({ tokens: await services.users.tokens(principalOf(req)) }),
  });

  route(app, routes, {
    method: 'DELETE',
    url: '/api/tokens/:id',
    tags: ['users'],
    access: READERS,
    summary: 'Revoke a token (an admin: any; others: their own)',
    params: z.object({ id: z.coerce.number().int().positive() }),
    responses: { 204: null },
    errors: ['NOT_FOUND'],
    handler: async ({ params, req, reply }) => {
      await services.users.revokeToken(principalOf(req), params.id, auditActor(req));
      return reply.status(204).send();
    },
  });
}
