import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ADMIN } from '../../../../core/domain/auth/roles.ts';
import { route } from '../../../http/route.ts';
import { AuditEntrySchema } from '../../../http/auth-schemas.ts';
import { PageQuery } from '../../../http/schemas.ts';
import type { ApiDeps } from '../../../app.ts';

export default function auditRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/audit',
    tags: ['users'],
    access: ADMIN,
    summary: 'The audit log, newest first: who changed what and when',
    query: PageQuery.extend({
      entity: z.string().max(200).optional().describe('An entity type (sample) or type:id (sample:SMP-26-000001)'),
      actor: z.string().max(200).optional().describe('user:<id>, token:<id> or system:<part>'),
    }),
    responses: { 200: z.object({ entries: z.array(AuditEntrySchema) }) },
    handler: async ({ query }) => ({ entries: await services.audit.list(query) }),
  });
}
