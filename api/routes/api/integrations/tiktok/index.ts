import type { FastifyInstance } from 'fastify';
import { ADMIN } from '../../../../../core/domain/auth/roles.ts';
import { TikTokSettingsInput } from '../../../../../core/domain/tiktok/settings.ts';
import type { ApiDeps } from '../../../../app.ts';
import { route } from '../../../../http/route.ts';
import { auditActor } from '../../../../plugins/auth.ts';
import { TikTokConnectorSchema, TikTokPollResultSchema } from './schemas.ts';

/**
 * The TikTok Shop affiliate samples connector (issue 13): an admin's settings, audited,
 * with the app secret and access token write-only; its health; "poll now"; pause/resume.
 */
export default function tiktokIntegrationRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/integrations/tiktok',
    tags: ['integrations'],
    access: ADMIN,
    summary: 'The TikTok Shop connector: settings (no secrets), status, last success and error, counts',
    responses: { 200: TikTokConnectorSchema },
    handler: () => services.tiktok.view(),
  });

  route(app, routes, {
    method: 'PUT',
    url: '/api/integrations/tiktok',
    tags: ['integrations'],
    access: ADMIN,
    summary: 'Change the connector settings; fields left out keep their value, secrets are write-only',
    body: TikTokSettingsInput,
    responses: { 200: TikTokConnectorSchema },
    errors: ['VALIDATION_FAILED'],
    handler: ({ body, req }) => services.tiktok.update(body, auditActor(req)),
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/integrations/tiktok/poll',
    tags: ['integrations'],
    access: ADMIN,
    summary: "Poll TikTok now; answers the poll's counts (a failed poll says why in outcome and error)",
    responses: { 200: TikTokPollResultSchema },
    errors: ['CONFLICT'],
    handler: () => services.tiktok.poll({ manual: true }),
  });

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    route(app, routes, {
      method: 'POST',
      url: `/api/integrations/tiktok/${action}`,
      tags: ['integrations'],
      access: ADMIN,
      summary: paused ? 'Pause the connector: no polls until resumed' : 'Resume a paused connector',
      responses: { 200: TikTokConnectorSchema },
      handler: ({ req }) => services.tiktok.setPaused(paused, auditActor(req)),
    });
  }
}
