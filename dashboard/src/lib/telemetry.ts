import type { TelemetryPoint } from './api';

/**
 * Server-side buckets for a trip's charts: about TARGET_POINTS per chart whatever the
 * trip's length, on round widths. A 2-hour trip is drawn from 1-minute buckets (every
 * reading), a week from 1-hour buckets (168 points).
 */
export const TARGET_POINTS = 240;

const BUCKETS: { label: string; s: number }[] = [
  { label: '1m', s: 60 },
  { label: '2m', s: 120 },
  { label: '5m', s: 300 },
  { label: '10m', s: 600 },
  { label: '15m', s: 900 },
  { label: '30m', s: 1800 },
  { label: '1h', s: 3600 },
  { label: '2h', s: 7200 },
  { label: '3h', s: 10800 },
  { label: '6h', s: 21600 },
  { label: '12h', s: 43200 },
  { label: '1d', s: 86400 },
];

/** The bucket used to find a trip's extent before choosing the real one. */
export const PROBE_BUCKET = '1h';

export function chooseBucket(spanMs: number): { label: string; s: number } {
  const wanted = spanMs / 1000 / TARGET_POINTS;
  return BUCKETS.find((b) => b.s >= wanted) ?? BUCKETS[BUCKETS.length - 1]!;
}

/** "1-minute", "1-hour": a bucket's width for a caption. */
export function bucketCaption(label: string): string {
  const n = Number.parseInt(label, 10);
  const unit = { m: 'minute', h: 'hour', d: 'day' }[label.slice(-1)] ?? 'second';
  return `${n}-${unit}`;
}

/** The trip's time span from probe buckets (each PROBE_BUCKET wide), or null without data. */
export function tripSpan(probe: readonly TelemetryPoint[]): { fromMs: number; toMs: number } | null {
  if (probe.length === 0) return null;
  const fromMs = Date.parse(probe[0]!.ts);
  const toMs = Date.parse(probe[probe.length - 1]!.ts) + 3600_000;
  return { fromMs, toMs };
}
