import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  CONDITION_PRESETS,
  ConditionProfileSchema,
  type PresetName,
} from '../../../../core/domain/condition/profile.ts';
import { route } from '../../../http/route.ts';
import { PageQuery, ProductSchema } from '../../../http/schemas.ts';
import type { ApiDeps } from '../../../app.ts';
import { OPS, READERS } from '../../../../core/domain/auth/roles.ts';
import { auditActor } from '../../../plugins/auth.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const Sku = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'SKU is letters, digits, . _ -');

// A preset name stores that preset's full profile, so a later change of the preset does
// not silently change what a product tolerates.
const ConditionProfile = z
  .union([
    z
      .enum(Object.keys(CONDITION_PRESETS) as [PresetName, ...PresetName[]])
      .transform((name) => CONDITION_PRESETS[name]),
    ConditionProfileSchema,
  ])
  .nullable()
  .describe('A ConditionProfile, or a preset name: chocolate, cold-chain, fragile, ambient');

const ProductFields = {
  name: text(200),
  variant: text(100).nullable(),
  unitCostCents: z.number().int().nonnegative().max(100_000_000),
  limited: z.boolean(),
  inventoryOnHand: z.number().int().nonnegative().max(10_000_000),
  conditionProfile: ConditionProfile,
  needsTracker: z.boolean().describe('The sample must ship with a tracker packed'),
};

const CreateProduct = z
  .object({
    sku: Sku,
    name: ProductFields.name,
    variant: ProductFields.variant.default(null),
    unitCostCents: ProductFields.unitCostCents,
    limited: ProductFields.limited.default(false),
    inventoryOnHand: ProductFields.inventoryOnHand.default(0),
    conditionProfile: ProductFields.conditionProfile.default(null),
    needsTracker: ProductFields.needsTracker.default(false),
  })
  .strict();

const PatchProduct = z
  .object(ProductFields)
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: 'nothing to change' });

const SkuParam = z.object({ sku: Sku });

export default function productRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'POST',
    url: '/api/products',
    tags: ['products'],
    access: OPS,
    summary: 'Add a product (SKU) with its cost, stock and condition profile',
    body: CreateProduct,
    responses: { 201: ProductSchema },
    errors: ['ALREADY_EXISTS'],
    handler: async ({ body: { sku, ...fields }, req, reply }) =>
      reply.status(201).send(await services.products.create(sku, fields, auditActor(req))),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/products',
    tags: ['products'],
    access: READERS,
    summary: 'List products by SKU',
    query: PageQuery,
    responses: { 200: z.object({ products: z.array(ProductSchema) }) },
    handler: async ({ query }) => ({ products: await services.products.list(query) }),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/products/:sku',
    tags: ['products'],
    access: READERS,
    summary: 'One product',
    params: SkuParam,
    responses: { 200: ProductSchema },
    errors: ['NOT_FOUND'],
    handler: ({ params }) => services.products.get(params.sku),
  });

  route(app, routes, {
    method: 'PATCH',
    url: '/api/products/:sku',
    tags: ['products'],
    access: OPS,
    summary: 'Change a product (stock on hand, cost, profile, needs a tracker)',
    params: SkuParam,
    body: PatchProduct,
    responses: { 200: ProductSchema },
    errors: ['NOT_FOUND'],
    handler: ({ params, body, req }) => services.products.update(params.sku, body, auditActor(req)),
  });
}
