import { describe, expect, it } from 'vitest';
import {
  DEPENDS,
  INBOX_EVERY_MS,
  SAMPLE_READINGS_EVERY_MS,
  invalidationsFor,
  resyncWithinMs,
  sampleKey,
} from '../../dashboard/src/lib/live/keys.ts';

// Which page loads a live message makes stale (dashboard/src/lib/live/keys.ts), among the
// keys of the loads on screen.
const ALL = new Set<string>([
  ...Object.values(DEPENDS),
  sampleKey('S-1'),
  sampleKey('S-2'),
  sampleKey('S-3'),
  sampleKey('S-9'),
]);
const keys = (m: Parameters<typeof invalidationsFor>[0], watched: ReadonlySet<string> = ALL) =>
  invalidationsFor(m, watched).map((i) => i.key);

describe('live message → dependency keys', () => {
  it('keeps every key in one constant, each distinct and in the app: namespace', () => {
    const values = Object.values(DEPENDS);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(v).toMatch(/^app:[a-z]+$/);
    expect(sampleKey('S-1')).toBe('app:sample:S-1');
  });

  it('rereads every load on screen on a (re)connection or resync, the inbox and sample pages a little later', () => {
    const watched = new Set([DEPENDS.parcels, DEPENDS.exceptions, sampleKey('S-1')]);
    expect(invalidationsFor({ type: 'resync' }, watched)).toEqual([
      { key: DEPENDS.parcels, withinMs: 0 },
      { key: DEPENDS.exceptions, withinMs: INBOX_EVERY_MS },
      { key: sampleKey('S-1'), withinMs: SAMPLE_READINGS_EVERY_MS },
    ]);
    expect(resyncWithinMs(DEPENDS.fleet)).toBe(0);
    expect(invalidationsFor({ type: 'resync' }, new Set())).toEqual([]);
  });

  it('never invalidates a key no load on screen depends on', () => {
    // SvelteKit drops a reload in flight when another starts: stray keys would starve the inbox.
    const inbox = new Set<string>([DEPENDS.exceptions]);
    expect(keys({ type: 'exceptions', exceptions: [{ id: 1, sampleId: 'S-9' }] }, inbox)).toEqual([DEPENDS.exceptions]);
    expect(keys({ type: 'parcels', parcels: [{ deviceId: 'T1', sampleId: 'S-9' }] }, inbox)).toEqual([]);
  });

  it('reloads only the pages of the samples whose parcels moved, at most every few seconds', () => {
    const out = invalidationsFor(
      {
        type: 'parcels',
        parcels: [
          { deviceId: 'T1', sampleId: 'S-1' },
          { deviceId: 'T2', sampleId: null },
          { deviceId: 'T3', sampleId: 'S-1' },
          { deviceId: 'T4', sampleId: 'S-2' },
        ],
      },
      ALL,
    );
    expect(out).toEqual([
      { key: sampleKey('S-1'), withinMs: SAMPLE_READINGS_EVERY_MS },
      { key: sampleKey('S-2'), withinMs: SAMPLE_READINGS_EVERY_MS },
    ]);
    // The parcel lists take parcels in place: no reload of their snapshot.
    expect(out.map((i) => i.key)).not.toContain(DEPENDS.parcels);
  });

  it('refreshes the inbox within a second and the exception’s sample page at once', () => {
    expect(
      invalidationsFor(
        {
          type: 'exceptions',
          exceptions: [
            { id: 1, sampleId: 'S-9' },
            { id: 2, sampleId: 'S-9' },
          ],
        },
        ALL,
      ),
    ).toEqual([
      { key: DEPENDS.exceptions, withinMs: INBOX_EVERY_MS },
      { key: sampleKey('S-9'), withinMs: 0 },
    ]);
  });

  it('reloads a sample page for its alerts, and nothing for an alert of no sample', () => {
    expect(keys({ type: 'alerts', alerts: [{ id: 5, sampleId: 'S-3' }] })).toEqual([sampleKey('S-3')]);
    expect(keys({ type: 'alerts', alerts: [{ id: 6, sampleId: null }] })).toEqual([]);
  });
});
