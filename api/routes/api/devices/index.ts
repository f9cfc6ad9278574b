import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ConfigMessageSchema, DeviceIdSchema } from '../../../../core/protocol/tracker-protocol.ts';
import { route } from '../../../http/route.ts';
import { DeviceSchema, ProvisionedDeviceSchema } from '../../../http/schemas.ts';
import type { ApiDeps } from '../../../app.ts';
import { OPS, READERS } from '../../../../core/domain/auth/roles.ts';
import { auditActor } from '../../../plugins/auth.ts';

const ProvisionBody = z
  .object({
    id: DeviceIdSchema.optional().describe('Omit to have the next trk-NNNNNN assigned'),
    label: z.string().max(200).optional(),
  })
  .strict();

export default function deviceRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'POST',
    url: '/api/devices',
    tags: ['devices'],
    access: OPS,
    summary: 'Provision a tracker; the secret is returned this once',
    body: ProvisionBody,
    responses: { 201: ProvisionedDeviceSchema },
    errors: ['VALIDATION_FAILED', 'ALREADY_EXISTS'],
    handler: async ({ body, req, reply }) => {
      const device = await services.devices.provision(body, auditActor(req));
      return reply.status(201).send(device);
    },
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/devices',
    tags: ['devices'],
    access: READERS,
    summary: 'List trackers with their last status',
    responses: { 200: z.object({ devices: z.array(DeviceSchema) }) },
    handler: async () => ({ devices: await services.devices.list() }),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/devices/:id',
    tags: ['devices'],
    access: READERS,
    summary: 'One tracker',
    params: z.object({ id: DeviceIdSchema }),
    responses: { 200: DeviceSchema },
    errors: ['NOT_FOUND'],
    handler: ({ params }) => services.devices.get(params.id),
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/devices/:id/rotate-secret',
    tags: ['devices'],
    access: OPS,
    summary: 'Issue a new secret (returned this once); the old one is refused at once and the tracker is disconnected',
    params: z.object({ id: DeviceIdSchema }),
    responses: { 200: ProvisionedDeviceSchema },
    errors: ['NOT_FOUND'],
    handler: ({ params, req }) => services.devices.rotateSecret(params.id, auditActor(req)),
  });

  route(app, routes, {
    method: 'PUT',
    url: '/api/devices/:id/config',
    tags: ['devices'],
    access: OPS,
    summary:
      "Set the tracker's config; published retained to trackers/{id}/config (QoS 1), so an offline tracker gets it when it connects",
    params: z.object({ id: DeviceIdSchema }),
    body: ConfigMessageSchema,
    responses: { 200: DeviceSchema },
    errors: ['VALIDATION_FAILED', 'NOT_FOUND'],
    handler: ({ params, body, req }) => services.devices.setConfig(params.id, body, auditActor(req)),
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/devices/:id/disable',
    tags: ['devices'],
    access: OPS,
    summary: 'Disable a tracker: it is disconnected and refused until enabled',
    params: z.object({ id: DeviceIdSchema }),
    responses: { 200: DeviceSchema },
    errors: ['NOT_FOUND'],
    handler: ({ params, req }) => services.devices.setDisabled(params.id, true, auditActor(req)),
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/devices/:id/enable',
    tags: ['devices'],
    access: OPS,
    summary: 'Enable a disabled tracker; it signs in again with its current secret',
    params: z.object({ id: DeviceIdSchema }),
    responses: { 200: DeviceSchema },
    errors: ['NOT_FOUND'],
    handler: ({ params, req }) => services.devices.setDisabled(params.id, false, auditActor(req)),
  });
}
