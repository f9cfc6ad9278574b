import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { EVENT_TYPES } from '../../../../core/domain/sample/lifecycle-events.ts';
import { route } from '../../../http/route.ts';
import { SampleRequestResultSchema, SampleSchema, TransitionSchema } from '../../../http/schemas.ts';
import type { ApiDeps } from '../../../app.ts';
import { FULFILLMENT, OPS, READERS, WORKERS } from '../../../../core/domain/auth/roles.ts';
import { auditActor, principalOf } from '../../../plugins/auth.ts';

const SampleId = z.object({ id: z.string().regex(/^SMP-\d{2}-\d{6,}$/, 'sample id looks like SMP-26-000123') });
const text = (max: number) => z.string().trim().min(1).max(max);

// Policy and scheduler decisions are made inside the platform; through the API a person,
// a carrier or a tracker acts.
const EventBody = z
  .object({
    type: z.enum(EVENT_TYPES as [string, ...string[]]).pipe(z.enum(EVENT_TYPES)),
    actor: z
      .object({ kind: z.enum(['user', 'carrier', 'tracker']), id: text(200) })
      .strict()
      .optional()
      .describe(
        'Who the transition names; the signed-in user when absent. The audit log always records the signed-in identity',
      ),
    reason: text(1000).optional(),
    at: z.iso.datetime({ offset: true }).optional().describe('When it happened; now when absent'),
    data: z
      .record(z.string(), z.unknown())
      .default({})
      .describe("The event's data, per the lifecycle table (see core/domain/sample/README.md)"),
  })
  .strict();

export function sampleLifecycleRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'POST',
    url: '/api/samples/:id/events',
    tags: ['samples'],
    access: WORKERS,
    summary: 'Apply a lifecycle event; 409 INVALID_TRANSITION names the current state and the allowed events',
    params: SampleId,
    body: EventBody,
    responses: { 200: z.object({ sample: SampleSchema, transitions: z.array(TransitionSchema) }) },
    errors: ['NOT_FOUND', 'VALIDATION_FAILED', 'INVALID_TRANSITION', 'CONFLICT', 'ALREADY_EXISTS'],
    handler: ({ params, body, req }) =>
      services.lifecycle.applyEvent(
        params.id,
        {
          type: body.type,
          actor: body.actor ?? { kind: 'user', id: principalOf(req).email },
          data: body.data,
          ...(body.reason ? { reason: body.reason } : {}),
          ...(body.at ? { at: new Date(body.at) } : {}),
        },
        auditActor(req),
      ),
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/samples/:id/reship',
    tags: ['samples'],
    access: FULFILLMENT,
    summary: 'Reship a damaged, lost or returned sample: a new sample linked to it, with its own approval',
    params: SampleId,
    body: z.object({ requestedBy: text(200).optional().describe('The signed-in user when absent') }).strict(),
    responses: { 201: SampleRequestResultSchema },
    errors: ['NOT_FOUND', 'INVALID_TRANSITION'],
    handler: async ({ params, body, req, reply }) =>
      reply
        .status(201)
        .send(
          await services.lifecycle.reship(
            params.id,
            { requestedBy: body.requestedBy ?? principalOf(req).email },
            auditActor(req),
          ),
        ),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/samples/:id/timeline',
    tags: ['samples'],
    access: READERS,
    summary:
      'Every status change of the sample in recorded order (a late one flagged, with both times), the events allowed now and the content clock',
    params: SampleId,
    responses: {
      200: z.object({
        sampleId: z.string(),
        status: z.string(),
        allowedEvents: z.array(z.string()),
        contentClock: z.object({
          state: z
            .enum(['not_started', 'running', 'paused', 'stopped'])
            .describe('paused while damage is under review'),
          dueAt: z
            .string()
            .nullable()
            .describe('When content is due (receipt + posting window + extension + time paused); null unless running'),
        }),
        transitions: z.array(TransitionSchema),
      }),
    },
    errors: ['NOT_FOUND'],
    handler: ({ params }) => services.lifecycle.timeline(params.id),
  });
}

const ExportQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional().describe('Created at or after'),
  to: z.iso.datetime({ offset: true }).optional().describe('Created before'),
});

export function sampleExportRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/samples.csv',
    tags: ['samples'],
    access: READERS,
    summary: 'Samples as CSV (no creator contact or address)',
    query: ExportQuery,
    responses: { 200: null },
    handler: async ({ query, reply }) =>
      reply.type('text/csv; charset=utf-8').send(
        await services.samples.exportCsv({
          ...(query.from ? { from: new Date(query.from) } : {}),
          ...(query.to ? { to: new Date(query.to) } : {}),
        }),
      ),
  });
}

const ImportReport = z.object({
  created: z.number().int(),
  rows: z.array(
    z.object({
      line: z.number().int(),
      sampleId: z.string(),
      status: z.string(),
      decision: z.string(),
      rule: z.string(),
    }),
  ),
});

export function sampleImportRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  // CSV arrives as text; the 1 MiB body limit of the API still applies (about 10,000 rows).
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  route(app, routes, {
    method: 'POST',
    url: '/api/samples/import',
    tags: ['samples'],
    access: OPS,
    summary:
      'Import sample requests from CSV (text/csv; header creator,sku,campaign,source,requested_by[,variant,quantity]). ' +
      'All or nothing: any bad row refuses the file (400, details.refusedRows lists each with its line and errors)',
    body: z.string().describe('CSV text'),
    responses: { 200: ImportReport },
    errors: ['VALIDATION_FAILED'],
    handler: ({ body, req }) => services.sampleImport.import(body, auditActor(req)),
  });
}

export function followUpRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/samples/:id/follow-ups',
    tags: ['samples'],
    access: READERS,
    summary: 'Follow-ups that fired for the sample (each once, under its idempotency key)',
    params: SampleId,
    responses: {
      200: z.object({
        followUps: z.array(
          z.object({
            key: z.string(),
            sampleId: z.string(),
            action: z.string(),
            audience: z.string(),
            dueAt: z.string(),
            firedAt: z.string(),
            data: z.record(z.string(), z.unknown()),
          }),
        ),
      }),
    },
    handler: async ({ params }) => ({ followUps: await services.followUps.ofSample(params.id) }),
  });
}
