import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { route } from '../../../http/route.ts';
import { ParcelSchema } from '../../../http/schemas.ts';
import type { ApiDeps } from '../../../app.ts';
import { READERS } from '../../../../core/domain/auth/roles.ts';

export default function parcelRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/parcels',
    tags: ['parcels'],
    access: READERS,
    summary: "Every tracked parcel's latest state: position, last reading, last seen, sample",
    responses: { 200: z.object({ parcels: z.array(ParcelSchema) }) },
    handler: async () => ({ parcels: await services.parcels.list() }),
  });
}
