import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../../app.ts';
import { READERS } from '../../../../core/domain/auth/roles.ts';

/**
 * GET /api/live: a WebSocket streaming parcel updates. Sends {"type":"hello"} first, then
 * {"type":"parcels","parcels":[…]} with full states of the parcels that changed, and
 * {"type":"resync"} when updates may have been missed (the client refetches /api/parcels).
 */
export default function liveRoutes(app: FastifyInstance, { live, routes }: ApiDeps): void {
  routes.push({
    method: 'GET',
    url: '/api/live',
    tags: ['parcels'],
    access: READERS,
    errors: [],
    summary: 'WebSocket: live parcel updates (hello, parcels, resync messages)',
    responses: { 101: null },
  });
  // The auth hook runs on the upgrade request: no credentials, no socket.
  app.get('/api/live', { websocket: true, config: { access: READERS } }, (socket) => live.add(socket));
}
