import { describe, expect, it } from 'vitest';
import type { Reading } from '../core/protocol/tracker-protocol.ts';
import { BatchWriter, type Batch } from './batch-writer.ts';

const reading = (seq: number): Reading => ({ deviceId: 'trk-1', seq, ts: seq, receivedAt: seq });
const ok = (b: Batch) =>
  Promise.resolve({
    stored: b.readings,
    duplicates: 0,
    duplicatesByReason: { sameTs: 0, conflictingTs: 0 },
    unknown: 0,
  });

describe('BatchWriter', () => {
  it('acknowledges a message only after its batch is stored', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const w = new BatchWriter({
      store: async (b) => {
        await gate;
        return ok(b);
      },
      maxBatch: 10,
      lingerMs: 0,
    });
    const acked: number[] = [];
    w.add([reading(1)], [], () => acked.push(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(acked).toEqual([]);
    release();
    await w.drain();
    expect(acked).toEqual([1]);
  });

  it('batches whole messages up to maxBatch readings and keeps arrival order of acks', async () => {
    const sizes: number[] = [];
    const w = new BatchWriter({
      store: (b) => {
        sizes.push(b.readings.length);
        return ok(b);
      },
      maxBatch: 4,
      lingerMs: 5,
    });
    const acked: number[] = [];
    for (let i = 0; i < 5; i++) w.add([reading(i * 2), reading(i * 2 + 1)], [], () => acked.push(i));
    await w.drain();
    expect(sizes.reduce((a, b) => a + b)).toBe(10);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    expect(acked).toEqual([0, 1, 2, 3, 4]);
  });

  it('writes two batches at once but acknowledges in arrival order when the second finishes first', async () => {
    const gates: (() => void)[] = [];
    const w = new BatchWriter({
      store: async (b) => {
        await new Promise<void>((r) => gates.push(r));
        return ok(b);
      },
      maxBatch: 1,
      lingerMs: 0,
      maxInFlight: 2,
    });
    const acked: number[] = [];
    w.add([reading(1)], [], () => acked.push(1));
    w.add([reading(2)], [], () => acked.push(2));
    await new Promise((r) => setTimeout(r, 10));
    expect(gates).toHaveLength(2);
    gates[1]!();
    await new Promise((r) => setTimeout(r, 10));
    expect(acked).toEqual([]);
    gates[0]!();
    await w.drain();
    expect(acked).toEqual([1, 2]);
  });

  it('keeps a failed batch, retries it, and acknowledges nothing until it is stored', async () => {
    let calls = 0;
    const errors: number[] = [];
    const ackedAtError: number[] = [];
    const acked: number[] = [];
    const w = new BatchWriter({
      store: (b) => (++calls < 3 ? Promise.reject(new Error('db down')) : ok(b)),
      maxBatch: 10,
      lingerMs: 0,
      maxBackoffMs: 10,
      onFlushError: (_e, attempt) => {
        errors.push(attempt);
        ackedAtError.push(acked.length);
      },
    });
    w.add([reading(1)], [], () => acked.push(1));
    await new Promise((r) => setTimeout(r, 5));
    expect(w.healthy).toBe(false);
    await w.drain();
    expect(ackedAtError).toEqual([0, 0]);
    expect(errors).toEqual([1, 2]);
    expect(acked).toEqual([1]);
    expect(w.healthy).toBe(true);
    expect(w.pending).toBe(0);
  });

  it('refuses input after close but stores what it had accepted', async () => {
    const stored: number[] = [];
    const w = new BatchWriter({
      store: (b) => {
        stored.push(...b.readings.map((r) => r.seq));
        return ok(b);
      },
      maxBatch: 10,
      lingerMs: 1000,
    });
    w.add([reading(1)], [], () => {});
    await w.close();
    expect(stored).toEqual([1]);
    let refused: Error | undefined;
    w.add([reading(2)], [], (err) => (refused = err));
    expect(refused?.message).toMatch(/shutting down/);
  });

  it('admits a message only while pending is under maxPending, then again from half of it, in arrival order', async () => {
    const releases: (() => void)[] = [];
    const w = new BatchWriter({
      store: async (b) => {
        await new Promise<void>((r) => releases.push(r));
        return ok(b);
      },
      maxBatch: 3,
      lingerMs: 0,
      maxInFlight: 10,
      maxPending: 6,
    });
    const admitted: number[] = [];
    const acked: number[] = [];
    let maxSeen = 0;
    const send = (i: number) =>
      w.admit(() => {
        admitted.push(i);
        w.add([reading(i * 3), reading(i * 3 + 1), reading(i * 3 + 2)], [], () => acked.push(i));
        maxSeen = Math.max(maxSeen, w.pending);
      });
    const now = [0, 1, 2, 3, 4].map(send);
    // 0 and 1 fill it to 6: the rest wait, and nothing overtakes a waiting message.
    expect(now).toEqual([true, true, false, false, false]);
    expect(w.waiting).toBe(3);
    await new Promise((r) => setTimeout(r, 5));
    releases.shift()!(); // message 0 stored: pending 3 = half, so 2 comes in and fills it again
    await new Promise((r) => setTimeout(r, 5));
    expect(admitted).toEqual([0, 1, 2]);
    while (acked.length < 5) {
      releases.shift()?.();
      await new Promise((r) => setTimeout(r, 5));
    }
    await w.drain();
    expect(admitted).toEqual([0, 1, 2, 3, 4]);
    expect(acked).toEqual([0, 1, 2, 3, 4]);
    expect(maxSeen).toBeLessThanOrEqual(6 - 1 + 3);
  });

  it('lets waiting messages in on close, refused like any arrival after it', async () => {
    let release!: () => void;
    const w = new BatchWriter({
      store: async (b) => {
        await new Promise<void>((r) => (release = r));
        return ok(b);
      },
      maxBatch: 10,
      lingerMs: 0,
      maxPending: 1,
    });
    const acks: (string | undefined)[] = [];
    w.admit(() => w.add([reading(1)], [], (err) => acks.push(err?.message)));
    w.admit(() => w.add([reading(2)], [], (err) => acks.push(err?.message)));
    await new Promise((r) => setTimeout(r, 5));
    const closed = w.close();
    expect(acks).toEqual(['ingest is shutting down']);
    release();
    await closed;
    expect(acks).toEqual(['ingest is shutting down', undefined]);
  });
});
