import { describe, expect, it } from 'vitest';
import { dateTimeTitle, formatDateTime, formatDay, formatUtc, isoOf, toMs } from '../../dashboard/src/lib/datetime.ts';

// One date/time format (dashboard/src/lib/datetime.ts), with the zone always given here.
const AT = Date.UTC(2026, 11, 2, 13, 5, 9); // 2026-12-02 13:05:09 UTC

describe('date and time formatting', () => {
  it('writes an instant in the given zone, with the zone shown', () => {
    expect(formatDateTime(AT, { timeZone: 'UTC' })).toBe('Dec 2, 2026, 13:05 UTC');
    expect(formatDateTime(AT, { timeZone: 'Asia/Tokyo' })).toBe('Dec 2, 2026, 22:05 GMT+9');
    expect(formatDateTime(AT, { timeZone: 'America/Los_Angeles' })).toBe('Dec 2, 2026, 05:05 PST');
  });

  it('crosses the date line in the reader’s zone, not the server’s', () => {
    const late = Date.UTC(2026, 11, 2, 23, 30);
    expect(formatDateTime(late, { timeZone: 'Europe/Berlin' })).toBe('Dec 3, 2026, 00:30 GMT+1');
  });

  it('takes ISO strings, numbers and Dates alike, and shows none for none', () => {
    const iso = new Date(AT).toISOString();
    expect(formatDateTime(iso, { timeZone: 'UTC' })).toBe(formatDateTime(new Date(AT), { timeZone: 'UTC' }));
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTime('not a date')).toBe('—');
    expect(toMs(undefined)).toBeNull();
  });

  it('gives the tooltip to the second in the reader’s zone, then in UTC', () => {
    expect(formatUtc(AT)).toBe('Dec 2, 2026, 13:05:09 UTC');
    expect(dateTimeTitle(AT, { timeZone: 'Asia/Kolkata' })).toBe(
      'Dec 2, 2026, 18:35:09 GMT+5:30 · Dec 2, 2026, 13:05:09 UTC',
    );
    expect(dateTimeTitle(null)).toBe('');
  });

  it('writes a calendar day without time or zone', () => {
    expect(formatDay(AT, { timeZone: 'UTC' })).toBe('Dec 2, 2026');
    expect(formatDay(null)).toBe('—');
  });

  it('gives <time datetime> in ISO 8601 UTC', () => {
    expect(isoOf(AT)).toBe('2026-12-02T13:05:09.000Z');
    expect(isoOf(null)).toBeUndefined();
  });
});
