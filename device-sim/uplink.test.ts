import { describe, expect, it } from 'vitest';
import { MAX_BATCH_READINGS, MAX_PAYLOAD_BYTES, type SimReading, type TelemetryBatch } from './protocol.ts';
import { Uplink, type Outgoing, type UplinkBehaviours } from './uplink.ts';

const reading = (seq: number, extra: Record<string, unknown> = {}): SimReading => ({
  seq,
  ts: seq * 300_000,
  tempC: 4,
  ...extra,
});
const readingsOf = (m: Outgoing): SimReading[] =>
  'readings' in m.body ? (m.body as TelemetryBatch).readings : [m.body as SimReading];
const isBatch = (m: Outgoing): boolean => 'readings' in m.body;

/** Drives an uplink like a tracker does: tick, then submit that interval's reading. */
function run(behaviours: UplinkBehaviours, intervals: number, seed = 1): { messages: Outgoing[]; uplink: Uplink } {
  const uplink = new Uplink(seed, behaviours);
  const messages: Outgoing[] = [];
  for (let seq = 0; seq < intervals; seq++) {
    messages.push(...uplink.tick());
    messages.push(...uplink.submit([reading(seq)]));
  }
  messages.push(...uplink.endGap());
  return { messages, uplink };
}

const sentSeqs = (messages: Outgoing[]): number[] => messages.flatMap((m) => readingsOf(m).map((r) => r.seq));

describe('Uplink', () => {
  it('sends each reading at once, one per message, when nothing is switched on', () => {
    const { messages } = run({}, 50);
    expect(messages.every((m) => !isBatch(m) && m.count === 1 && m.resent === 0)).toBe(true);
    expect(sentSeqs(messages)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('buffers a manual gap and uploads it as batches of at most 500, oldest first', () => {
    const uplink = new Uplink(1);
    uplink.startGap();
    expect(uplink.submit(Array.from({ length: 1234 }, (_, i) => reading(i)))).toEqual([]);
    expect(uplink.buffered).toBe(1234);
    const batches = uplink.endGap();
    expect(batches.map((b) => b.count)).toEqual([500, 500, 234]);
    expect(batches.every(isBatch)).toBe(true);
    expect(sentSeqs(batches)).toEqual(Array.from({ length: 1234 }, (_, i) => i));
    expect(uplink.buffered).toBe(0);
    expect(uplink.inCoverage).toBe(true);
  });

  it('with automatic gaps, sends every reading exactly once, in order, batches within the limit', () => {
    const { messages, uplink } = run({ gaps: { startChance: 0.05, lengthReadings: [3, 700] } }, 20_000);
    const seqs = sentSeqs(messages);
    expect(seqs).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    const batches = messages.filter(isBatch);
    expect(batches.length).toBeGreaterThan(10);
    expect(batches.some((b) => b.count === MAX_BATCH_READINGS)).toBe(true); // a gap longer than one batch
    for (const b of batches) expect(b.count).toBeLessThanOrEqual(MAX_BATCH_READINGS);
    expect(uplink.buffered).toBe(0);
  });

  it('shuffles within a batch when out-of-order, but keeps batches oldest first', () => {
    const { messages } = run({ gaps: { startChance: 0.05, lengthReadings: [20, 60] }, outOfOrder: true }, 5_000);
    const batches = messages.filter(isBatch).map((b) => readingsOf(b).map((r) => r.seq));
    expect(batches.some((seqs) => seqs.some((s, i) => i > 0 && s < seqs[i - 1]!))).toBe(true);
    const ranges = batches.map((seqs) => [Math.min(...seqs), Math.max(...seqs)] as const);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThan(ranges[i - 1]![1]);
    expect([...sentSeqs(messages)].sort((a, b) => a - b)).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
  });

  it('with duplicates, sends every reading at least once and some more than once, counting the resends', () => {
    const { messages } = run({ gaps: { startChance: 0.05, lengthReadings: [5, 30] }, duplicates: true }, 5_000);
    const seqs = sentSeqs(messages);
    const unique = new Set(seqs);
    expect(unique.size).toBe(5_000);
    expect(seqs.length).toBeGreaterThan(unique.size);
    expect(messages.reduce((n, m) => n + m.resent, 0)).toBe(seqs.length - unique.size);
    // Some duplicates are live readings that come back inside a later batch.
    const live = new Set(messages.filter((m) => !isBatch(m)).map((m) => readingsOf(m)[0]!.seq));
    expect(messages.filter(isBatch).some((b) => readingsOf(b).some((r) => live.has(r.seq)))).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const behaviours: UplinkBehaviours = { gaps: true, duplicates: true, outOfOrder: true };
    expect(run(behaviours, 3_000, 7).messages).toEqual(run(behaviours, 3_000, 7).messages);
    expect(run(behaviours, 3_000, 7).messages).not.toEqual(run(behaviours, 3_000, 8).messages);
  });

  it('honours a smaller maxBatch and splits batches that would exceed 256 KiB', () => {
    const small = new Uplink(1, { maxBatch: 50 });
    small.startGap();
    small.submit(Array.from({ length: 120 }, (_, i) => reading(i)));
    expect(small.endGap().map((b) => b.count)).toEqual([50, 50, 20]);

    const big = new Uplink(1);
    big.startGap();
    big.submit(Array.from({ length: 500 }, (_, i) => reading(i, { note: 'x'.repeat(1000) })));
    const batches = big.endGap();
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) expect(Buffer.byteLength(JSON.stringify(b.body))).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    expect(sentSeqs(batches)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });
});
