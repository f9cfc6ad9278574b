import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CarrierEventSchema } from '../../../../core/domain/sample/carrier-event.ts';
import { route } from '../../../http/route.ts';
import { TransitionSchema } from '../../../http/schemas.ts';
import type { ApiDeps } from '../../../app.ts';
import { auditActor } from '../../../plugins/auth.ts';

// The carrier's webhook calls with an integration token; ops may enter an event by hand.
const CARRIER = ['admin', 'ops', 'integration'] as const;

export default function carrierEventRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'POST',
    url: '/api/carrier-events',
    tags: ['carrier'],
    access: CARRIER,
    summary: 'Carrier tracking webhook: {trackingId, event, at (RFC 3339 with offset), location?, detail?}; idempotent',
    body: CarrierEventSchema,
    responses: {
      200: z.object({
        sampleId: z.string(),
        effect: z.enum(['transition', 'no_op', 'stale']).describe('stale: already taken into account (a resend)'),
        transition: TransitionSchema.nullable(),
        reason: z.string().nullable(),
      }),
    },
    errors: ['NOT_FOUND'],
    handler: ({ body, req }) => services.carrierEvents.receive(body, req.body, auditActor(req)),
  });
}
