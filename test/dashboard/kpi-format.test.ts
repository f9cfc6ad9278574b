import { describe, expect, it } from 'vitest';
import type { components } from '../../dashboard/src/lib/api/schema.d.ts';
import { formatDuration, formatMoney, formatRate } from '../../dashboard/src/lib/format.ts';
import { KPI_TILES, formatDays, periodLabel, stepLabel } from '../../dashboard/src/lib/kpi-format.ts';

type Kpis = components['schemas']['Kpis'];

describe('KPI formatting', () => {
  it('writes money, rates and lengths of time one way', () => {
    expect(formatMoney(123456)).toBe('$1,234.56');
    expect(formatMoney(null)).toBe('—');
    expect(formatRate(0.4286)).toBe('42.9 %');
    expect(formatRate(1, 0)).toBe('100 %');
    expect(formatRate(Number.NaN)).toBe('—');
    expect(formatDuration(85 * 60_000)).toBe('1 h 25 min');
    expect(formatDuration(51 * 3600_000)).toBe('2 d 3 h');
    expect(formatDays(null)).toBe('—');
  });

  it('labels chart steps by day, week and month', () => {
    const at = Date.UTC(2026, 11, 2, 12);
    expect(stepLabel(at, 'day', { timeZone: 'UTC' })).toBe('Dec 2');
    expect(stepLabel(at, 'week', { timeZone: 'UTC' })).toBe('week of Dec 2');
    expect(stepLabel(at, 'month', { timeZone: 'UTC' })).toBe('Dec 2026');
  });

  it('writes a [from, to) period as the inclusive days it covers', () => {
    expect(periodLabel(Date.UTC(2026, 8, 9), Date.UTC(2026, 11, 2), { timeZone: 'UTC' })).toBe(
      'Sep 9, 2026 – Dec 1, 2026',
    );
  });

  it('fills every tile from a KPI record', () => {
    const k = {
      samplesSent: 10,
      samplesDelivered: 8,
      samplesPosted: 4,
      sampleToPostRate: 0.5,
      contentTurnaroundMs: { median: 2 * 86_400_000, p90: 5 * 86_400_000 },
      costPerPostCents: 3000,
      gmvPerSampleSentCents: 6000,
      reshipRate: 0.1,
      repeatCreatorActivation: null,
      damageRate: { rate: 0.25, damaged: 1, withTracker: 4, byCarrier: {}, byPackaging: {}, bySku: {} },
    } as unknown as Kpis;
    const shown = Object.fromEntries(KPI_TILES.map((t) => [t.key, [t.value(k), t.sub?.(k)]]));
    expect(shown.samplesSent).toEqual(['10', '8 delivered']);
    expect(shown.sampleToPostRate).toEqual(['50.0 %', '4 posted']);
    expect(shown.turnaround).toEqual(['2 d', 'p90 5 d']);
    expect(shown.costPerPost).toEqual(['$30.00', undefined]);
    expect(shown.repeat).toEqual(['—', undefined]);
    expect(shown.damageRate).toEqual(['25.0 %', '1 of 4 tracked']);
  });
});
