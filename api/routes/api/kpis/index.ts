import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { route } from '../../../http/route.ts';
import type { ApiDeps } from '../../../app.ts';
import { READERS } from '../../../../core/domain/auth/roles.ts';
import { KPI_GROUP_BYS } from '../../../../core/domain/sample/kpi.ts';

const DamageRate = z.object({ withTracker: z.number().int(), damaged: z.number().int(), rate: z.number().nullable() });
const KpisSchema = z
  .object({
    samplesSent: z.number().int(),
    samplesDelivered: z.number().int(),
    samplesPosted: z.number().int(),
    sampleToPostRate: z.number().nullable(),
    contentTurnaroundMs: z.object({
      count: z.number().int(),
      median: z.number().nullable(),
      p90: z.number().nullable(),
    }),
    costPerPostCents: z.number().nullable(),
    gmvPerSampleSentCents: z.number().nullable(),
    reshipRate: z.number().nullable(),
    repeatCreatorActivation: z.number().nullable(),
    damageRate: DamageRate.extend({
      byCarrier: z.record(z.string(), DamageRate),
      bySku: z.record(z.string(), DamageRate),
      byPackaging: z.record(z.string(), DamageRate),
    }),
  })
  .meta({ id: 'Kpis' });

const KpiQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).describe('Cohort start (inclusive): samples sent from here'),
    to: z.iso.datetime({ offset: true }).describe('Cohort end (exclusive)'),
    groupBy: z.enum(KPI_GROUP_BYS).default('none'),
  })
  .refine((q) => Date.parse(q.from) < Date.parse(q.to), { message: 'from must be before to', path: ['from'] });

const parse = (q: z.output<typeof KpiQuery>) => ({ from: new Date(q.from), to: new Date(q.to), groupBy: q.groupBy });

export default function kpiRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/kpis',
    tags: ['kpis'],
    access: READERS,
    summary: 'KPIs of the samples sent in [from, to), overall or per creator, SKU, campaign or carrier (docs/kpis.md)',
    query: KpiQuery,
    responses: {
      200: z.object({
        from: z.string(),
        to: z.string(),
        groupBy: z.string(),
        groups: z.array(z.object({ key: z.string().nullable(), kpis: KpisSchema })),
      }),
    },
    handler: ({ query }) => services.kpis.report(parse(query)),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/kpis.csv',
    tags: ['kpis'],
    access: READERS,
    summary: 'The same KPIs as CSV (turnaround in days)',
    query: KpiQuery,
    responses: { 200: null },
    handler: async ({ query, reply }) =>
      reply.type('text/csv; charset=utf-8').send(await services.kpis.csv(parse(query))),
  });
}
