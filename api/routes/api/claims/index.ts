import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CLAIM_STATUSES } from '../../../../core/domain/sample/claim.ts';
import { FULFILLMENT } from '../../../../core/domain/auth/roles.ts';
import { route } from '../../../http/route.ts';
import type { ApiDeps } from '../../../app.ts';
import { auditActor } from '../../../plugins/auth.ts';

const ClaimId = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31 - 1),
});
export const Amount = z.number().int().nonnegative().max(100_000_000).describe('Claimed (or paid) amount in cents');
export const Note = z.string().trim().min(1).max(2000);

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

/** PATCH /api/claims/:id: a claim's progress (a sample's claims are opened under /api/samples/:id/claims). */
export default function claimRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
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
