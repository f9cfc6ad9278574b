import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../../app.ts';

/**
 * GET /api/live: a WebSocket streaming parcel updates. Sends {"type":"hello"} first, then
 * {"type":"parcels","parcels":[…]} with full states of the parcels that changed, and
 * {"type":"resync"} when updates may have been missed (the client refetches /api/parcels).
 */
export default function liveRoutes(app: FastifyInstance, { live, routes }: ApiDeps): void {
  routes.push({
    method: 'GET', url: '/api/live', tags: ['parcels'], errors: [],
    summary: 'WebSocket: live parcel updates (hello, parcels, resync messages)',
    responses: { 101: null },
  });
  app.get('/api/live', { websocket: true }, (socket) => live.add(socket));
}
