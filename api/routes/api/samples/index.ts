import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DeviceIdSchema } from '../../../../core/protocol/tracker-protocol.ts';
import { route } from '../../../http/route.ts';
import {
  PageQuery,
  SampleDetailSchema,
  SampleSchema,
  TelemetryPointSchema,
  TripFiguresSchema,
} from '../../../http/schemas.ts';
import type { ApiDeps } from '../../../app.ts';
import { sampleLabelRoutes } from './labels.ts';
import { creatorLinkRoutes } from './creator-link.ts';
import { sampleClaimRoutes } from './claims.ts';
import { followUpRoutes, sampleExportRoutes, sampleImportRoutes, sampleLifecycleRoutes } from './lifecycle.ts';
import { OPS, READERS, seesCreatorPii } from '../../../../core/domain/auth/roles.ts';
import { CONDITION_PRESETS, ConditionProfileSchema, type PresetName } from '../../../../core/domain/condition/index.ts';
import { auditActor, principalOf } from '../../../plugins/auth.ts';

const SampleId = z.object({ id: z.string().regex(/^SMP-\d{2}-\d{6,}$/, 'sample id looks like SMP-26-000123') });
const text = (max: number) => z.string().trim().min(1).max(max);

const CreateSampleBody = z
  .object({
    creator: text(200).describe('Creator id or handle; a new handle creates the creator (audited)'),
    sku: text(100).describe('A SKU of the catalogue: the policy needs its cost and stock'),
    campaign: text(200).optional(),
    variant: text(100).optional(),
    quantity: z.number().int().min(1).max(100).optional(),
  })
  .strict();

// Like a product's: a preset name stores that preset's full profile.
const SampleProfile = z
  .union([
    z
      .enum(Object.keys(CONDITION_PRESETS) as [PresetName, ...PresetName[]])
      .transform((name) => CONDITION_PRESETS[name]),
    ConditionProfileSchema,
  ])
  .nullable()
  .describe(
    "A ConditionProfile, a preset name (chocolate, cold-chain, fragile, ambient), or null to follow the product's",
  );

/** `300`, `300s`, `5m`, `1h`, `1d` → seconds. */
const Bucket = z
  .string()
  .regex(/^\d+[smhd]?$/, 'bucket is seconds or a number with s, m, h or d')
  .transform((v) => {
    const n = Number.parseInt(v, 10);
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[v.slice(-1)] ?? 1;
    return n * unit;
  })
  .pipe(
    z
      .number()
      .int()
      .min(1)
      .max(31 * 86400),
  );

const TelemetryQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    bucket: Bucket.optional().describe('Aggregate into buckets of this width (e.g. 5m, 1h); omit for raw readings'),
    limit: z.coerce.number().int().min(1).max(50_000).default(10_000),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'from must be before to', path: ['from'] });

