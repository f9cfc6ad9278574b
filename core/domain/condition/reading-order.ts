import type { Reading } from '../../protocol/tracker-protocol.ts';

/** Event-time order: by ts; readings measured in the same millisecond by seq. */
type EventTime = Pick<Reading, 'ts' | 'seq'>;

export const compareReadings = (a: EventTime, b: EventTime): number => a.ts - b.ts || a.seq - b.seq;

/** A trip's readings in event-time order, each seq once (the first copy wins, as in storage). */
export function tripReadingsInEventOrder(readings: readonly Reading[]): Reading[] {
  const bySeq = new Map<number, Reading>();
  for (const reading of readings) if (!bySeq.has(reading.seq)) bySeq.set(reading.seq, reading);
  return [...bySeq.values()].sort(compareReadings);
}

/** Index of the first reading that sorts after `reading` (readings must be in event-time order). */
export function insertionIndex(readings: readonly Reading[], reading: EventTime): number {
  let low = 0;
  let high = readings.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareReadings(readings[mid]!, reading) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
