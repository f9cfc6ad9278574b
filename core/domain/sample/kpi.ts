import type { SampleState } from './sample-state.ts';

/**
 * KPI definitions (domain brief, "KPIs", made exact). This file is the reference: the
 * platform computes the same numbers in SQL and tests that SQL against `computeKpis` on
 * the hand-computed fixture (kpi.fixture.ts).
 *
 * Cohort. Every KPI is over the samples *sent* in the period: `sentAt` in [from, to)
 * (half-open, epoch ms). What happened to them later (delivery, post, GMV) counts
 * whenever it happened, so a period's numbers mature as posts come in; compare periods
 * of the same age. A sample never sent (rejected, cancelled, not yet shipped) is in no
 * cohort. A reship is a send of its own.
 *
 * Empty denominators give `null`, never 0 or NaN. Money is integer cents; averages are
 * exact (unrounded) numbers, as SQL `numeric` division gives them.
 */

/** One sample as the KPIs see it: a flat row the SQL view provides. */
export interface KpiSample {
  id: string;
  creatorId: string;
  skuId: string;
  campaignId: string;
  carrier?: string;
  /** Packaging used (e.g. `mailer`, `box-foam`), for the damage breakdown. */
  packaging?: string;
  /** Set on a reship: the original sample. */
  reshipOf?: string;
  /** When it left our hands (`SampleState.shippedAt`); absent: never sent. */
  sentAt?: number;
  /** Actual receipt (`delivery.receivedAt`). */
  deliveredAt?: number;
  /** Publication date of the post (`post.publishedAt`). */
  postedAt?: number;
  /** A tracker rode in the parcel. */
  withTracker: boolean;
  /** Ever had a damage exception (entered `damaged`, resolved or not). */
  damaged: boolean;
  productCostCents: number;
  shippingCostCents: number;
  /** This trip's share of the tracker's cost (0 without a tracker). */
  trackerCostShareCents: number;
  /** GMV attributed to this sample's content (0 when none). */
  gmvCents: number;
}

/** What the KPI endpoint groups by; `carrier` is `unknown` for a send without one. */
export const KPI_GROUP_BYS = ['none', 'creator', 'sku', 'campaign', 'carrier'] as const;
export type KpiGroupBy = (typeof KPI_GROUP_BYS)[number];

export interface KpiPeriod {
  /** Inclusive, epoch ms. */
  from: number;
  /** Exclusive, epoch ms. */
  to: number;
}

export interface DamageRate {
  /** Tracker-equipped samples sent. */
  withTracker: number;
  /** Of those, with a damage exception. */
  damaged: number;
  rate: number | null;
}

export interface Kpis {
  samplesSent: number;
  samplesDelivered: number;
  samplesPosted: number;
  /** Delivered samples with a post / delivered samples. */
  sampleToPostRate: number | null;
  /**
   * Delivery → post (`postedAt - deliveredAt`), over samples with both, in ms; median
   * and p90 are continuous percentiles with linear interpolation, as PostgreSQL's
   * `percentile_cont(0.5)` / `percentile_cont(0.9)`.
   */
  contentTurnaroundMs: { count: number; median: number | null; p90: number | null };
  /**
   * (product + shipping + tracker cost share) of *every* sample sent, those that never
   * produced a post included, / samples posted. The waste is the point of the number.
   */
  costPerPostCents: number | null;
  /** Attributed GMV of the samples sent / samples sent. */
  gmvPerSampleSentCents: number | null;
  /** Samples sent that are reships / samples sent. */
  reshipRate: number | null;
  /** Creators with 2+ posted samples in the cohort / creators with 1+ posted sample. */
  repeatCreatorActivation: number | null;
  /**
   * Damaged / sent, both among tracker-equipped samples only: the tracker is what lets
   * a damage be attributed to carrier or packaging, and a numerator outside the
   * denominator's population would not be a rate. Also by carrier, SKU and packaging
   * (`unknown` when the field is absent).
   */
  damageRate: DamageRate & {
    byCarrier: Record<string, DamageRate>;
    bySku: Record<string, DamageRate>;
    byPackaging: Record<string, DamageRate>;
  };
}

/**
 * The KPI row of a sample record, i.e. what the SQL view must derive from the stored
 * state. Costs and packaging come from the SKU, the label and the tracker fleet.
 */
