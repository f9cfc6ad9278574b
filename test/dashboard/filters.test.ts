import { describe, expect, it } from 'vitest';
import { compareBy, matchesSearch, nextSort, sortArrow, toggleChoice } from '../../dashboard/src/lib/filters.ts';
import { hrefOf } from '../../dashboard/src/lib/links.ts';
import { liveLabel } from '../../dashboard/src/lib/live/label.ts';

describe('filters', () => {
  it('presses a filter, and pressing it again goes back to all', () => {
    expect(toggleChoice('all', 'silent', 'all')).toBe('silent');
    expect(toggleChoice('silent', 'silent', 'all')).toBe('all');
    expect(toggleChoice('silent', 'offline', 'all')).toBe('offline');
    expect(toggleChoice('all', 'all', 'all')).toBe('all');
  });

  it('searches any field, trimmed and case-insensitive; empty finds all', () => {
    expect(matchesSearch('  MIA ', ['@mia.bakes', null])).toBe(true);
    expect(matchesSearch('noor', ['@mia.bakes', undefined])).toBe(false);
    expect(matchesSearch('', [null])).toBe(true);
  });

  it('sorts nulls last in both directions, ties kept in order', () => {
    const rows = [
      { id: 'a', v: 2 },
      { id: 'b', v: null },
      { id: 'c', v: 1 },
      { id: 'd', v: 2 },
    ];
    expect([...rows].sort(compareBy((r) => r.v)).map((r) => r.id)).toEqual(['c', 'a', 'd', 'b']);
    expect([...rows].sort(compareBy((r) => r.v, true)).map((r) => r.id)).toEqual(['a', 'd', 'c', 'b']);
  });

  it('flips a clicked column, starts another ascending, and marks the sorted one', () => {
    expect(nextSort({ key: 'id', desc: false }, 'id')).toEqual({ key: 'id', desc: true });
    expect(nextSort({ key: 'id', desc: true }, 'fw')).toEqual({ key: 'fw', desc: false });
    expect(sortArrow({ key: 'id', desc: true }, 'id')).toBe(' ↓');
    expect(sortArrow({ key: 'id', desc: false }, 'id')).toBe(' ↑');
    expect(sortArrow({ key: 'id', desc: false }, 'fw')).toBe('');
  });
});

describe('id links', () => {
  it('links every kind of id to its page', () => {
    expect(hrefOf('sample', 'S-000123')).toBe('/samples/S-000123');
    expect(hrefOf('creator', '@mia.bakes')).toBe('/creators/%40mia.bakes');
    expect(hrefOf('device', 'trk 7')).toBe('/fleet?q=trk%207');
    expect(hrefOf('exception', 42, { sampleId: 'S-1' })).toBe('/samples/S-1#exception-42');
  });
});

describe('live state label', () => {
  it('reads the same on every page', () => {
    expect(liveLabel({ kind: 'open', since: 0 }, 0)).toBe('Live');
    expect(liveLabel({ kind: 'connecting', attempt: 0 }, 0)).toBe('Connecting…');
    expect(liveLabel({ kind: 'connecting', attempt: 2 }, 0)).toBe('Reconnecting…');
    expect(liveLabel({ kind: 'waiting', attempt: 1, retryAt: 10_500 }, 7_000)).toBe('Disconnected · retrying in 4 s');
  });
});
