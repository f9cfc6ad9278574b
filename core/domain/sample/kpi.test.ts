import { describe, expect, it } from 'vitest';
import { KPI_FIXTURE_EXPECTED, KPI_FIXTURE_PERIOD, KPI_FIXTURE_SAMPLES } from './kpi.fixture.ts';
import { computeKpis, kpiSampleOf, percentileCont, type Kpis } from './kpi.ts';
import { day, exampleEvent, sampleIn, walk } from './testing.ts';

/** Replaces every number with a 12-digit rounding, so 1/9 computed two ways compares equal. */
const rounded = (k: Kpis): unknown =>
  JSON.parse(JSON.stringify(k), (_key, v: unknown) => (typeof v === 'number' ? Number(v.toFixed(12)) : v));

describe('KPIs', () => {
  it('match the hand-computed fixture', () => {
    expect(rounded(computeKpis(KPI_FIXTURE_SAMPLES, KPI_FIXTURE_PERIOD))).toEqual(rounded(KPI_FIXTURE_EXPECTED));
  });

  it('spot-check the headline numbers exactly', () => {
    const k = computeKpis(KPI_FIXTURE_SAMPLES, KPI_FIXTURE_PERIOD);
    expect([k.samplesSent, k.samplesDelivered, k.samplesPosted]).toEqual([9, 8, 6]);
    expect(k.sampleToPostRate).toBe(0.75);
    expect(k.costPerPostCents).toBe(5750);
    expect(k.gmvPerSampleSentCents).toBe(7000);
    expect(k.contentTurnaroundMs.median).toBe(5.5 * 86_400_000);
    expect(k.contentTurnaroundMs.p90).toBe(12 * 86_400_000);
  });

  it('the period is half-open on the send date', () => {
    const atEnd = KPI_FIXTURE_SAMPLES.map((s) => (s.id === 's09' ? { ...s, sentAt: KPI_FIXTURE_PERIOD.to } : s));
    expect(computeKpis(atEnd, KPI_FIXTURE_PERIOD).samplesSent).toBe(8);
    const atStart = KPI_FIXTURE_SAMPLES.map((s) => (s.id === 's11' ? { ...s, sentAt: KPI_FIXTURE_PERIOD.from } : s));
    expect(computeKpis(atStart, KPI_FIXTURE_PERIOD).samplesSent).toBe(10);
  });

  it('gives null, not 0 or NaN, for empty denominators', () => {
    const k = computeKpis([], KPI_FIXTURE_PERIOD);
    expect(k).toMatchObject({
      samplesSent: 0,
      sampleToPostRate: null,
      contentTurnaroundMs: { count: 0, median: null, p90: null },
      costPerPostCents: null,
      gmvPerSampleSentCents: null,
      reshipRate: null,
      repeatCreatorActivation: null,
      damageRate: { withTracker: 0, damaged: 0, rate: null, byCarrier: {}, bySku: {}, byPackaging: {} },
    });
  });

  it('percentile_cont interpolates like PostgreSQL', () => {
    expect(percentileCont([5], 0.9)).toBe(5);
    expect(percentileCont([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentileCont([10, 0, 20], 0.9)).toBeCloseTo(18);
    expect(percentileCont([], 0.5)).toBeNull();
  });

  it('derives a KPI row from a sample record', () => {
    const posted = walk(
      sampleIn('content_due'),
      exampleEvent('report_damage', day(7)),
      exampleEvent('resolve_damage', day(8)),
      exampleEvent('post', day(12)),
      exampleEvent('record_outcome', day(40)),
    );
    const costs = { productCostCents: 1200, shippingCostCents: 600, trackerCostShareCents: 300, packaging: 'mailer' };
    expect(kpiSampleOf(posted, costs)).toEqual({
      id: 'SMP-25-000001',
      creatorId: 'creator:ana',
      skuId: 'serum-30ml',
      campaignId: 'spring',
      carrier: 'dhl',
      sentAt: day(3),
      deliveredAt: day(4),
      postedAt: day(9),
      withTracker: true,
      damaged: true,
      gmvCents: 9000,
      ...costs,
    });
    expect(kpiSampleOf(sampleIn('approved'), costs)).not.toHaveProperty('sentAt');
  });
});
