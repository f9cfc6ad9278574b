import type { KpiPeriod, KpiSample, Kpis } from './kpi.ts';

/**
 * Hand-computed KPI fixture. The SQL implementation of the KPIs is tested against the
 * same rows and the same expected numbers; change neither without redoing the sums below.
 *
 * Period: March 2025, [2025-03-01T00:00Z, 2025-04-01T00:00Z). All times are at 12:00 UTC,
 * so day differences are whole days.
 * Creators: ana, ben, cleo. SKUs: serum (cost 12.00, shipping 6.00), lamp (cost 45.00,
 * shipping 15.00). Tracker cost share: 3.00 per tracked trip. Campaigns: spring, summer.
 *
 *  id   creator sku   campaign carrier pack        tracker sent  delivered posted  GMV    note
 *  s01  ana     serum spring   ups     mailer      -       03-02 03-05     03-09   150.00
 *  s02  ana     lamp  spring   dhl     box-foam    yes     03-03 03-07     03-17   300.00
 *  s03  ben     serum spring   ups     mailer      -       03-04 03-06     03-08     0
 *  s04  ben     lamp  spring   dhl     box-foam    yes     03-05 03-09     -         0    damaged
 *  s05  ben     lamp  spring   dhl     box-double  yes     03-12 03-15     03-22    90.00  reship of s04
 *  s06  cleo    serum summer   ups     mailer      -       03-10 03-13     -         0    no post
 *  s07  cleo    lamp  summer   dhl     box-foam    yes     03-14 03-18     03-19    45.00
 *  s08  ana     serum summer   ups     mailer      yes     03-20 03-23     04-06    45.00  posted after the period: still counts
 *  s09  cleo    serum summer   ups     mailer      -       03-25 -         -         0    in transit
 *  s10  ana     lamp  summer   -       -           -       -     -         -         0    approved, never sent: excluded
 *  s11  ben     serum spring   ups     mailer      -       02-20 02-23     02-25    60.00  sent in February: excluded
 *
 * Cohort (sent in March): s01–s09 → samplesSent = 9.
 * Delivered: s01–s08 → 8. Posted (among delivered): s01 s02 s03 s05 s07 s08 → 6.
 * sampleToPostRate = 6 / 8 = 0.75.
 * Turnaround days: s01 4, s02 10, s03 2, s05 7, s07 1, s08 14 → sorted 1 2 4 7 10 14.
 *   median: position 0.5·5 = 2.5 → 4 + 0.5·(7−4) = 5.5 days.
 *   p90:    position 0.9·5 = 4.5 → 10 + 0.5·(14−10) = 12 days.
 * Cost per sample (cents): serum untracked 1200+600 = 1800 (s01 s03 s06 s09: 7200);
 *   lamp tracked 4500+1500+300 = 6300 (s02 s04 s05 s07: 25200); serum tracked s08
 *   1200+600+300 = 2100. Total 34500. costPerPost = 34500 / 6 = 5750.
 * GMV: 15000 + 30000 + 9000 + 4500 + 4500 = 63000. gmvPerSampleSent = 63000 / 9 = 7000.
 * reshipRate = 1 (s05) / 9.
 * Posts per creator: ana 3 (s01 s02 s08), ben 2 (s03 s05), cleo 1 (s07) →
 *   repeatCreatorActivation = 2 / 3.
 * Tracked: s02 s04 s05 s07 s08 = 5, damaged s04 → damageRate = 1 / 5 = 0.2.
 *   by carrier: dhl 1/4 (s02 s04 s05 s07), ups 0/1 (s08).
 *   by SKU: lamp 1/4, serum 0/1.
 *   by packaging: box-foam 1/3 (s02 s04 s07), box-double 0/1 (s05), mailer 0/1 (s08).
 *
 * Per carrier (KPI_FIXTURE_EXPECTED_BY_CARRIER), the cohort split by `carrier`:
 *   dhl: s02 s04 s05 s07 (lamp, tracked) → sent 4, delivered 4, posted s02 s05 s07 = 3, rate 0.75.
 *     Turnaround 10, 7, 1 → sorted 1 7 10: median 7; p90 position 0.9·2 = 1.8 → 7 + 0.8·3 = 9.4 days.
 *     Cost 4 × 6300 = 25200 / 3 posts = 8400. GMV 30000 + 9000 + 4500 = 43500 / 4 = 10875.
 *     Reships s05 → 1/4. Posts per creator: ana 1, ben 1, cleo 1 → activation 0 / 3 = 0.
 *     Tracked 4, damaged s04 → 1/4; by SKU lamp 1/4; by packaging box-foam 1/3, box-double 0/1.
 *   ups: s01 s03 s06 s08 s09 (serum) → sent 5, delivered 4 (not s09), posted s01 s03 s08 = 3, rate 0.75.
 *     Turnaround 4, 2, 14 → sorted 2 4 14: median 4; p90 position 1.8 → 4 + 0.8·10 = 12 days.
 *     Cost 4 × 1800 + 2100 = 9300 / 3 = 3100. GMV 15000 + 4500 = 19500 / 5 = 3900. Reships 0/5.
 *     Posts per creator: ana 2 (s01 s08), ben 1 (s03), cleo 0 → activation 1 / 2 = 0.5.
 *     Tracked s08 only → 0/1; by SKU serum 0/1; by packaging mailer 0/1.
 */

