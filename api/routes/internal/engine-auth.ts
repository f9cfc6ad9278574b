import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../../core/domain/errors.ts';
import { deviceMayUseResource, deviceMayUseTopic } from '../../../core/domain/engine-acl.ts';
import type { ApiDeps } from '../../app.ts';

/**
 * RabbitMQ's HTTP auth backend (rabbitmq_auth_backend_http) asks here whether a tracker may
 * connect and what it may touch, so devices, secrets, disabling and rotation stay the
 * platform's own on the engine too (docs/scale-out.md). The engine POSTs form fields and
 * reads a plain `allow` / `deny` (its protocol, not ours: no JSON, no OpenAPI entry).
 *
 * The path carries ENGINE_AUTH_TOKEN: the engine cannot send a header, and without the
 * token anyone could use this as an oracle for device secrets. Service users (ingest
 * workers, the config publisher) are the engine's internal users and never reach here.
 */
export default function engineAuthRoutes(app: FastifyInstance, { services }: ApiDeps, token: string | undefined): void {
  if (!token) return;
  const expected = Buffer.from(token);
  const tokenOk = (given: string) => {
    const b = Buffer.from(given);
    return b.length === expected.length && timingSafeEqual(b, expected);
  };
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    scope.route<{ Params: { token: string; check: string }; Body: Record<string, string> | undefined }>({
      method: 'POST',
      url: '/internal/engine-auth/:token/:check',
      config: { access: 'public' },
      handler: async (req, reply) => {
        if (!tokenOk(req.params.token)) throw new DomainError('NOT_FOUND', 'no such route');
        const f = req.body ?? {};
        const username = f.username ?? '';
        let allow = false;
        switch (req.params.check) {
          case 'user':
            // The MQTT plugin sends the client id along: a tracker's must be its device id, as on
            // the embedded broker, so one device cannot take over another's session.
            allow =
              (f.client_id === undefined || f.client_id === username) &&
              (await services.devices.authenticate(username, f.password ?? '')).ok;
            break;
          case 'vhost':
            allow = f.vhost === '/';
            break;
          case 'resource':
            allow =
              f.vhost === '/' &&
              deviceMayUseResource({
                username,
                resource: f.resource ?? '',
                name: f.name ?? '',
                permission: f.permission ?? '',
              });
            break;
          case 'topic':
            allow =
              f.vhost === '/' &&
              deviceMayUseTopic({
                username,
                name: f.name ?? '',
                permission: f.permission ?? '',
                routingKey: f.routing_key ?? '',
              });
            break;
          default:
            throw new DomainError('NOT_FOUND', 'no such route');
        }
        return reply.type('text/plain').send(allow ? 'allow' : 'deny');
      },
    });
  });
}
