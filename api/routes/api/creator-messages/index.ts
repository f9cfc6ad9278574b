import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { OPS, READERS } from '../../../../core/domain/auth/roles.ts';
import { route } from '../../../http/route.ts';
import { PageQuery } from '../../../http/schemas.ts';
import type { ApiDeps } from '../../../app.ts';
import { auditActor } from '../../../plugins/auth.ts';
import { CreatorMessage, forCaller } from './schema.ts';

const Id = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 53),
});

/** Messages to creators across samples: the DMs waiting for a person, failed emails. */
export default function creatorMessageRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/creator-messages',
    tags: ['samples'],
    access: READERS,
    summary: 'Messages to creators by state and channel (status=queued&channel=dm: the DMs to send), oldest first',
    query: PageQuery.extend({
      status: z.enum(['queued', 'sent', 'failed', 'bounced']).optional(),
      channel: z.enum(['email', 'dm']).optional(),
    }),
    responses: { 200: z.object({ messages: z.array(CreatorMessage) }) },
    handler: async ({ query, req }) => ({ messages: forCaller(req, await services.messages.list(query)) }),
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/creator-messages/:id/sent',
    tags: ['samples'],
    access: OPS,
    summary: 'Mark a queued DM sent, by the signed-in person (audited)',
    params: Id,
    responses: { 200: CreatorMessage },
    errors: ['NOT_FOUND', 'CONFLICT'],
    handler: async ({ params, req }) =>
      forCaller(req, [await services.messages.markSent(params.id, auditActor(req))])[0],
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/creator-messages/:id/retry',
    tags: ['samples'],
    access: OPS,
    summary: 'Queue a failed or bounced email again, attempts reset (audited)',
    params: Id,
    responses: { 200: CreatorMessage },
    errors: ['NOT_FOUND', 'CONFLICT'],
    handler: async ({ params, req }) => forCaller(req, [await services.messages.retry(params.id, auditActor(req))])[0],
  });
}
