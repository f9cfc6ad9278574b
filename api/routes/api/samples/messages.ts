import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { READERS } from '../../../../core/domain/auth/roles.ts';
import { route } from '../../../http/route.ts';
import type { ApiDeps } from '../../../app.ts';
import { CreatorMessage, forCaller } from '../creator-messages/schema.ts';

/** The messages a sample's follow-ups sent its creator, on every channel, with their delivery state. */
export default function sampleMessageRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/samples/:id/messages',
    tags: ['samples'],
    access: READERS,
    summary: "The sample's messages to its creator (email and DM), oldest first, with delivery state",
    params: z.object({ id: z.string().min(1).max(40) }),
    responses: { 200: z.object({ messages: z.array(CreatorMessage) }) },
    handler: async ({ params, req }) => ({ messages: forCaller(req, await services.messages.ofSample(params.id)) }),
  });
}
