import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFleet } from './fleet.ts';
import { runLoad } from './load.ts';
import type { SimReading, TelemetryBatch } from './protocol.ts';
import { startTestBroker, watch, type Received, type TestBroker, type Watcher } from './test-broker.ts';

let broker: TestBroker;
let watcher: Watcher;
const devices = ['trk-000201', 'trk-000202', 'trk-000203'].map((id) => ({ id, secret: `s-${id}` }));

beforeEach(async () => {
  broker = await startTestBroker();
  watcher = await watch(broker.url, ['trackers/+/telemetry', 'trackers/+/status']);
});

afterEach(async () => {
  await watcher.close();
  await broker.close();
});

const readingsIn = (m: Received): SimReading[] => {
  const body = JSON.parse(m.payload) as SimReading | TelemetryBatch;
  return 'readings' in body ? (body as TelemetryBatch).readings : [body as SimReading];
};
const telemetryOf = (id: string) => watcher.messages.filter((m) => m.topic === `trackers/${id}/telemetry`);

describe('startFleet', () => {
  it('runs one tracker per device, each with its own trip, and stops them all cleanly', async () => {
    const fleet = await startFleet({
      url: broker.url,
      devices,
      intervalS: 300,
      seed: 5,
      clock: 'fast',
      startAt: Date.now() - 86_400_000,
    });
    await fleet.advance(4);
    const s = fleet.stats();
    expect(s).toMatchObject({ devices: 3, connected: 3, errors: 0 });
    expect(s.acked).toBe(s.generated);
    await watcher.until((ms) => ms.filter((m) => m.topic.endsWith('/telemetry')).length === s.messagesPublished);
    for (const { id } of devices)
      expect(
        telemetryOf(id)
          .flatMap(readingsIn)
          .map((r) => r.seq)
          .slice(0, 4),
      ).toEqual([0, 1, 2, 3]);
    expect(new Set(fleet.trackers.map((t) => t.route.destination.name)).size).toBeGreaterThan(1);

    await fleet.stop();
    await watcher.until((ms) => ms.filter((m) => m.payload === '{"state":"offline"}').length === 3);
  });
});

describe('runLoad', () => {
  it('publishes single-reading messages as fast as acked, each stamped with simSentAt', async () => {
    const result = await runLoad({
      url: broker.url,
      devices,
      messagesPerDevice: 40,
      batchSize: 1,
      concurrencyPerDevice: 8,
      firstSeq: 100,
    });
    expect(result).toMatchObject({
      sent: 120,
      acked: 120,
      readingsAcked: 120,
      errors: 0,
      timedOut: false,
      seqRange: { first: 100, last: 139 },
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    await watcher.until((ms) => ms.filter((m) => m.topic.endsWith('/telemetry')).length === 120);
    for (const { id } of devices) {
      const readings = telemetryOf(id).flatMap(readingsIn);
      expect(readings.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => 100 + i));
      for (const r of readings) expect(r.simSentAt).toEqual(expect.any(Number));
    }
  });

  it('publishes batches when batchSize > 1', async () => {
    const result = await runLoad({ url: broker.url, devices, messagesPerDevice: 4, batchSize: 25 });
    expect(result).toMatchObject({ sent: 12, acked: 12, readingsSent: 300, readingsAcked: 300 });
    await watcher.until((ms) => ms.filter((m) => m.topic.endsWith('/telemetry')).length === 12);
    const first = telemetryOf('trk-000201')[0]!;
    expect(readingsIn(first).map((r) => r.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });
});
