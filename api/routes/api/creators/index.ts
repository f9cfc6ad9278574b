import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { route } from '../../../http/route.ts';
import { CreatorSchema, CreatorSummarySchema, PageQuery, SkuHistorySchema } from '../../../http/schemas.ts';
import type { ApiDeps } from '../../../app.ts';
import { redactCreatorPii } from '../../../../core/domain/creator-pii.ts';
import { OPS, READERS, seesCreatorPii } from '../../../../core/domain/auth/roles.ts';
import { auditActor, principalOf } from '../../../plugins/auth.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const Standing = z.enum(['active', 'watch', 'restricted']);

const Contact = z
  .object({ email: z.email().optional(), phone: text(40).optional(), dm: text(200).optional() })
  .strict();
const Address = z
  .object({
    name: text(200).optional(),
    line1: text(200),
    line2: text(200).optional(),
    city: text(100),
    region: text(100).optional(),
    postalCode: text(20),
    country: z.string().regex(/^[A-Z]{2}$/, 'country is an ISO 3166-1 alpha-2 code'),
    lat: z
      .number()
      .min(-90)
      .max(90)
      .optional()
      .describe('Where the address is: the destination geofence of samples shipped here (PII)'),
    lon: z.number().min(-180).max(180).optional(),
  })
  .strict()
  .refine((a) => (a.lat === undefined) === (a.lon === undefined), {
    message: 'lat and lon go together',
    path: ['lon'],
  });

const CreatorFields = {
  handle: text(100).describe('Main handle, e.g. @ava.cooks (unique, case-insensitive)'),
  otherHandles: z.array(text(100)).max(20),
  displayName: text(200).nullable(),
  contact: Contact.describe('PII: stays on the creator record'),
  addresses: z.array(Address).max(10).describe('PII: stays on the creator record'),
  notes: z.string().max(5000).nullable(),
  standing: Standing,
};

const CreateCreator = z
  .object({
    ...CreatorFields,
    otherHandles: CreatorFields.otherHandles.optional(),
    displayName: CreatorFields.displayName.optional(),
    contact: CreatorFields.contact.optional(),
    addresses: CreatorFields.addresses.optional(),
    notes: CreatorFields.notes.optional(),
    standing: CreatorFields.standing.optional(),
  })
  .strict();

const PatchCreator = z
  .object({
    ...z.object(CreatorFields).partial().shape,
    standingReason: text(500).optional().describe('Why the standing changed (recorded)'),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: 'nothing to change' });

/** Addresses and phones only for the roles that ship (admin, ops); others see them redacted. */
const forCaller = <T extends Parameters<typeof redactCreatorPii>[0]>(req: FastifyRequest, creator: T) =>
  seesCreatorPii(principalOf(req).role) ? creator : redactCreatorPii(creator);

const CreatorRef = z.object({ id: text(200).describe('Creator id (CRT-000001) or handle') });
const CreatorId = z.string().regex(/^CRT-\d{6,}$/, 'creator id looks like CRT-000123');

const ImportRowReport = z.object({
  line: z.number().int().describe('Line of the file (the header is line 1)'),
  handle: z.string().nullable(),
  action: z.enum(['create', 'update']).nullable().describe('What the row does; null for a bad row'),
  creatorId: z.string().nullable().describe('The creator updated or created (null: new, in a preview)'),
  changes: z.array(z.string()).describe('Fields an update changes'),
  errors: z.array(z.string()),
});
const ImportReport = z
  .object({
    preview: z.boolean(),
    valid: z.boolean().describe('No row has errors'),
    created: z.number().int(),
    updated: z.number().int(),
    refused: z.number().int(),
    rows: z.array(ImportRowReport),
  })
  .meta({ id: 'CreatorImportReport' });

