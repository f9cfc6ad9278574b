/**
 * How the KPIs read: the tiles of the KPI page, the chart steps' labels, the period line.
 * Pure; unit-tested in test/dashboard/kpi-format.test.ts. Definitions: docs/kpis.md.
 */
import type { components } from './api/schema.d.ts';
import { formatDay, type ZoneOptions } from './datetime.ts';
import { formatDuration, formatMoney, formatRate } from './format.ts';

type Kpis = components['schemas']['Kpis'];

const DAY = 86_400_000;

/** A length of time in the KPI tables ("1 d 3 h"), or the placeholder when there is none. */
export const formatDays = (ms: number | null): string => (ms === null ? '—' : formatDuration(ms));

export interface KpiTileDef {
  key: string;
  label: string;
  title: string;
  value: (k: Kpis) => string;
  sub?: (k: Kpis) => string;
}

export const KPI_TILES: KpiTileDef[] = [
  {
    key: 'samplesSent',
    label: 'Samples sent',
    title: 'Samples sent in the period (the cohort)',
    value: (k) => String(k.samplesSent),
    sub: (k) => `${k.samplesDelivered} delivered`,
  },
  {
    key: 'sampleToPostRate',
    label: 'Sample-to-post',
    title: 'Samples with a post / samples delivered',
    value: (k) => formatRate(k.sampleToPostRate),
    sub: (k) => `${k.samplesPosted} posted`,
  },
  {
    key: 'turnaround',
    label: 'Content turnaround',
    title: 'Delivery to post: median (p90)',
    value: (k) => formatDays(k.contentTurnaroundMs.median),
    sub: (k) => `p90 ${formatDays(k.contentTurnaroundMs.p90)}`,
  },
  {
    key: 'costPerPost',
    label: 'Cost per post',
    title: '(product + shipping + tracker share) of every send / posts',
    value: (k) => formatMoney(k.costPerPostCents),
  },
  {
    key: 'gmvPerSample',
    label: 'GMV per sample sent',
    title: 'Attributed GMV / samples sent',
    value: (k) => formatMoney(k.gmvPerSampleSentCents),
  },
  {
    key: 'reshipRate',
    label: 'Reship rate',
    title: 'Reships / samples sent',
    value: (k) => formatRate(k.reshipRate),
  },
  {
    key: 'repeat',
    label: 'Repeat creators',
    title: 'Creators who posted for 2+ sends / creators who posted',
    value: (k) => formatRate(k.repeatCreatorActivation),
  },
  {
    key: 'damageRate',
    label: 'Damage rate',
    title: 'Damaged / sent with a tracker',
    value: (k) => formatRate(k.damageRate.rate),
    sub: (k) => `${k.damageRate.damaged} of ${k.damageRate.withTracker} tracked`,
  },
];

export type Every = 'day' | 'week' | 'month';

/** A chart step's label: "Dec 2", "week of Dec 2", "Dec 2026". */
export function stepLabel(fromMs: number, every: Every, options: ZoneOptions = {}): string {
  const fmt = new Intl.DateTimeFormat(
    'en-US',
    every === 'month'
      ? { month: 'short', year: 'numeric', timeZone: options.timeZone }
      : { month: 'short', day: 'numeric', timeZone: options.timeZone },
  );
  const text = fmt.format(fromMs);
  return every === 'week' ? `week of ${text}` : text;
}

/** The period [fromMs, toMs) as the inclusive days it covers: "Sep 9, 2026 – Dec 1, 2026". */
export function periodLabel(fromMs: number, toMs: number, options: ZoneOptions = {}): string {
  return `${formatDay(fromMs, options)} – ${formatDay(toMs - DAY, options)}`;
}
