import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeKpis, type KpiSample } from '../../core/domain/sample/kpi.ts';
import {
  KPI_FIXTURE_EXPECTED,
  KPI_FIXTURE_EXPECTED_BY_CARRIER,
  KPI_FIXTURE_PERIOD,
  KPI_FIXTURE_SAMPLES,
} from '../../core/domain/sample/kpi.fixture.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
  // The hand-computed fixture as sample rows; the view and the KPI SQL do the rest.
  for (const s of KPI_FIXTURE_SAMPLES) await insertSample(s);
});
afterAll(async () => {
  await p?.close();
});

const date = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));
async function insertSample(s: KpiSample): Promise<void> {
  await p.db.pool.query(
    `insert into samples (id, creator, sku, campaign, status, carrier, packaging, reship_of, shipped_at, received_at,
       published_at, tracker_id, damaged_at, product_cost_cents, shipping_cost_cents, tracker_cost_share_cents, gmv_cents)
     values ($1, $2, $3, $4, 'posted', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
    [
      s.id,
      s.creatorId,
      s.skuId,
      s.campaignId,
      s.carrier ?? null,
      s.packaging ?? null,
      s.reshipOf ?? null,
      date(s.sentAt),
      date(s.deliveredAt),
      date(s.postedAt),
      s.withTracker ? 'trk-fixture' : null,
      s.damaged ? date(s.deliveredAt) : null,
      s.productCostCents,
      s.shippingCostCents,
      s.trackerCostShareCents,
      s.gmvCents,
    ],
  );
}

const query = (groupBy: string) =>
  `/api/kpis?from=${new Date(KPI_FIXTURE_PERIOD.from).toISOString()}&to=${new Date(KPI_FIXTURE_PERIOD.to).toISOString()}&groupBy=${groupBy}`;

describe('KPIs in SQL reproduce the hand-computed fixture', () => {
  it('over the whole cohort', async () => {
    const res = await p.api<{ groups: { key: string | null; kpis: unknown }[] }>(query('none'));
    expect(res.status).toBe(200);
    expect(res.body.groups).toEqual([{ key: null, kpis: KPI_FIXTURE_EXPECTED }]);
  });

  it.each(['creator', 'sku', 'campaign', 'carrier'] as const)(
    'per %s, as computeKpis gives on each group',
    async (groupBy) => {
      const field = { creator: 'creatorId', sku: 'skuId', campaign: 'campaignId', carrier: 'carrier' } as const;
      const res = await p.api<{ groups: { key: string; kpis: unknown }[] }>(query(groupBy));
      const keys = [
        ...new Set(
          KPI_FIXTURE_SAMPLES.filter(
            (s) => s.sentAt !== undefined && s.sentAt >= KPI_FIXTURE_PERIOD.from && s.sentAt < KPI_FIXTURE_PERIOD.to,
          ).map((s) => s[field[groupBy]]),
        ),
      ].sort();
      expect(res.body.groups.map((g) => g.key)).toEqual(keys);
      for (const g of res.body.groups) {
        expect(g.kpis).toEqual(
          computeKpis(
            KPI_FIXTURE_SAMPLES.filter((s) => s[field[groupBy]] === g.key),
            KPI_FIXTURE_PERIOD,
          ),
        );
      }
    },
  );

  it('per carrier, the hand-computed values; CSV has a row per carrier', async () => {
    const res = await p.api<{ groups: { key: string; kpis: unknown }[] }>(query('carrier'));
    expect(res.body.groups).toEqual(KPI_FIXTURE_EXPECTED_BY_CARRIER);
    const csv = await fetch(p.httpUrl + query('carrier').replace('/api/kpis', '/api/kpis.csv'), {
      headers: await p.authHeaders(),
    }).then((r) => r.text());
    expect(csv.split('\r\n').slice(1, 3)).toEqual([
      'dhl,4,4,3,0.75,3,7,9.4,8400,10875,0.25,0,4,1,0.25',
      'ups,5,4,3,0.75,3,4,12,3100,3900,0,0.5,1,0,0',
    ]);
  });

  it('a send without a carrier groups under unknown', async () => {
    await insertSample({
      ...KPI_FIXTURE_SAMPLES[0]!,
      id: 's12',
      carrier: undefined,
      sentAt: Date.UTC(2025, 5, 2, 12),
    } as KpiSample);
    const res = await p.api<{ groups: { key: string; kpis: { samplesSent: number } }[] }>(
      '/api/kpis?from=2025-06-01T00:00:00Z&to=2025-07-01T00:00:00Z&groupBy=carrier',
    );
    expect(res.body.groups.map((g) => [g.key, g.kpis.samplesSent])).toEqual([['unknown', 1]]);
  });

  it('an empty period gives zero counts and null ratios; CSV carries the same numbers', async () => {
    const res = await p.api<{ groups: { kpis: { samplesSent: number; sampleToPostRate: null } }[] }>(
      '/api/kpis?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z',
    );
    expect(res.body.groups[0]?.kpis).toMatchObject({ samplesSent: 0, sampleToPostRate: null });
    const csv = await fetch(p.httpUrl + query('none').replace('/api/kpis', '/api/kpis.csv'), {
      headers: await p.authHeaders(),
    }).then((r) => r.text());
    expect(csv.split('\r\n')[1]).toBe(
      'all,9,8,6,0.75,6,5.5,12,5750,7000,0.1111111111111111,0.6666666666666666,5,1,0.2',
    );
  });
});