export default function creatorRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  // CSV arrives as text (the sample import may have registered the parser already).
  if (!app.hasContentTypeParser('text/csv'))
    app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  route(app, routes, {
    method: 'POST',
    url: '/api/creators/import',
    tags: ['creators'],
    access: OPS,
    summary:
      'Import creators from CSV (text/csv; header handle[,display_name,email,phone,line1,line2,city,region,' +
      'postal_code,country,standing,notes]). A handle that exists updates that creator with the cells given ' +
      '(empty cells keep what is stored). ?preview=true reports what each row would do and writes nothing; ' +
      'otherwise all or nothing: any bad row refuses the file (400, details.refusedRows)',
    query: z.object({
      preview: z
        .enum(['true', 'false'])
        .optional()
        .transform((v) => v === 'true'),
    }),
    body: z.string().describe('CSV text'),
    responses: { 200: ImportReport },
    errors: ['VALIDATION_FAILED'],
    handler: ({ query, body, req }) =>
      query.preview ? services.creatorImport.preview(body) : services.creatorImport.import(body, auditActor(req)),
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/creators',
    tags: ['creators'],
    access: OPS,
    summary: 'Create a creator record',
    body: CreateCreator,
    responses: { 201: CreatorSchema },
    errors: ['ALREADY_EXISTS'],
    handler: async ({ body, reply }) => reply.status(201).send(await services.creators.create(body)),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/creators',
    tags: ['creators'],
    access: READERS,
    summary: 'List creators by handle',
    query: PageQuery.extend({ standing: Standing.optional(), q: text(100).optional().describe('Part of a handle') }),
    responses: { 200: z.object({ creators: z.array(CreatorSummarySchema) }) },
    handler: async ({ query, req }) => ({
      creators: (await services.creators.list(query)).map((c) => forCaller(req, c)),
    }),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/creators/:id',
    tags: ['creators'],
    access: READERS,
    summary: 'A creator with derived history, "already sampled?" and per-SKU history',
    params: CreatorRef,
    responses: { 200: CreatorSchema },
    errors: ['NOT_FOUND'],
    handler: async ({ params, req }) => forCaller(req, await services.creators.get(params.id)),
  });

  route(app, routes, {
    method: 'PATCH',
    url: '/api/creators/:id',
    tags: ['creators'],
    access: OPS,
    summary: 'Change a creator (standing changes are timestamped with their reason)',
    params: CreatorRef,
    body: PatchCreator,
    responses: { 200: CreatorSchema },
    errors: ['NOT_FOUND', 'ALREADY_EXISTS'],
    handler: ({ params, body }) => services.creators.update(params.id, body),
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/creators/:id/merge',
    tags: ['creators'],
    access: OPS,
    summary:
      'Merge a duplicate creator into this one: its samples, handles, missing contact fields, new addresses and ' +
      'a stricter standing move here; the duplicate is marked merged (its id then answers with this creator). ' +
      '409 into itself or when either is already merged',
    params: CreatorRef,
    body: z.object({ duplicateId: CreatorId.describe('The record to merge away') }).strict(),
    responses: {
      200: z.object({ creator: CreatorSchema, duplicateId: z.string(), samplesMoved: z.number().int() }),
    },
    errors: ['NOT_FOUND', 'CONFLICT'],
    handler: async ({ params, body, req }) => {
      const result = await services.creators.merge(params.id, body.duplicateId, auditActor(req));
      return { ...result, creator: forCaller(req, result.creator) };
    },
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/creators/:id/sampled',
    tags: ['creators'],
    access: READERS,
    summary: 'Has this creator already been sampled (with this SKU)?',
    params: CreatorRef,
    query: z.object({ sku: text(100).optional() }),
    responses: {
      200: z.object({
        creatorId: z.string(),
        sku: z.string().nullable(),
        alreadySampled: z.boolean(),
        skus: z.array(SkuHistorySchema),
      }),
    },
    errors: ['NOT_FOUND'],
    handler: ({ params, query }) => services.creators.sampled(params.id, query.sku),
  });
}
