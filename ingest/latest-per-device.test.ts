import { describe, expect, it } from 'vitest';
import type { Reading } from '../core/protocol/tracker-protocol.ts';
import { latestPerDevice } from './telemetry-store.ts';

const r = (deviceId: string, seq: number, ts: number, receivedAt: number): Reading => ({
  deviceId,
  seq,
  ts,
  receivedAt,
});

describe('latestPerDevice', () => {
  it('shows the newest stored reading by event time, and the latest receipt of anything', () => {
    const stored = [r('a', 2, 2000, 10), r('a', 1, 1000, 30)];
    const duplicate = r('a', 2, 9000, 50); // same seq, later ts: never the parcel's reading
    expect(latestPerDevice(stored, [...stored, duplicate])).toEqual([{ reading: stored[0], lastSeenAt: 50 }]);
  });

  it('marks a tracker whose batch held only duplicates as seen only', () => {
    const dup = r('b', 5, 5000, 70);
    expect(latestPerDevice([], [dup])).toEqual([{ reading: dup, lastSeenAt: 70, seenOnly: true }]);
  });
});
