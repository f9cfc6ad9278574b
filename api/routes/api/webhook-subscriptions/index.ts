import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { route } from '../../../http/route.ts';
import { WebhookSubscriptionSchema } from '../../../http/schemas.ts';
import type { ApiDeps } from '../../../app.ts';
import { ADMIN } from '../../../../core/domain/auth/roles.ts';
import { auditActor } from '../../../plugins/auth.ts';

const Kind = z.enum(['opened', 'escalated', 'ended', 'resolved', 'retracted']);

export default function webhookRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'POST',
    url: '/api/webhook-subscriptions',
    tags: ['alerts'],
    access: ADMIN,
    summary: 'Subscribe a URL to alerts by kind and minimum severity; the signing secret is returned this once',
    body: z
      .object({
        url: z.url({ protocol: /^https?$/ }),
        eventKinds: z.array(Kind).min(1).optional(),
        minSeverity: z.enum(['info', 'warning', 'critical']).optional(),
        description: z.string().max(200).optional(),
      })
      .strict(),
    responses: {
      201: WebhookSubscriptionSchema.extend({
        secret: z.string().describe('HMAC-SHA256 key for X-Sampletrack-Signature'),
      }),
    },
    handler: async ({ body, req, reply }) =>
      reply.status(201).send(await services.alerts.subscribe(body, auditActor(req))),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/webhook-subscriptions',
    tags: ['alerts'],
    access: ADMIN,
    summary: 'Webhook subscriptions (secrets are never shown again)',
    responses: { 200: z.object({ subscriptions: z.array(WebhookSubscriptionSchema) }) },
    handler: async () => ({ subscriptions: await services.alerts.subscriptions() }),
  });

  route(app, routes, {
    method: 'DELETE',
    url: '/api/webhook-subscriptions/:id',
    tags: ['alerts'],
    access: ADMIN,
    summary: 'Stop a subscription (its past deliveries stay on record)',
    params: z.object({ id: z.coerce.number().int().positive() }),
    responses: { 204: null },
    errors: ['NOT_FOUND'],
    handler: async ({ params, req, reply }) => {
      await services.alerts.unsubscribe(params.id, auditActor(req));
      return reply.status(204).send();
    },
  });
}
