import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DeviceIdSchema } from '../../../../core/protocol/tracker-protocol.ts';
import { route } from '../../../http/route.ts';
import { DeadLetterSchema, PageQuery } from '../../../http/schemas.ts';
import type { ApiDeps } from '../../../app.ts';
import { OPS } from '../../../../core/domain/auth/roles.ts';

export default function deadLetterRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/dead-letters',
    tags: ['ingest'],
    access: OPS,
    summary: 'What trackers sent that broke the protocol, newest first, with the reason',
    query: PageQuery.extend({ deviceId: DeviceIdSchema.optional() }),
    responses: { 200: z.object({ deadLetters: z.array(DeadLetterSchema) }) },
    handler: async ({ query }) => ({ deadLetters: await services.deadLetters.list(query) }),
  });
}
