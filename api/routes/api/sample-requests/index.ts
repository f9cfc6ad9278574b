import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { REQUEST_SOURCES } from '../../../../core/domain/sample/sample-state.ts';
import { route } from '../../../http/route.ts';
import { SampleRequestPreviewSchema, SampleRequestResultSchema } from '../../../http/schemas.ts';
import type { ApiDeps } from '../../../app.ts';
import { OPS } from '../../../../core/domain/auth/roles.ts';
import { auditActor, principalOf } from '../../../plugins/auth.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
// Identity is never taken from a body: whoever is signed in requests, and overrides.
const Override = z.object({ reason: text(1000) }).strict();

export const SampleRequestBody = z
  .object({
    creator: text(200).describe('Creator id (CRT-000001) or handle; the creator must exist'),
    sku: text(100),
    campaign: text(200),
    variant: text(100).optional().describe("Size, flavour, shade; the product's variant when absent"),
    quantity: z.number().int().min(1).max(100).default(1),
    source: z.enum(REQUEST_SOURCES),
    override: Override.optional().describe(
      'Lifts the restricted-creator refusal, recorded with the signed-in person and the reason; an approver still decides',
    ),
  })
  .strict();

/** The request as the service takes it: the signed-in person requests, and overrides. */
function requestInput(body: z.output<typeof SampleRequestBody>, req: FastifyRequest) {
  const { override, ...rest } = body;
  const email = principalOf(req).email;
  return { ...rest, requestedBy: email, ...(override ? { override: { by: email, reason: override.reason } } : {}) };
}

/** POST /api/sample-requests: a request from the program, decided by the approval policy; and its preview. */
export default function sampleRequestRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'POST',
    url: '/api/sample-requests',
    tags: ['samples'],
    access: OPS,
    summary:
      'Request a sample as the signed-in person: validated, then decided by the approval policy (approved, rejected or left for an approver)',
    body: SampleRequestBody,
    responses: { 201: SampleRequestResultSchema },
    errors: ['NOT_FOUND', 'VALIDATION_FAILED'],
    handler: async ({ body, req, reply }) =>
      reply.status(201).send(await services.lifecycle.request(requestInput(body, req), auditActor(req))),
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/sample-requests/preview',
    tags: ['samples'],
    access: OPS,
    summary:
      'What the approval policy would decide on this request now, and whether you could approve it yourself; nothing is written',
    body: SampleRequestBody,
    responses: { 200: SampleRequestPreviewSchema },
    errors: ['NOT_FOUND', 'VALIDATION_FAILED'],
    handler: async ({ body, req }) => {
      const { decision, approver } = await services.lifecycle.preview(requestInput(body, req), auditActor(req));
      return { decision, approver };
    },
  });
}
