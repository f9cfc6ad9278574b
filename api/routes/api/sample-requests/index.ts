import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { REQUEST_SOURCES } from '../../../../core/domain/sample/sample-state.ts';
import { route } from '../../../http/route.ts';
import { SampleRequestResultSchema } from '../../../http/schemas.ts';
import type { ApiDeps } from '../../../app.ts';
import { OPS } from '../../../../core/domain/auth/roles.ts';
import { auditActor } from '../../../plugins/auth.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const Person = z.object({ by: text(200), reason: text(1000) }).strict();

export const SampleRequestBody = z
  .object({
    creator: text(200).describe('Creator id (CRT-000001) or handle; the creator must exist'),
    sku: text(100),
    campaign: text(200),
    variant: text(100).optional().describe("Size, flavour, shade; the product's variant when absent"),
    quantity: z.number().int().min(1).max(100).default(1),
    source: z.enum(REQUEST_SOURCES),
    requestedBy: text(200),
    override: Person.optional().describe(
      'Lifts the restricted-creator refusal (recorded); a named approver still decides',
    ),
  })
  .strict();

/** POST /api/sample-requests: a request from the program, decided by the approval policy. */
export default function sampleRequestRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'POST',
    url: '/api/sample-requests',
    tags: ['samples'],
    access: OPS,
    summary:
      'Request a sample: validated, then decided by the approval policy (approved, rejected or left for a named approver)',
    body: SampleRequestBody,
    responses: { 201: SampleRequestResultSchema },
    errors: ['NOT_FOUND', 'VALIDATION_FAILED'],
    handler: async ({ body, req, reply }) =>
      reply.status(201).send(await services.lifecycle.request(body, auditActor(req))),
  });
}
