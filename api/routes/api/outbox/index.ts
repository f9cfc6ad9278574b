import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { route } from '../../../http/route.ts';
import { PageQuery } from '../../../http/schemas.ts';
import type { ApiDeps } from '../../../app.ts';
import { OPS } from '../../../../core/domain/auth/roles.ts';
import { auditActor } from '../../../plugins/auth.ts';

const SampleId = z.string().regex(/^SMP-\d{2}-\d{6,}$/, 'sample id looks like SMP-26-000123');

const OutboxMessage = z.object({
  id: z.number().int(),
  idempotencyKey: z.string(),
  kind: z.string(),
  recipient: z.string(),
  sampleId: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
  status: z.string(),
  attempts: z.number().int(),
  nextAttemptAt: z.string(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
});

/** The follow-ups' outgoing messages (workers/outbox-delivery.ts sends them). */
export default function outboxRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/outbox',
    tags: ['samples'],
    access: OPS,
    summary: 'Outgoing messages queued by the follow-ups, with their delivery state',
    query: PageQuery.extend({
      status: z.enum(['pending', 'delivered', 'failed']).optional(),
      sampleId: SampleId.optional(),
    }),
    responses: {
      200: z.object({ messages: z.array(OutboxMessage) }),
    },
    handler: async ({ query }) => ({ messages: await services.followUps.messages(query) }),
  });
  route(app, routes, {
    method: 'POST',
    url: '/api/outbox/:id/retry',
    tags: ['samples'],
    access: OPS,
    summary: 'Queue a given-up (failed) outgoing message again, attempts reset (audited)',
    params: z.object({
      id: z.coerce
        .number()
        .int()
        .positive()
        .max(2 ** 53),
    }),
    responses: { 200: OutboxMessage },
    errors: ['NOT_FOUND', 'CONFLICT'],
    handler: ({ params, req }) => services.followUps.retryMessage(params.id, auditActor(req)),
  });
}