export default function sampleRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { services, routes } = deps;
  sampleLifecycleRoutes(app, deps);
  sampleExportRoutes(app, deps);
  sampleImportRoutes(app, deps);
  followUpRoutes(app, deps);
  sampleLabelRoutes(app, deps);
  creatorLinkRoutes(app, deps);
  sampleClaimRoutes(app, deps);

  route(app, routes, {
    method: 'POST',
    url: '/api/samples',
    tags: ['samples'],
    access: OPS,
    summary:
      'Quick entry of a sample request by the signed-in person, decided by the approval policy like POST /api/sample-requests ' +
      '(the decision in policyDecision and status); its id (SMP-yy-NNNNNN) is assigned here',
    body: CreateSampleBody,
    responses: { 201: SampleSchema },
    errors: ['VALIDATION_FAILED', 'NOT_FOUND'],
    handler: async ({ body, req, reply }) =>
      reply.status(201).send(await services.samples.create(body, auditActor(req))),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/samples',
    tags: ['samples'],
    access: READERS,
    summary: 'List samples, newest first, or soonest content due first (sort=contentDue)',
    query: PageQuery.extend({
      status: z.string().max(50).optional(),
      creator: z.string().max(200).optional(),
      sort: z
        .enum(['created', 'contentDue'])
        .default('created')
        .describe('created: newest request first; contentDue: soonest contentDueAt first, samples without one last'),
    }),
    responses: { 200: z.object({ samples: z.array(SampleSchema) }) },
    handler: async ({ query }) => ({ samples: await services.samples.list(query) }),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/samples/:id',
    tags: ['samples'],
    access: READERS,
    summary: 'One sample, with the condition profile its trip is judged by and its geofences',
    params: SampleId,
    responses: { 200: SampleDetailSchema },
    errors: ['NOT_FOUND'],
    handler: async ({ params, req }) => {
      const [sample, condition, g] = await Promise.all([
        services.samples.get(params.id),
        services.sampleCondition.condition(params.id),
        services.sampleCondition.geofences(params.id),
      ]);
      // The destination is the creator's address: as much PII as the street.
      const geofences = seesCreatorPii(principalOf(req).role)
        ? g
        : { ...g, destination: null, piiRedacted: true as const };
      return { ...sample, condition, geofences };
    },
  });

  route(app, routes, {
    method: 'PUT',
    url: '/api/samples/:id/condition-profile',
    tags: ['samples'],
    access: OPS,
    summary:
      "Judge this sample's trip by its own condition profile instead of its product's (null: back to the product's)",
    params: SampleId,
    body: z.object({ profile: SampleProfile }).strict(),
    responses: { 200: SampleDetailSchema.shape.condition },
    errors: ['NOT_FOUND', 'VALIDATION_FAILED'],
    handler: ({ params, body, req }) => services.sampleCondition.setProfile(params.id, body.profile, auditActor(req)),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/samples/:id/trip-figures',
    tags: ['samples'],
    access: READERS,
    summary: "The trip's Mean Kinetic Temperature and stability budget against the sample's profile, per tracker",
    params: SampleId,
    responses: { 200: TripFiguresSchema },
    errors: ['NOT_FOUND'],
    handler: async ({ params }) => ({
      sampleId: params.id,
      ...(await services.sampleCondition.tripFigures(params.id)),
    }),
  });

  route(app, routes, {
    method: 'PUT',
    url: '/api/samples/:id/tracker',
    tags: ['samples'],
    access: OPS,
    summary:
      "Pack a tracker into the sample's shipment; a tracker whose last trip ended (or whose sample is closed) is moved, one on a live trip is DEVICE_IN_USE",
    params: SampleId,
    body: z.object({ deviceId: DeviceIdSchema }).strict(),
    responses: { 200: SampleSchema },
    errors: ['NOT_FOUND', 'DEVICE_IN_USE', 'DEVICE_DISABLED'],
    handler: ({ params, body, req }) => services.samples.attachTracker(params.id, body.deviceId, auditActor(req)),
  });

  route(app, routes, {
    method: 'DELETE',
    url: '/api/samples/:id/tracker',
    tags: ['samples'],
    access: OPS,
    summary: "Take the tracker out of the sample's shipment (audited); its readings so far stay with the sample",
    params: SampleId,
    responses: { 200: SampleSchema },
    errors: ['NOT_FOUND'],
    handler: ({ params, req }) => services.samples.detachTracker(params.id, auditActor(req)),
  });

  const Point = z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).strict();
  route(app, routes, {
    method: 'PUT',
    url: '/api/samples/:id/geofences',
    tags: ['samples'],
    access: OPS,
    summary:
      "The trip's geofences: the origin warehouse and the creator's address (stages, departure and receipt evidence)",
    params: SampleId,
    body: z
      .object({
        origin: Point.nullable(),
        destination: Point.nullable(),
        radiusM: z.number().int().min(10).max(50_000).default(300),
      })
      .strict(),
    responses: { 200: SampleSchema },
    errors: ['NOT_FOUND'],
    handler: ({ params, body }) => services.samples.setGeofences(params.id, body),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/samples/:id/telemetry',
    tags: ['samples'],
    access: READERS,
    summary: "The sample's telemetry over a time range, raw or time-bucketed (by event time)",
    params: SampleId,
    query: TelemetryQuery,
    responses: {
      200: z.object({
        sampleId: z.string(),
        series: z.array(z.object({ deviceId: z.string(), points: z.array(TelemetryPointSchema) })),
      }),
    },
    errors: ['NOT_FOUND', 'VALIDATION_FAILED'],
    handler: async ({ params, query }) => ({
      sampleId: params.id,
      series: await services.samples.telemetry(params.id, {
        ...(query.from ? { from: new Date(query.from) } : {}),
        ...(query.to ? { to: new Date(query.to) } : {}),
        ...(query.bucket ? { bucketS: query.bucket } : {}),
        limit: query.limit,
      }),
    }),
  });
}