export function kpiSampleOf(
  s: SampleState,
  costs: Pick<KpiSample, 'productCostCents' | 'shippingCostCents' | 'trackerCostShareCents' | 'packaging'>,
): KpiSample {
  const optional = {
    ...(s.shipment ? { carrier: s.shipment.carrier } : {}),
    ...(s.request.reshipOf ? { reshipOf: s.request.reshipOf } : {}),
    ...(s.shippedAt !== undefined ? { sentAt: s.shippedAt } : {}),
    ...(s.delivery ? { deliveredAt: s.delivery.receivedAt } : {}),
    ...(s.post ? { postedAt: s.post.publishedAt } : {}),
  };
  return {
    id: s.id,
    creatorId: s.request.creatorId,
    skuId: s.request.skuId,
    campaignId: s.request.campaignId,
    ...optional,
    ...costs,
    withTracker: s.shipment?.trackerId !== undefined,
    damaged: s.firstEnteredAt.damaged !== undefined,
    gmvCents: s.outcome?.gmvCents ?? 0,
  };
}

export function computeKpis(samples: readonly KpiSample[], period: KpiPeriod): Kpis {
  const sent = samples.filter((s) => s.sentAt !== undefined && s.sentAt >= period.from && s.sentAt < period.to);
  const delivered = sent.filter((s) => s.deliveredAt !== undefined);
  const posted = delivered.filter((s) => s.postedAt !== undefined);
  const turnarounds = posted.flatMap((s) =>
    s.postedAt !== undefined && s.deliveredAt !== undefined ? [s.postedAt - s.deliveredAt] : [],
  );

  const totalCost = sum(sent.map((s) => s.productCostCents + s.shippingCostCents + s.trackerCostShareCents));
  const postsPerCreator = new Map<string, number>();
  for (const s of posted) postsPerCreator.set(s.creatorId, (postsPerCreator.get(s.creatorId) ?? 0) + 1);
  const repeatCreators = [...postsPerCreator.values()].filter((n) => n >= 2).length;

  const tracked = sent.filter((s) => s.withTracker);
  return {
    samplesSent: sent.length,
    samplesDelivered: delivered.length,
    samplesPosted: posted.length,
    sampleToPostRate: ratio(posted.length, delivered.length),
    contentTurnaroundMs: {
      count: turnarounds.length,
      median: percentileCont(turnarounds, 0.5),
      p90: percentileCont(turnarounds, 0.9),
    },
    costPerPostCents: ratio(totalCost, posted.length),
    gmvPerSampleSentCents: ratio(sum(sent.map((s) => s.gmvCents)), sent.length),
    reshipRate: ratio(sent.filter((s) => s.reshipOf !== undefined).length, sent.length),
    repeatCreatorActivation: ratio(repeatCreators, postsPerCreator.size),
    damageRate: {
      ...damageRate(tracked),
      byCarrier: damageRateBy(tracked, (s) => s.carrier),
      bySku: damageRateBy(tracked, (s) => s.skuId),
      byPackaging: damageRateBy(tracked, (s) => s.packaging),
    },
  };
}

/** PostgreSQL `percentile_cont`: the value at position p·(n−1) of the sorted values, interpolated. */
export function percentileCont(values: readonly number[], p: number): number | null {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const pos = p * (sorted.length - 1);
  const lower = sorted[Math.floor(pos)] ?? 0;
  const upper = sorted[Math.ceil(pos)] ?? lower;
  return lower + (upper - lower) * (pos - Math.floor(pos));
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const ratio = (num: number, den: number) => (den === 0 ? null : num / den);

function damageRate(tracked: readonly KpiSample[]): DamageRate {
  const damaged = tracked.filter((s) => s.damaged).length;
  return { withTracker: tracked.length, damaged, rate: ratio(damaged, tracked.length) };
}

function damageRateBy(
  tracked: readonly KpiSample[],
  dimension: (s: KpiSample) => string | undefined,
): Record<string, DamageRate> {
  const groups = new Map<string, KpiSample[]>();
  for (const s of tracked) {
    const key = dimension(s) ?? 'unknown';
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return Object.fromEntries([...groups].map(([key, group]) => [key, damageRate(group)]));
}
