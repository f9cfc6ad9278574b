import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { route } from '../../../http/route.ts';
import { PageQuery } from '../../../http/schemas.ts';
import type { ApiDeps } from '../../../app.ts';
import { READERS, WORKERS } from '../../../../core/domain/auth/roles.ts';
import { auditActor, principalOf } from '../../../plugins/auth.ts';

const UserId = z.number().int().positive();

const Task = z
  .object({
    id: z.number().int(),
    followUpKey: z.string().describe('The follow-up that opened the task'),
    sampleId: z.string(),
    action: z.string().describe('e.g. escalate_shipping_delay, review_exception, assign_human_follow_up'),
    audience: z.enum(['ops', 'fulfilment', 'manager']),
    ownerId: z.number().int().nullable().describe('Assigned user; null: unassigned'),
    ownerName: z.string().nullable(),
    dueAt: z.string().describe('When the follow-up fell due'),
    createdAt: z.string(),
    doneAt: z.string().nullable(),
    doneBy: z.number().int().nullable().describe('The user who completed it'),
    doneByName: z.string().nullable(),
    note: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    sample: z.object({
      creator: z.string(),
      creatorId: z.string().nullable(),
      sku: z.string(),
      campaign: z.string().nullable(),
      status: z.string(),
    }),
  })
  .meta({ id: 'FollowUpTask' });

const Patch = z
  .object({
    ownerId: UserId.nullable().optional().describe('Assign to a user (from GET /api/users), or null to unassign'),
    done: z.literal(true).optional().describe('Complete the task (done by the signed-in user)'),
    note: z.string().trim().min(1).max(2000).optional().describe('With done: what was done'),
  })
  .strict()
  .refine((p) => p.ownerId !== undefined || p.done, { message: 'nothing to change' })
  .refine((p) => p.note === undefined || p.done, { message: 'a note goes with done: true', path: ['note'] });

/** The follow-up work queue: follow-ups that need a person, each a task to own and complete. */
export default function followUpTaskRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/follow-up-tasks',
    tags: ['samples'],
    access: READERS,
    summary: 'Follow-up tasks for people (ops, fulfilment, managers), by due date',
    query: PageQuery.extend({
      status: z.enum(['open', 'done']).optional(),
      owner: z
        .union([z.enum(['me', 'unassigned']), z.string().regex(/^\d+$/, 'a user id, me or unassigned')])
        .optional()
        .describe('me, unassigned or a user id'),
      sort: z.enum(['due', '-due']).default('due').describe('due: soonest first; -due: latest first'),
    }),
    responses: { 200: z.object({ tasks: z.array(Task) }) },
    handler: async ({ query, req }) => {
      const { owner, ...rest } = query;
      const who =
        owner === undefined
          ? undefined
          : owner === 'me'
            ? principalOf(req).userId
            : owner === 'unassigned'
              ? ('unassigned' as const)
              : Number(owner);
      return { tasks: await services.followUpTasks.list({ ...rest, ...(who === undefined ? {} : { owner: who }) }) };
    },
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/follow-up-tasks/:id',
    tags: ['samples'],
    access: READERS,
    summary: 'One follow-up task',
    params: z.object({ id: z.coerce.number().int().positive() }),
    responses: { 200: Task },
    errors: ['NOT_FOUND'],
    handler: ({ params }) => services.followUpTasks.get(params.id),
  });

  route(app, routes, {
    method: 'PATCH',
    url: '/api/follow-up-tasks/:id',
    tags: ['samples'],
    access: WORKERS,
    summary: 'Assign a task ({ownerId}) or complete it ({done: true, note?}, done by the signed-in user); audited',
    params: z.object({ id: z.coerce.number().int().positive() }),
    body: Patch,
    responses: { 200: Task },
    errors: ['NOT_FOUND', 'CONFLICT', 'VALIDATION_FAILED'],
    handler: ({ params, body, req }) =>
      services.followUpTasks.update(params.id, body, { userId: principalOf(req).userId, audit: auditActor(req) }),
  });
}
