import type { DamageRate, KpiGroupBy, Kpis } from '../../domain/sample/kpi.ts';
import type { Sql } from '../sql.ts';

export type { KpiGroupBy } from '../../domain/sample/kpi.ts';

/**
 * The KPIs of docs/kpis.md in SQL, over the `sample_kpi_rows` view (migration 007).
 * Reference: computeKpis in core/domain/sample/kpi.ts; the test loads its hand-computed
 * fixture and compares. Ratios divide as float8, like JavaScript numbers, so the two agree
 * to the bit; percentiles are PostgreSQL's percentile_cont.
 */
const COHORT = `cohort as (
  select k.*, case $3 when 'creator' then k.creator when 'sku' then k.sku when 'campaign' then k.campaign
    when 'carrier' then coalesce(k.carrier, 'unknown') else '' end as grp,
    k.delivered_at is not null as is_delivered,
    k.delivered_at is not null and k.posted_at is not null as is_posted
  from sample_kpi_rows k where k.sent_at >= $1 and k.sent_at < $2
)`;

const SCALARS = `with ${COHORT},
per_creator as (
  select grp, creator, count(*) filter (where is_posted) as posts from cohort group by grp, creator
),
activation as (
  select grp, count(*) filter (where posts >= 2) as repeat, count(*) filter (where posts >= 1) as active
  from per_creator group by grp
)
select c.grp,
  count(*)::int as "samplesSent",
  count(*) filter (where is_delivered)::int as "samplesDelivered",
  count(*) filter (where is_posted)::int as "samplesPosted",
  count(*) filter (where is_posted)::float8 / nullif(count(*) filter (where is_delivered), 0) as "sampleToPostRate",
  count(*) filter (where is_posted)::int as "turnaroundCount",
  percentile_cont(0.5) within group (order by extract(epoch from posted_at - delivered_at)::float8 * 1000)
    filter (where is_posted) as "turnaroundMedianMs",
  percentile_cont(0.9) within group (order by extract(epoch from posted_at - delivered_at)::float8 * 1000)
    filter (where is_posted) as "turnaroundP90Ms",
  sum(product_cost_cents + shipping_cost_cents + tracker_cost_share_cents)::float8
    / nullif(count(*) filter (where is_posted), 0) as "costPerPostCents",
  sum(gmv_cents)::float8 / count(*) as "gmvPerSampleSentCents",
  count(*) filter (where reship_of is not null)::float8 / count(*) as "reshipRate",
  max(a.repeat)::float8 / nullif(max(a.active), 0) as "repeatCreatorActivation",
  count(*) filter (where with_tracker)::int as "withTracker",
  count(*) filter (where with_tracker and damaged)::int as "damaged"
from cohort c join activation a using (grp)
group by c.grp order by c.grp`;

const DAMAGE = `with ${COHORT}
select grp, d.dim, d.key, count(*)::int as "withTracker", count(*) filter (where damaged)::int as damaged
from cohort cross join lateral (values ('carrier', coalesce(carrier, 'unknown')), ('sku', sku),
  ('packaging', coalesce(packaging, 'unknown'))) as d(dim, key)
where with_tracker group by grp, d.dim, d.key order by grp, d.dim, d.key`;

interface ScalarRow {
  grp: string;
  samplesSent: number;
  samplesDelivered: number;
  samplesPosted: number;
  sampleToPostRate: number | null;
  turnaroundCount: number;
  turnaroundMedianMs: number | null;
  turnaroundP90Ms: number | null;
  costPerPostCents: number | null;
  gmvPerSampleSentCents: number | null;
  reshipRate: number | null;
  repeatCreatorActivation: number | null;
  withTracker: number;
  damaged: number;
}

export interface KpiGroup {
  /** The creator handle, SKU, campaign or carrier (`unknown` when none); null for the whole cohort. */
  key: string | null;
  kpis: Kpis;
}

export class KpiRepository {
  constructor(private readonly sql: Sql) {}

  async compute(from: Date, to: Date, groupBy: KpiGroupBy): Promise<KpiGroup[]> {
    const params = [from, to, groupBy];
    const [scalars, damage] = await Promise.all([
      this.sql.query<ScalarRow>(SCALARS, params),
      this.sql.query<{
        grp: string;
        dim: 'carrier' | 'sku' | 'packaging';
        key: string;
        withTracker: number;
        damaged: number;
      }>(DAMAGE, params),
    ]);
    const groups = scalars.rows.map((row) => ({ key: groupBy === 'none' ? null : row.grp, kpis: toKpis(row) }));
    const byGrp = new Map(scalars.rows.map((row, i) => [row.grp, groups[i]!.kpis]));
    const breakdown = { carrier: 'byCarrier', sku: 'bySku', packaging: 'byPackaging' } as const;
    for (const d of damage.rows) {
      const kpis = byGrp.get(d.grp);
      if (kpis) kpis.damageRate[breakdown[d.dim]][d.key] = rate(d.withTracker, d.damaged);
    }
    // An empty cohort still has KPIs: zero counts and null ratios.
    if (groupBy === 'none' && groups.length === 0) groups.push({ key: null, kpis: toKpis(EMPTY) });
    return groups;
  }
}

const EMPTY: ScalarRow = {
  grp: '',
  samplesSent: 0,
  samplesDelivered: 0,
  samplesPosted: 0,
  sampleToPostRate: null,
  turnaroundCount: 0,
  turnaroundMedianMs: null,
  turnaroundP90Ms: null,
  costPerPostCents: null,
  gmvPerSampleSentCents: null,
  reshipRate: null,
  repeatCreatorActivation: null,
  withTracker: 0,
  damaged: 0,
};

function rate(withTracker: number, damaged: number): DamageRate {
  return { withTracker, damaged, rate: withTracker === 0 ? null : damaged / withTracker };
}

function toKpis(r: ScalarRow): Kpis {
  return {
    samplesSent: r.samplesSent,
    samplesDelivered: r.samplesDelivered,
    samplesPosted: r.samplesPosted,
    sampleToPostRate: r.sampleToPostRate,
    contentTurnaroundMs: { count: r.turnaroundCount, median: r.turnaroundMedianMs, p90: r.turnaroundP90Ms },
    costPerPostCents: r.costPerPostCents,
    gmvPerSampleSentCents: r.gmvPerSampleSentCents,
    reshipRate: r.reshipRate,
    repeatCreatorActivation: r.repeatCreatorActivation,
    damageRate: { ...rate(r.withTracker, r.damaged), byCarrier: {}, bySku: {}, byPackaging: {} },
  };
}
