import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { OPS, READERS } from '../../../../core/domain/auth/roles.ts';
import {
  CampaignCreateSchema,
  CampaignIdSchema,
  CampaignPatchSchema,
} from '../../../../core/domain/campaign/campaign.ts';
import { auditActor } from '../../../plugins/auth.ts';
import { route } from '../../../http/route.ts';
import { PageQuery } from '../../../http/schemas.ts';
import type { ApiDeps } from '../../../app.ts';
import { CampaignListItemSchema, CampaignSchema } from './schemas.ts';

// The id in the path is URL-encoded (legacy keys hold spaces); Fastify decodes it.
const IdParam = z.object({ id: CampaignIdSchema });

/**
 * Campaigns (issue 12): everyone signed in reads them; the people who run the program
 * (ops, admins) create and change them, audited under the signed-in principal.
 */
export default function campaignRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/campaigns',
    tags: ['campaigns'],
    access: READERS,
    summary: 'Campaigns by name with their sample counts; archived ones only with archived=true',
    query: PageQuery.extend({
      archived: z
        .enum(['true', 'false'])
        .default('false')
        .transform((v) => v === 'true'),
    }),
    responses: { 200: z.object({ campaigns: z.array(CampaignListItemSchema) }) },
    handler: async ({ query }) => ({ campaigns: await services.campaigns.list(query) }),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/campaigns/:id',
    tags: ['campaigns'],
    access: READERS,
    summary: 'One campaign',
    params: IdParam,
    responses: { 200: CampaignSchema },
    errors: ['NOT_FOUND'],
    handler: ({ params }) => services.campaigns.get(params.id),
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/campaigns',
    tags: ['campaigns'],
    access: OPS,
    summary: 'Create a campaign: brief, guidelines, deliverables, terms and its policy changes',
    body: CampaignCreateSchema,
    responses: { 201: CampaignSchema },
    errors: ['ALREADY_EXISTS', 'VALIDATION_FAILED'],
    handler: async ({ body, req, reply }) =>
      reply.status(201).send(await services.campaigns.create(body, auditActor(req))),
  });

  route(app, routes, {
    method: 'PATCH',
    url: '/api/campaigns/:id',
    tags: ['campaigns'],
    access: OPS,
    summary: 'Change some fields of a campaign (never its id)',
    params: IdParam,
    body: CampaignPatchSchema,
    responses: { 200: CampaignSchema },
    errors: ['NOT_FOUND', 'VALIDATION_FAILED'],
    handler: ({ params, body, req }) => services.campaigns.update(params.id, body, auditActor(req)),
  });

  for (const [action, archived] of [
    ['archive', true],
    ['unarchive', false],
  ] as const) {
    route(app, routes, {
      method: 'POST',
      url: `/api/campaigns/:id/${action}`,
      tags: ['campaigns'],
      access: OPS,
      summary: archived
        ? 'Archive a campaign: out of the list and the new-sample choices; its samples keep it'
        : 'Bring an archived campaign back',
      params: IdParam,
      responses: { 200: CampaignSchema },
      errors: ['NOT_FOUND'],
      handler: ({ params, req }) => services.campaigns.setArchived(params.id, archived, auditActor(req)),
    });
  }
}
