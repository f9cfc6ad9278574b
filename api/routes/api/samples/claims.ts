import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { FULFILLMENT, READERS } from '../../../../core/domain/auth/roles.ts';
import { route } from '../../../http/route.ts';
import type { ApiDeps } from '../../../app.ts';
import { auditActor, principalOf } from '../../../plugins/auth.ts';
import { Amount, ClaimSchema, Note } from '../claims/index.ts';

const SampleId = z.object({ id: z.string().regex(/^SMP-\d{2}-\d{6,}$/, 'sample id looks like SMP-26-000123') });

/** Claims against the carrier for a damaged or lost parcel: the sample's, and opening one. */
export function sampleClaimRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/samples/:id/claims',
    tags: ['samples'],
    access: READERS,
    summary: "The sample's claims against the carrier, oldest first",
    params: SampleId,
    responses: { 200: z.object({ claims: z.array(ClaimSchema) }) },
    errors: ['NOT_FOUND'],
    handler: async ({ params }) => ({ claims: await services.claims.ofSample(params.id) }),
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/samples/:id/claims',
    tags: ['samples'],
    access: FULFILLMENT,
    summary: 'Open a claim against the carrier (one live claim per sample; audited, opened by the signed-in person)',
    params: SampleId,
    body: z.object({ amountCents: Amount.optional(), note: Note.optional() }).strict(),
    responses: { 201: ClaimSchema },
    errors: ['NOT_FOUND', 'INVALID_TRANSITION', 'CONFLICT'],
    handler: async ({ params, body, req, reply }) =>
      reply.status(201).send(await services.claims.open(params.id, body, principalOf(req).email, auditActor(req))),
  });
}