const DAY = 86_400_000;
const march = (day: number) => Date.UTC(2025, 2, day, 12);
const april = (day: number) => Date.UTC(2025, 3, day, 12);
const february = (day: number) => Date.UTC(2025, 1, day, 12);

export const KPI_FIXTURE_PERIOD: KpiPeriod = { from: Date.UTC(2025, 2, 1), to: Date.UTC(2025, 3, 1) };

const serum = { skuId: 'serum', productCostCents: 1200, shippingCostCents: 600 } as const;
const lamp = { skuId: 'lamp', productCostCents: 4500, shippingCostCents: 1500 } as const;
const untracked = { withTracker: false, trackerCostShareCents: 0 } as const;
const tracked = { withTracker: true, trackerCostShareCents: 300 } as const;
const ups = { carrier: 'ups', packaging: 'mailer' } as const;
const dhl = (packaging: string) => ({ carrier: 'dhl', packaging });

export const KPI_FIXTURE_SAMPLES: KpiSample[] = [
  {
    id: 's01',
    creatorId: 'ana',
    campaignId: 'spring',
    ...serum,
    ...ups,
    ...untracked,
    damaged: false,
    sentAt: march(2),
    deliveredAt: march(5),
    postedAt: march(9),
    gmvCents: 15000,
  },
  {
    id: 's02',
    creatorId: 'ana',
    campaignId: 'spring',
    ...lamp,
    ...dhl('box-foam'),
    ...tracked,
    damaged: false,
    sentAt: march(3),
    deliveredAt: march(7),
    postedAt: march(17),
    gmvCents: 30000,
  },
  {
    id: 's03',
    creatorId: 'ben',
    campaignId: 'spring',
    ...serum,
    ...ups,
    ...untracked,
    damaged: false,
    sentAt: march(4),
    deliveredAt: march(6),
    postedAt: march(8),
    gmvCents: 0,
  },
  {
    id: 's04',
    creatorId: 'ben',
    campaignId: 'spring',
    ...lamp,
    ...dhl('box-foam'),
    ...tracked,
    damaged: true,
    sentAt: march(5),
    deliveredAt: march(9),
    gmvCents: 0,
  },
  {
    id: 's05',
    creatorId: 'ben',
    campaignId: 'spring',
    ...lamp,
    ...dhl('box-double'),
    ...tracked,
    damaged: false,
    reshipOf: 's04',
    sentAt: march(12),
    deliveredAt: march(15),
    postedAt: march(22),
    gmvCents: 9000,
  },
  {
    id: 's06',
    creatorId: 'cleo',
    campaignId: 'summer',
    ...serum,
    ...ups,
    ...untracked,
    damaged: false,
    sentAt: march(10),
    deliveredAt: march(13),
    gmvCents: 0,
  },
  {
    id: 's07',
    creatorId: 'cleo',
    campaignId: 'summer',
    ...lamp,
    ...dhl('box-foam'),
    ...tracked,
    damaged: false,
    sentAt: march(14),
    deliveredAt: march(18),
    postedAt: march(19),
    gmvCents: 4500,
  },
  {
    id: 's08',
    creatorId: 'ana',
    campaignId: 'summer',
    ...serum,
    ...ups,
    ...tracked,
    damaged: false,
    sentAt: march(20),
    deliveredAt: march(23),
    postedAt: april(6),
    gmvCents: 4500,
  },
  {
    id: 's09',
    creatorId: 'cleo',
    campaignId: 'summer',
    ...serum,
    ...ups,
    ...untracked,
    damaged: false,
    sentAt: march(25),
    gmvCents: 0,
  },
  { id: 's10', creatorId: 'ana', campaignId: 'summer', ...lamp, ...untracked, damaged: false, gmvCents: 0 },
  {
    id: 's11',
    creatorId: 'ben',
    campaignId: 'spring',
    ...serum,
    ...ups,
    ...untracked,
    damaged: false,
    sentAt: february(20),
    deliveredAt: february(23),
    postedAt: february(25),
    gmvCents: 6000,
  },
];

