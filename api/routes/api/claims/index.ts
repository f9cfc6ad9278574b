import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CLAIM_STATUSES } from '../../../../core/domain/sample/claim.ts';
import { FULFILLMENT, READERS } from '../../../../core/domain/auth/roles.ts';
import { route } from '../../../http/route.ts';
import type { ApiDeps } from '../../../app.ts';
import { auditActor, principalOf } from '../../../plugins/auth.ts';

const SampleId = z.object({ id: z.string().regex(/^SMP-\d{2}-\d{6,}$/, 'sample id looks like SMP-26-000123') });
const ClaimId = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31 - 1),
});
const Amount = z.number().int().nonnegative().max(100_000_000).describe('Claimed (or paid) amount in cents');
const Note = z.string().trim().min(1).max(2000);

export const ClaimSchema = z
  .object({
    id: z.number().int(),
    sampleId: z.string(),
    exceptionId: z
      .number()
      .int()
      .nullable()
      .describe('The exception resolved as "carrier claim" that opened it, if any'),
    carrier: z.string().nullable(),
    status: z.enum(CLAIM_STATUSES),
    amountCents: z.number().int().nullable(),
    note: z.string().nullable(),
    openedBy: z.string().describe('The signed-in person who opened it'),
    openedAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Claim' });

/** Claims against the carrier for a damaged or lost parcel (registered with the sample routes). */
export default function claimRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
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

  route(app, routes, {
    method: 'PATCH',
    url: '/api/claims/:id',
    tags: ['samples'],
    access: FULFILLMENT,
    summary: 'Move a claim: open → submitted → paid or denied; withdrawn until decided (audited)',
    params: ClaimId,
    body: z
      .object({
        status: z.enum(CLAIM_STATUSES),
        amountCents: Amount.optional(),
        note: Note.optional(),
      })
      .strict(),
    responses: { 200: ClaimSchema },
    errors: ['NOT_FOUND', 'INVALID_TRANSITION'],
    handler: ({ params, body, req }) => services.claims.update(params.id, body, auditActor(req)),
  });
}
