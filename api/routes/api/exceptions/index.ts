import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { route } from '../../../http/route.ts';
import {
  BulkResultSchema,
  ConditionExceptionSchema,
  ExceptionGroupPageSchema,
  ExceptionPageSchema,
  PageQuery,
} from '../../../http/schemas.ts';
import type { ApiDeps } from '../../../app.ts';
import { FULFILLMENT, READERS, WORKERS } from '../../../../core/domain/auth/roles.ts';
import { auditActor, principalOf } from '../../../plugins/auth.ts';
import { BULK_MAX } from '../../../../core/services/exception.service.ts';
import { ExceptionFilters, Page, filterOf } from './filters.ts';

const Id = z.object({ id: z.coerce.number().int().positive() });
const Disposition = z.enum(['accept', 'reship', 'write_off', 'carrier_claim']);
const BulkIds = z
  .array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER))
  .min(1)
  .max(BULK_MAX)
  .describe('Exception ids; a repeated id counts once');
// What the disposition did to the sample (core/services/exception.service.ts, SampleAction).
const SampleActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none'), reason: z.string() }),
  z.object({ kind: z.literal('damage_resolved'), status: z.string() }),
  z.object({
    kind: z.literal('reship'),
    reshipId: z.string(),
    decision: z.string(),
    reused: z.boolean(),
    damageRecorded: z.boolean(),
    originalStatus: z.string(),
  }),
  z.object({ kind: z.literal('carrier_claim'), claimId: z.number().int(), reused: z.boolean() }),
  z.object({ kind: z.literal('write_off'), status: z.string(), damageRecorded: z.boolean() }),
]);

export default function exceptionRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/exceptions',
    tags: ['exceptions'],
    access: READERS,
    summary: 'Condition exceptions, open first by severity and age (the fulfilment inbox), one page with the total',
    query: PageQuery.extend(ExceptionFilters.shape),
    responses: { 200: ExceptionPageSchema },
    errors: ['VALIDATION_FAILED'],
    handler: async ({ query }) => {
      const { exceptions, counts } = await services.exceptions.list({
        ...filterOf(query, new Date()),
        limit: query.limit,
        offset: query.offset,
      });
      return { exceptions, total: counts.total, limit: query.limit, offset: query.offset, counts };
    },
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/exceptions/groups',
    tags: ['exceptions'],
    access: READERS,
    summary:
      'The inbox grouped by sample: per sample its creator, SKU, counts by severity and status, worst severity, newest, and its first exceptions',
    query: Page.extend(ExceptionFilters.shape),
    responses: { 200: ExceptionGroupPageSchema },
    errors: ['VALIDATION_FAILED'],
    handler: async ({ query }) => {
      const { groups, total, counts } = await services.exceptions.groups({
        ...filterOf(query, new Date()),
        limit: query.limit,
        offset: query.offset,
        perGroup: query.perGroup,
      });
      return { groups, total, limit: query.limit, offset: query.offset, counts };
    },
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/exceptions/acknowledge',
    tags: ['exceptions'],
    access: WORKERS,
    summary: `Acknowledge up to ${BULK_MAX} open exceptions at once, as the signed-in principal; each id's outcome is reported`,
    body: z.object({ ids: BulkIds }).strict(),
    responses: { 200: BulkResultSchema },
    errors: ['VALIDATION_FAILED'],
    handler: ({ body, req }) => services.exceptions.acknowledgeMany(body.ids, principalOf(req).email, auditActor(req)),
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/exceptions/resolve',
    tags: ['exceptions'],
    access: FULFILLMENT,
    summary: `Resolve up to ${BULK_MAX} exceptions with one disposition, as the signed-in principal; each id's outcome is reported`,
    body: z.object({ ids: BulkIds, disposition: Disposition, note: z.string().max(2000).optional() }).strict(),
    responses: { 200: BulkResultSchema },
    errors: ['VALIDATION_FAILED'],
    handler: ({ body, req }) =>
      services.exceptions.resolveMany(body.ids, principalOf(req).email, body.disposition, body.note, auditActor(req)),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/exceptions/:id',
    tags: ['exceptions'],
    access: READERS,
    summary: 'One exception with every step of its workflow',
    params: Id,
    responses: {
      200: ConditionExceptionSchema.extend({
        events: z.array(z.object({ kind: z.string(), actor: z.string(), at: z.string(), detail: z.unknown() })),
      }),
    },
    errors: ['NOT_FOUND'],
    handler: ({ params }) => services.exceptions.get(params.id),
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/exceptions/:id/acknowledge',
    tags: ['exceptions'],
    access: WORKERS,
    summary: 'Acknowledge an open exception, as the signed-in person',
    params: Id,
    body: z
      .object({ note: z.string().trim().min(1).max(2000).optional().describe('Kept on the exception event') })
      .strict()
      .optional(),
    responses: { 200: ConditionExceptionSchema },
    errors: ['NOT_FOUND', 'INVALID_TRANSITION'],
    handler: ({ params, body, req }) =>
      services.exceptions.acknowledge(params.id, principalOf(req).email, auditActor(req), body?.note),
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/exceptions/:id/resolve',
    tags: ['exceptions'],
    access: FULFILLMENT,
    summary:
      'Resolve an exception with a disposition that acts on its sample (accept: resume; reship; carrier claim; write off); ' +
      'the response says what it did. A disposition the sample cannot take is refused (409) and the exception stays open',
    params: Id,
    body: z
      .object({
        disposition: z.enum(['accept', 'reship', 'write_off', 'carrier_claim']),
        note: z.string().max(2000).optional(),
      })
      .strict(),
    responses: { 200: ConditionExceptionSchema.extend({ sampleAction: SampleActionSchema }) },
    errors: ['NOT_FOUND', 'INVALID_TRANSITION', 'CONFLICT', 'VALIDATION_FAILED'],
    // The exception is resolved, and its sample changed, by the signed-in person.
    handler: ({ params, body, req }) =>
      services.exceptions.resolve(
        params.id,
        {
          by: principalOf(req).email,
          disposition: body.disposition,
          ...(body.note ? { note: body.note } : {}),
          person: principalOf(req).email,
        },
        auditActor(req),
      ),
  });
}
