import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { WORKERS } from '../../../../core/domain/auth/roles.ts';
import { route } from '../../../http/route.ts';
import { PageQuery } from '../../../http/schemas.ts';
import type { ApiDeps } from '../../../app.ts';
import { auditActor } from '../../../plugins/auth.ts';

const PendingApproval = z
  .object({
    sampleId: z.string(),
    creatorId: z.string().nullable(),
    creator: z.string(),
    creatorStanding: z.string().nullable(),
    sku: z.string(),
    productName: z.string().nullable(),
    campaign: z.string().nullable(),
    quantity: z.number().int(),
    productCostCents: z.number(),
    unitCostCents: z.number(),
    onHand: z.number().int().nullable(),
    requestedBy: z.string().nullable(),
    requestedAt: z.string(),
    reshipOf: z.string().nullable(),
    policyDecision: z
      .object({ decision: z.string(), rule: z.string(), reasons: z.array(z.string()) })
      .passthrough()
      .nullable(),
    creatorSent: z.number().int().describe('Earlier sends to this creator that shipped'),
    creatorPosted: z.number().int(),
    creatorDamaged: z.number().int(),
    skuWithTracker: z.number().int().describe('Sends of this SKU with a tracker, across the program'),
    skuDamaged: z.number().int(),
    carriers: z
      .array(z.object({ carrier: z.string(), withTracker: z.number().int(), damaged: z.number().int() }))
      .describe('Per carrier, sends of this SKU with a tracker and how many arrived damaged'),
    mayApprove: z.boolean().describe('Whether the signed-in person holds the authority to approve it'),
    whyNot: z.string().nullable(),
  })
  .meta({ id: 'PendingApproval' });

export default function approvalRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/approvals',
    tags: ['samples'],
    access: WORKERS,
    summary:
      'The approvals queue: requests the policy left for a person, oldest first, with creator history, cost, stock and damage rates, ' +
      'and whether you may approve each (approve or reject with POST /api/samples/:id/events)',
    query: PageQuery,
    responses: {
      200: z.object({
        approvals: z.array(PendingApproval),
        total: z.number().int(),
        limitCents: z.number().nullable().describe('Your approval limit (product cost of one send); null: no limit'),
      }),
    },
    handler: ({ query, req }) => services.approvals.queue(auditActor(req), query),
  });
}