/** The hand-computed values above; turnaround in ms. */
export const KPI_FIXTURE_EXPECTED: Kpis = {
  samplesSent: 9,
  samplesDelivered: 8,
  samplesPosted: 6,
  sampleToPostRate: 0.75,
  contentTurnaroundMs: { count: 6, median: 5.5 * DAY, p90: 12 * DAY },
  costPerPostCents: 5750,
  gmvPerSampleSentCents: 7000,
  reshipRate: 1 / 9,
  repeatCreatorActivation: 2 / 3,
  damageRate: {
    withTracker: 5,
    damaged: 1,
    rate: 0.2,
    byCarrier: {
      dhl: { withTracker: 4, damaged: 1, rate: 0.25 },
      ups: { withTracker: 1, damaged: 0, rate: 0 },
    },
    bySku: {
      lamp: { withTracker: 4, damaged: 1, rate: 0.25 },
      serum: { withTracker: 1, damaged: 0, rate: 0 },
    },
    byPackaging: {
      'box-foam': { withTracker: 3, damaged: 1, rate: 1 / 3 },
      'box-double': { withTracker: 1, damaged: 0, rate: 0 },
      mailer: { withTracker: 1, damaged: 0, rate: 0 },
    },
  },
};

const noDamage = (key: string) => ({ [key]: { withTracker: 1, damaged: 0, rate: 0 } });

/** The hand-computed values per carrier (groupBy=carrier), keyed as the API orders them. */
export const KPI_FIXTURE_EXPECTED_BY_CARRIER: { key: string; kpis: Kpis }[] = [
  {
    key: 'dhl',
    kpis: {
      samplesSent: 4,
      samplesDelivered: 4,
      samplesPosted: 3,
      sampleToPostRate: 0.75,
      contentTurnaroundMs: { count: 3, median: 7 * DAY, p90: 9.4 * DAY },
      costPerPostCents: 8400,
      gmvPerSampleSentCents: 10875,
      reshipRate: 0.25,
      repeatCreatorActivation: 0,
      damageRate: {
        withTracker: 4,
        damaged: 1,
        rate: 0.25,
        byCarrier: { dhl: { withTracker: 4, damaged: 1, rate: 0.25 } },
        bySku: { lamp: { withTracker: 4, damaged: 1, rate: 0.25 } },
        byPackaging: {
          'box-foam': { withTracker: 3, damaged: 1, rate: 1 / 3 },
          'box-double': { withTracker: 1, damaged: 0, rate: 0 },
        },
      },
    },
  },
  {
    key: 'ups',
    kpis: {
      samplesSent: 5,
      samplesDelivered: 4,
      samplesPosted: 3,
      sampleToPostRate: 0.75,
      contentTurnaroundMs: { count: 3, median: 4 * DAY, p90: 12 * DAY },
      costPerPostCents: 3100,
      gmvPerSampleSentCents: 3900,
      reshipRate: 0,
      repeatCreatorActivation: 0.5,
      damageRate: {
        withTracker: 1,
        damaged: 0,
        rate: 0,
        byCarrier: noDamage('ups'),
        bySku: noDamage('serum'),
        byPackaging: noDamage('mailer'),
      },
    },
  },
];
