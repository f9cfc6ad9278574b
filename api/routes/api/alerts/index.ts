import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { route } from '../../../http/route.ts';
import { AlertSchema, PageQuery } from '../../../http/schemas.ts';
import type { ApiDeps } from '../../../app.ts';
import { READERS, WORKERS } from '../../../../core/domain/auth/roles.ts';
import { principalOf } from '../../../plugins/auth.ts';

export default function alertRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/alerts',
    tags: ['alerts'],
    access: READERS,
    summary: 'The in-app alert inbox, newest first (also pushed live on /api/live)',
    query: PageQuery.extend({
      unread: z
        .enum(['true', 'false'])
        .default('false')
        .transform((v) => v === 'true'),
      sampleId: z.string().max(40).optional(),
    }),
    responses: { 200: z.object({ alerts: z.array(AlertSchema) }) },
    handler: async ({ query }) => ({
      alerts: await services.alerts.list({
        unreadOnly: query.unread,
        limit: query.limit,
        offset: query.offset,
        ...(query.sampleId ? { sampleId: query.sampleId } : {}),
      }),
    }),
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/alerts/:id/read',
    tags: ['alerts'],
    access: WORKERS,
    summary: 'Mark an alert read, as the signed-in person',
    params: z.object({ id: z.coerce.number().int().positive() }),
    body: z.object({}).strict().optional(),
    responses: { 200: AlertSchema },
    errors: ['NOT_FOUND'],
    handler: ({ params, req }) => services.alerts.markRead(params.id, principalOf(req).email),
  });
}
