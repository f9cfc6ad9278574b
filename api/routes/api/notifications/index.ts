import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { READERS } from '../../../../core/domain/auth/roles.ts';
import type { ApiDeps } from '../../../app.ts';
import { route } from '../../../http/route.ts';
import { auditActor, principalOf } from '../../../plugins/auth.ts';
import {
  ChannelCreateSchema,
  ChannelPatchSchema,
  NotificationChannelSchema,
  NotificationSchema,
  NotificationSubscriptionSchema,
  SubscriptionInputSchema,
} from './schemas.ts';

const IdParam = z.object({ id: z.coerce.number().int().positive() });

/**
 * Notifications people choose (issue 13): everyone signed in manages their own channels
 * and subscriptions and sees their own notices; an admin manages every one, the teams' and
 * Teams channels. Ownership is checked in NotificationService on the principal.
 */
export default function notificationRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  const who = (req: Parameters<typeof principalOf>[0]) => {
    const p = principalOf(req);
    return { userId: p.userId, email: p.email, role: p.role };
  };

  route(app, routes, {
    method: 'GET',
    url: '/api/notifications',
    tags: ['notifications'],
    access: READERS,
    summary: 'Notices and their delivery state, newest first (your own; an admin sees all)',
    query: z.object({
      status: z.enum(['queued', 'held', 'sent', 'failed']).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
    }),
    responses: { 200: z.object({ notifications: z.array(NotificationSchema) }) },
    handler: async ({ query, req }) => ({ notifications: await services.notifications.list(who(req), query) }),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/notifications/channels',
    tags: ['notifications'],
    access: READERS,
    summary: 'Notification channels (your own; an admin sees all); webhook URLs show their host only',
    responses: { 200: z.object({ channels: z.array(NotificationChannelSchema) }) },
    handler: async ({ req }) => ({ channels: await services.notifications.channels(who(req)) }),
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/notifications/channels',
    tags: ['notifications'],
    access: READERS,
    summary: 'A channel: your own email address or Slack webhook; team and Teams channels are for admins',
    body: ChannelCreateSchema,
    responses: { 201: NotificationChannelSchema.describe('The one answer that shows the webhook URL in full') },
    errors: ['VALIDATION_FAILED', 'FORBIDDEN'],
    handler: async ({ body, req, reply }) =>
      reply.status(201).send(await services.notifications.createChannel(body, auditActor(req))),
  });

  route(app, routes, {
    method: 'PATCH',
    url: '/api/notifications/channels/:id',
    tags: ['notifications'],
    access: READERS,
    summary: 'Rename, enable or disable a channel',
    params: IdParam,
    body: ChannelPatchSchema,
    responses: { 200: NotificationChannelSchema },
    errors: ['NOT_FOUND'],
    handler: async ({ params, body, req }) => services.notifications.updateChannel(params.id, body, auditActor(req)),
  });

  route(app, routes, {
    method: 'DELETE',
    url: '/api/notifications/channels/:id',
    tags: ['notifications'],
    access: READERS,
    summary: 'Remove a channel: disabled with its subscriptions stopped; its notices stay on record',
    params: IdParam,
    responses: { 204: null },
    errors: ['NOT_FOUND'],
    handler: async ({ params, req, reply }) => {
      await services.notifications.removeChannel(params.id, auditActor(req));
      return reply.status(204).send();
    },
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/notifications/channels/:id/test',
    tags: ['notifications'],
    access: READERS,
    summary: 'Send a test notice on the channel now and say whether it went',
    params: IdParam,
    responses: { 200: z.object({ ok: z.boolean(), error: z.string().nullable() }) },
    errors: ['NOT_FOUND', 'CONFLICT'],
    handler: async ({ params, req }) => services.notifications.testChannel(params.id, auditActor(req)),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/notifications/subscriptions',
    tags: ['notifications'],
    access: READERS,
    summary: 'Subscriptions (your own; an admin sees all)',
    responses: { 200: z.object({ subscriptions: z.array(NotificationSubscriptionSchema) }) },
    handler: async ({ req }) => ({ subscriptions: await services.notifications.subscriptions(who(req)) }),
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/notifications/subscriptions',
    tags: ['notifications'],
    access: READERS,
    summary:
      'Subscribe a channel to exceptions by severity, type, campaign and stage, with quiet hours, digest and tier',
    body: SubscriptionInputSchema,
    responses: { 201: NotificationSubscriptionSchema },
    errors: ['VALIDATION_FAILED', 'FORBIDDEN', 'NOT_FOUND'],
    handler: async ({ body, req, reply }) =>
      reply.status(201).send(await services.notifications.createSubscription(asInput(body), auditActor(req))),
  });

  route(app, routes, {
    method: 'PUT',
    url: '/api/notifications/subscriptions/:id',
    tags: ['notifications'],
    access: READERS,
    summary: 'Replace a subscription (fields left out take their defaults)',
    params: IdParam,
    body: SubscriptionInputSchema,
    responses: { 200: NotificationSubscriptionSchema },
    errors: ['VALIDATION_FAILED', 'FORBIDDEN', 'NOT_FOUND'],
    handler: async ({ params, body, req }) =>
      services.notifications.updateSubscription(params.id, asInput(body), auditActor(req)),
  });

  route(app, routes, {
    method: 'DELETE',
    url: '/api/notifications/subscriptions/:id',
    tags: ['notifications'],
    access: READERS,
    summary: 'Stop a subscription (its notices stay on record)',
    params: IdParam,
    responses: { 204: null },
    errors: ['NOT_FOUND'],
    handler: async ({ params, req, reply }) => {
      await services.notifications.removeSubscription(params.id, auditActor(req));
      return reply.status(204).send();
    },
  });
}

/** Optional fields the client left out stay out (exactOptionalPropertyTypes). */
/** The body as the service takes it: whose subscription it is under the service's name. */
function asInput({ subscriberUserId, ...rest }: z.output<typeof SubscriptionInputSchema>) {
  return strip({ ...rest, ...(subscriberUserId !== undefined ? { userId: subscriberUserId } : {}) });
}

function strip<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
