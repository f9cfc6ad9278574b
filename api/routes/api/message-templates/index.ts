import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ADMIN, OPS, READERS } from '../../../../core/domain/auth/roles.ts';
import { CREATOR_MESSAGE_ACTIONS } from '../../../../core/domain/messages/templates.ts';
import { route } from '../../../http/route.ts';
import type { ApiDeps } from '../../../app.ts';
import { auditActor } from '../../../plugins/auth.ts';

const Campaign = z.string().trim().min(1).max(200);
const CampaignQuery = z.object({
  campaign: Campaign.optional().describe("A campaign's id; absent: the program's own templates"),
});
const Action = z.object({ action: z.string().min(1).max(80).describe(CREATOR_MESSAGE_ACTIONS.join(', ')) });

const Template = z
  .object({
    action: z.string(),
    label: z.string(),
    subject: z.string(),
    body: z.string().describe('Plain text with {{variable}} placeholders'),
    source: z.enum(['campaign', 'program', 'default']).describe('Where the template in force comes from'),
    updatedAt: z.string().nullable(),
    updatedBy: z.string().nullable(),
  })
  .meta({ id: 'MessageTemplate' });

const Variable = z.object({ name: z.string(), description: z.string() });

/** The templates of messages to creators, per follow-up action and campaign (admins edit them). */
export default function messageTemplateRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/message-templates',
    tags: ['samples'],
    access: READERS,
    summary: "The templates in force (campaign's, else the program's, else built-in) and the variables they may name",
    query: CampaignQuery,
    responses: {
      200: z.object({
        templates: z.array(Template),
        variables: z.array(Variable),
        campaigns: z.array(z.object({ id: z.string(), name: z.string() })).describe('Live campaigns, to pick from'),
      }),
    },
    errors: ['NOT_FOUND'],
    handler: async ({ query }) => ({
      templates: await services.messages.templates(query.campaign ?? null),
      variables: [...services.messages.variables()],
      campaigns: await services.messages.campaigns(),
    }),
  });

  route(app, routes, {
    method: 'PUT',
    url: '/api/message-templates/:action',
    tags: ['samples'],
    access: ADMIN,
    summary: "Save the campaign's (or the program's) template of an action; unknown variables are refused (audited)",
    params: Action,
    query: CampaignQuery,
    body: z.object({ subject: z.string().trim().min(1).max(300), body: z.string().trim().min(1).max(20_000) }).strict(),
    responses: { 200: Template },
    errors: ['VALIDATION_FAILED', 'NOT_FOUND', 'FORBIDDEN'],
    handler: ({ params, query, body, req }) =>
      services.messages.saveTemplate(
        { campaignId: query.campaign ?? null, action: params.action, ...body },
        auditActor(req),
      ),
  });

  route(app, routes, {
    method: 'DELETE',
    url: '/api/message-templates/:action',
    tags: ['samples'],
    access: ADMIN,
    summary: 'Reset: remove the override, so the program’s or the built-in template applies (audited)',
    params: Action,
    query: CampaignQuery,
    responses: { 200: Template },
    errors: ['VALIDATION_FAILED', 'NOT_FOUND', 'FORBIDDEN'],
    handler: ({ params, query, req }) =>
      services.messages.resetTemplate(query.campaign ?? null, params.action, auditActor(req)),
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/message-templates/preview',
    tags: ['samples'],
    access: OPS,
    summary: 'Render a template (given, or the one in force) against a sample or example values',
    body: z
      .object({
        action: z.string().min(1).max(80),
        campaign: Campaign.optional(),
        subject: z.string().max(300).optional(),
        body: z.string().max(20_000).optional(),
        sampleId: z.string().min(1).max(40).optional().describe('Render with this sample’s facts (no link is issued)'),
      })
      .strict(),
    responses: {
      200: z.object({
        subject: z.string(),
        text: z.string(),
        unknown: z.array(z.string()).describe('Variables the template names that do not exist'),
        sampleId: z.string().nullable(),
      }),
    },
    errors: ['VALIDATION_FAILED', 'NOT_FOUND'],
    handler: ({ body }) =>
      services.messages.preview({
        action: body.action,
        ...(body.campaign ? { campaignId: body.campaign } : {}),
        ...(body.subject !== undefined ? { subject: body.subject } : {}),
        ...(body.body !== undefined ? { body: body.body } : {}),
        ...(body.sampleId ? { sampleId: body.sampleId } : {}),
      }),
  });
}
