import { toCsv } from '../domain/csv.ts';
import { KpiRepository, type KpiGroup, type KpiGroupBy } from '../storage/repositories/kpi.repository.ts';
import type { ServiceDeps } from './deps.ts';

export interface KpiReport {
  from: Date;
  to: Date;
  groupBy: KpiGroupBy;
  groups: KpiGroup[];
}

const CSV_HEADER = [
  'group',
  'samples_sent',
  'samples_delivered',
  'samples_posted',
  'sample_to_post_rate',
  'turnaround_count',
  'turnaround_median_days',
  'turnaround_p90_days',
  'cost_per_post_cents',
  'gmv_per_sample_sent_cents',
  'reship_rate',
  'repeat_creator_activation',
  'with_tracker',
  'damaged',
  'damage_rate',
];
const DAY_MS = 86_400_000;

/** KPIs over the cohort of samples sent in [from, to) (docs/kpis.md). */
export class KpiService {
  private readonly kpis: KpiRepository;

  constructor({ pool }: ServiceDeps) {
    this.kpis = new KpiRepository(pool);
  }

  async report(q: { from: Date; to: Date; groupBy: KpiGroupBy }): Promise<KpiReport> {
    return { ...q, groups: await this.kpis.compute(q.from, q.to, q.groupBy) };
  }

  async csv(q: { from: Date; to: Date; groupBy: KpiGroupBy }): Promise<string> {
    const { groups } = await this.report(q);
    const days = (ms: number | null) => (ms === null ? null : ms / DAY_MS);
    return toCsv(
      CSV_HEADER,
      groups.map(({ key, kpis: k }) => [
        key ?? 'all',
        k.samplesSent,
        k.samplesDelivered,
        k.samplesPosted,
        k.sampleToPostRate,
        k.contentTurnaroundMs.count,
        days(k.contentTurnaroundMs.median),
        days(k.contentTurnaroundMs.p90),
        k.costPerPostCents,
        k.gmvPerSampleSentCents,
        k.reshipRate,
        k.repeatCreatorActivation,
        k.damageRate.withTracker,
        k.damageRate.damaged,
        k.damageRate.rate,
      ]),
    );
  }
}
