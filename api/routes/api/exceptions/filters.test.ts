import { describe, expect, it } from 'vitest';
import { ExceptionFilters, filterOf } from './filters.ts';

const now = new Date('2026-12-01T12:00:00Z');
const parse = (q: Record<string, unknown>) => filterOf(ExceptionFilters.parse(q), now);

describe('the inbox query as a filter', () => {
  it('takes one value or the parameter repeated', () => {
    expect(parse({ severity: 'critical' }).severity).toEqual(['critical']);
    expect(parse({ severity: ['critical', 'warning'], stage: 'in_transit' })).toMatchObject({
      severity: ['critical', 'warning'],
      stage: ['in_transit'],
    });
    expect(parse({}).severity).toBeUndefined();
  });

  it('resolves spans against the given now', () => {
    expect(parse({ startedWithin: '90m' }).startedFrom).toBe('2026-12-01T10:30:00.000Z');
    expect(parse({ startedOlderThan: '7d' }).startedBefore).toBe('2026-11-24T12:00:00.000Z');
  });

  it('keeps the narrower bound when a span and a time are both given', () => {
    expect(parse({ startedWithin: '24h', startedFrom: '2026-12-01T06:00:00Z' }).startedFrom).toBe(
      '2026-12-01T06:00:00Z',
    );
    expect(parse({ startedWithin: '24h', startedFrom: '2026-11-01T00:00:00Z' }).startedFrom).toBe(
      '2026-11-30T12:00:00.000Z',
    );
    expect(parse({ startedOlderThan: '1h', startedBefore: '2026-12-01T08:00:00Z' }).startedBefore).toBe(
      '2026-12-01T08:00:00Z',
    );
    expect(parse({ startedOlderThan: '1h', startedBefore: '2026-12-02T00:00:00Z' }).startedBefore).toBe(
      '2026-12-01T11:00:00.000Z',
    );
  });

  it('refuses what the database could not take or the inbox does not know', () => {
    for (const q of [
      { startedWithin: '0h' },
      { startedWithin: '24' },
      { startedWithin: '1w' },
      { openedFrom: '0000-01-01T00:00:00Z' },
      { severity: 'urgent' },
      { type: 'Too Hot' },
      { severity: Array(21).fill('info') },
    ]) {
      expect(ExceptionFilters.safeParse(q).success, JSON.stringify(q)).toBe(false);
    }
  });
});
