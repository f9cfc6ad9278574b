import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { OPS, READERS } from '../../../../core/domain/auth/roles.ts';
import type { ApiDeps } from '../../../app.ts';
import { route } from '../../../http/route.ts';
import { auditActor } from '../../../plugins/auth.ts';

const isoDate = z.iso.datetime({ offset: true });
const SampleId = z.object({ id: z.string().regex(/^SMP-\d{2}-\d{6,}$/, 'sample id looks like SMP-26-000123') });

const CreatorLinkSchema = z
  .object({
    id: z.string(),
    expiresAt: isoDate,
    createdAt: isoDate,
    createdBy: z.string().describe('Who issued it: user:<id>, token:<id> or system:follow-up'),
    revokedAt: isoDate.nullable(),
    revokedBy: z.string().nullable(),
    lastUsedAt: isoDate.nullable().describe('Last time the creator opened it or used a form'),
  })
  .meta({ id: 'CreatorLink' });

const CreatorLinksSchema = z
  .object({
    live: z
      .object({
        url: z.string().describe('The creator page URL: a credential, shared only with the creator'),
        link: CreatorLinkSchema,
      })
      .nullable(),
    links: z.array(CreatorLinkSchema).describe('Every link of the sample, newest first'),
  })
  .meta({ id: 'CreatorLinks' });

const PhotoSchema = z
  .object({
    id: z.string(),
    contentType: z.string(),
    bytes: z.number().int(),
    uploadedBy: z.string().describe('link:<id> for the creator'),
    createdAt: isoDate,
  })
  .meta({ id: 'SamplePhoto' });

/**
 * Staff side of the creator's link and photos (issue 12). The live link's URL acts as the
 * creator, so only the roles that run the program see, issue and revoke it; photos are for
 * every signed-in reader (they are evidence on the sample).
 */
export function creatorLinkRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/samples/:id/creator-link',
    tags: ['creator loop'],
    access: OPS,
    summary: "The sample's creator links and the live one's URL",
    params: SampleId,
    responses: { 200: CreatorLinksSchema },
    handler: async ({ params }) => services.creatorLinks.ofSample(params.id),
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/samples/:id/creator-link',
    tags: ['creator loop'],
    access: OPS,
    summary: 'Issue a creator link for the sample; a live one is revoked first (re-issue). Audited',
    params: SampleId,
    responses: { 201: z.object({ url: z.string(), link: CreatorLinkSchema }) },
    errors: ['NOT_FOUND', 'CONFLICT'],
    handler: async ({ params, req, reply }) =>
      reply.status(201).send(await services.creatorLinks.issue(params.id, auditActor(req))),
  });

  route(app, routes, {
    method: 'DELETE',
    url: '/api/samples/:id/creator-link',
    tags: ['creator loop'],
    access: OPS,
    summary: "Revoke the sample's live creator link: it stops opening at once. Audited",
    params: SampleId,
    responses: { 200: CreatorLinkSchema },
    errors: ['NOT_FOUND'],
    handler: async ({ params, req }) => services.creatorLinks.revoke(params.id, auditActor(req)),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/samples/:id/photos',
    tags: ['creator loop'],
    access: READERS,
    summary: 'Photos of the sample (the creator’s receipt and damage photos)',
    params: SampleId,
    responses: { 200: z.array(PhotoSchema) },
    handler: async ({ params }) =>
      (await services.creatorPage.photosOfSample(params.id)).map(
        ({ id, contentType, bytes, uploadedBy, createdAt }) => ({
          id,
          contentType,
          bytes,
          uploadedBy,
          createdAt,
        }),
      ),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/samples/:id/photos/:photoId',
    tags: ['creator loop'],
    access: READERS,
    summary: 'One photo of the sample, as stored (its type checked from its bytes on upload)',
    params: SampleId.extend({ photoId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
    responses: { 200: null },
    errors: ['NOT_FOUND'],
    handler: async ({ params, reply }) => {
      const { row, bytes } = await services.creatorPage.photo(params.id, params.photoId);
      return reply
        .type(row.contentType)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'")
        .header('cache-control', 'private, max-age=3600')
        .send(bytes);
    },
  });
}
