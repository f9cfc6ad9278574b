import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { WORKERS } from '../../../../core/domain/auth/roles.ts';
import { SHEET_LAYOUT_NAMES } from '../../../../core/domain/label/label.ts';
import { MAX_LABELS } from '../../../../core/services/label.service.ts';
import type { ApiDeps } from '../../../app.ts';
import { route } from '../../../http/route.ts';

const SAMPLE_ID = /^SMP-\d{2}-\d{6,}$/;
const SampleId = z.object({ id: z.string().regex(SAMPLE_ID, 'sample id looks like SMP-26-000123') });
const Content = z
  .enum(['url', 'id'])
  .default('url')
  .describe('What the QR code encodes: the dashboard URL of the sample (PUBLIC_URL/samples/<id>), or the bare id');
const Layout = z
  .enum(SHEET_LAYOUT_NAMES)
  .default('a4-3x8')
  .describe('Label stock: a4-3x8 (70 × 37 mm, 24 per A4) or letter-3x10 (2⅝ × 1 in, 30 per Letter, Avery 5160)');

const SheetQuery = z
  .object({
    ids: z
      .string()
      .max(MAX_LABELS * 16)
      .optional()
      .transform((v) =>
        v
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(z.string().regex(SAMPLE_ID, 'sample id looks like SMP-26-000123')).min(1).max(MAX_LABELS).optional(),
      )
      .describe(`Comma-separated sample ids, printed in this order (at most ${MAX_LABELS})`),
    status: z.string().max(50).optional(),
    creator: z.string().max(200).optional().describe('Creator handle'),
    campaign: z.string().max(200).optional(),
    content: Content,
    layout: Layout,
    skip: z.coerce
      .number()
      .int()
      .min(0)
      .max(29)
      .default(0)
      .describe('Cells already used on the first sheet, left blank'),
  })
  .refine((q) => q.ids || q.status || q.creator || q.campaign, {
    message: 'give ids, or a status, creator or campaign filter',
    path: ['ids'],
  });

// The sheet and the SVG embed user text (escaped); nothing in them may run or load.
const lockDown = (reply: FastifyReply) =>
  reply
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
    .header('x-content-type-options', 'nosniff');

/**
 * Printable labels (docs/sample-program.md, Labels). Printing is part of packing, so the
 * roles that pack and ship print (ops, fulfillment, admin); a viewer reads the sample but
 * does not print its label.
 */
export function sampleLabelRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/samples/labels',
    tags: ['samples'],
    access: WORKERS,
    summary:
      'Print-ready HTML sheet of labels (QR code, id, creator, SKU, campaign) for the given ids or the samples matching a filter',
    query: SheetQuery,
    responses: { 200: null },
    errors: ['NOT_FOUND', 'VALIDATION_FAILED'],
    handler: async ({ query, reply }) => {
      const { ids, status, creator, campaign, content, layout, skip } = query;
      const html = await services.labels.sheet(
        {
          ...(ids ? { ids } : {}),
          ...(status ? { status } : {}),
          ...(creator ? { creator } : {}),
          ...(campaign ? { campaign } : {}),
        },
        { content, layout, skip },
      );
      return lockDown(reply).type('text/html; charset=utf-8').send(html);
    },
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/samples/:id/label.svg',
    tags: ['samples'],
    access: WORKERS,
    summary: "The sample's label as SVG, sized in mm for the label stock",
    params: SampleId,
    query: z.object({ content: Content, layout: Layout }),
    responses: { 200: null },
    errors: ['NOT_FOUND', 'VALIDATION_FAILED'],
    handler: async ({ params, query, reply }) =>
      lockDown(reply)
        .type('image/svg+xml')
        .header('content-disposition', `inline; filename="${params.id}-label.svg"`)
        .send(await services.labels.svg(params.id, query)),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/samples/:id/barcode.svg',
    tags: ['samples'],
    access: WORKERS,
    summary: 'The sample id as a Code 128 (set B) barcode in SVG, for linear scanners; 0.33 mm modules',
    params: SampleId,
    responses: { 200: null },
    errors: ['NOT_FOUND', 'VALIDATION_FAILED'],
    handler: async ({ params, reply }) =>
      lockDown(reply)
        .type('image/svg+xml')
        .header('content-disposition', `inline; filename="${params.id}-barcode.svg"`)
        .send(await services.labels.barcodeSvg(params.id)),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/samples/:id/label.png',
    tags: ['samples'],
    access: WORKERS,
    summary: "The sample's QR code as PNG: (modules + 8) × scale pixels square",
    params: SampleId,
    query: z.object({
      content: Content,
      scale: z.coerce.number().int().min(1).max(40).default(8).describe('Pixels per module'),
    }),
    responses: { 200: null },
    errors: ['NOT_FOUND', 'VALIDATION_FAILED'],
    handler: async ({ params, query, reply }) =>
      reply
        .type('image/png')
        .header('content-disposition', `inline; filename="${params.id}-qr.png"`)
        .send(await services.labels.png(params.id, query)),
  });
}
