import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MALFORMED_KINDS, type MalformedMessage } from './malformed.ts';
import { protocolViolations } from './protocol-check.ts';
import { MAX_BATCH_READINGS, type SimReading, type TelemetryBatch } from './protocol.ts';
import { startTestBroker, watch, type Received, type TestBroker, type Watcher } from './test-broker.ts';
import { SimTracker, type SimTrackerOptions } from './tracker.ts';

const DAY_MS = 86_400_000;
let broker: TestBroker;
let watcher: Watcher;
const trackers: SimTracker[] = [];

beforeEach(async () => {
  broker = await startTestBroker();
  watcher = await watch(broker.url, ['trackers/+/telemetry', 'trackers/+/status']);
});

afterEach(async () => {
  await Promise.all(trackers.splice(0).map((t) => t.stop({ timeoutMs: 1000 })));
  await watcher.close();
  await broker.close();
});

function tracker(id: string, opts: Partial<SimTrackerOptions> = {}): SimTracker {
  // Fast runs step ts forward from startAt: start in the past so ts stays before now.
  const t = new SimTracker({
    url: broker.url,
    id,
    secret: 'secret',
    seed: 21,
    intervalS: 300,
    startAt: Date.now() - 5 * DAY_MS,
    ...opts,
  });
  trackers.push(t);
  return t;
}

const telemetry = (id: string) => (ms: Received[]) => ms.filter((m) => m.topic === `trackers/${id}/telemetry`);
const readingsIn = (m: Received): SimReading[] => {
  const body = JSON.parse(m.payload) as SimReading | TelemetryBatch;
  return 'readings' in body ? (body as TelemetryBatch).readings : [body as SimReading];
};

describe('SimTracker against a real broker', () => {
  it('publishes readings at QoS 1 on its telemetry topic with continuous seq, a gap arriving as batches', async () => {
    const t = tracker('trk-000101');
    await t.connect();
    await t.advance(10);
    t.startGap();
    const duringGap = await t.advance(620);
    expect(t.stats().buffered).toBeGreaterThanOrEqual(620);
    await t.endGap();
    await t.advance(5);

    const { messagesPublished, generated } = t.stats();
    await watcher.until((ms) => telemetry('trk-000101')(ms).length === messagesPublished);
    const received = telemetry('trk-000101')(watcher.messages);
    expect(received.every((m) => m.qos === 1)).toBe(true);
    // No duplicates or shuffling switched on: arrival order is seq order, without holes.
    const readings = received.flatMap(readingsIn);
    expect(readings.map((r) => r.seq)).toEqual(Array.from({ length: generated }, (_, i) => i));
    for (const r of readings) expect(protocolViolations(r)).toEqual([]);

    const batches = received.filter((m) => 'readings' in JSON.parse(m.payload));
    expect(batches.length).toBe(2);
    const sizes = batches.map((m) => readingsIn(m).length);
    expect(sizes[0]).toBe(MAX_BATCH_READINGS);
    expect(sizes[0]! + sizes[1]!).toBe(duringGap.length);
    expect(readingsIn(batches[0]!)[0]).toEqual(duringGap[0]);
    expect(t.stats()).toMatchObject({ published: generated, acked: generated, buffered: 0, errors: 0 });
  });

  it('announces itself online (retained) and publishes offline on stop', async () => {
    const t = tracker('trk-000102');
    await t.connect();
    const late = await watch(broker.url, ['trackers/trk-000102/status']);
    await late.until((ms) => ms.length === 1);
    expect(late.messages[0]).toMatchObject({ retain: true, qos: 1 });
    expect(JSON.parse(late.messages[0]!.payload)).toMatchObject({
      state: 'online',
      fw: 'sim-1.0.0',
      batteryPct: expect.any(Number),
    });
    await late.close();

    // Readings still buffered at stop go out first, as one batch, then the offline status.
    await t.advance(2);
    t.startGap();
    await t.advance(3);
    await t.stop();
    await watcher.until((ms) =>
      ms.some((m) => m.topic === 'trackers/trk-000102/status' && m.payload === '{"state":"offline"}'),
    );
    const mine = watcher.messages.filter((m) => m.topic.startsWith('trackers/trk-000102/'));
    expect(mine.map((m) => m.payload.slice(0, 12))).toEqual([
      '{"state":"on',
      '{"seq":0,"ts',
      '{"seq":1,"ts',
      '{"readings":',
      '{"state":"of',
    ]);
    expect(readingsIn(mine[3]!).map((r) => r.seq)).toEqual([2, 3, 4]);
    expect(t.stats()).toMatchObject({ generated: 5, acked: 5, buffered: 0 });
  });

  it('leaves its retained last will when the connection dies', async () => {
    const t = tracker('trk-000103');
    await t.connect();
    t.crash();
    await watcher.until((ms) =>
      ms.some((m) => m.topic === 'trackers/trk-000103/status' && m.payload === '{"state":"offline"}'),
    );
  });

  it('applies config from its retained config topic, before and after connecting', async () => {
    await watcher.client.publishAsync('trackers/trk-000104/config', JSON.stringify({ reportIntervalS: 600 }), {
      qos: 1,
      retain: true,
    });
    const t = tracker('trk-000104');
    await t.connect();
    await expect.poll(() => t.config.reportIntervalS).toBe(600);

    await watcher.client.publishAsync(
      'trackers/trk-000104/config',
      JSON.stringify({ reportIntervalS: 900, shockThresholdG: 4, extra: true }),
      { qos: 1, retain: true },
    );
    await expect.poll(() => t.config).toEqual({ reportIntervalS: 900, shockThresholdG: 4, lightThresholdLux: 10 });
    const readings = await t.advance(3);
    const ts = readings.map((r) => Date.parse(r.ts as string));
    expect(ts[1]! - ts[0]!).toBe(900_000);
  });

  it('sends an event reading at once on drop and openBox', async () => {
    const t = tracker('trk-000105');
    await t.connect();
    await t.advance(3);
    const dropped = await t.drop({ g: 8.5 });
    const opened = await t.openBox();
    expect(dropped).toMatchObject({ seq: 3, shockG: 8.5 });
    expect(opened.seq).toBe(4);
    expect(opened.lightLux).toBeGreaterThan(10);
    await watcher.until((ms) => telemetry('trk-000105')(ms).length === 5);
    expect(
      telemetry('trk-000105')(watcher.messages)
        .slice(3)
        .map((m) => JSON.parse(m.payload) as SimReading),
    ).toEqual([dropped, opened]);
  });

  it('publishes each kind of malformed payload exactly as built', async () => {
    const t = tracker('trk-000106');
    await t.connect();
    const sent: MalformedMessage[] = [];
    for (const kind of MALFORMED_KINDS) sent.push(await t.publishMalformed(kind));
    await watcher.until((ms) => telemetry('trk-000106')(ms).length === MALFORMED_KINDS.length);
    expect(telemetry('trk-000106')(watcher.messages).map((m) => m.payload)).toEqual(sent.map((m) => m.payload));
    expect(() => JSON.parse(sent[0]!.payload)).toThrow();
    expect(JSON.parse(sent[1]!.payload)).not.toHaveProperty('seq');
    for (const m of sent.slice(2)) {
      const body = JSON.parse(m.payload) as SimReading | TelemetryBatch;
      const readings = 'readings' in body ? (body as TelemetryBatch).readings : [body as SimReading];
      const bad = readings.filter((r) => protocolViolations(r).length > 0).map((r) => r.seq);
      expect(bad).toEqual(m.rejectedSeqs);
    }
    expect(sent[4]!.validSeqs).toHaveLength(2);
    expect(t.stats().malformed).toBe(5);
  });

  it('reports in real time on its own timer', async () => {
    const t = tracker('trk-000107', { intervalS: 1, startAt: undefined });
    const before = Date.now();
    await t.start();
    await watcher.until((ms) => telemetry('trk-000107')(ms).length >= 2, 4000);
    const [first, second] = telemetry('trk-000107')(watcher.messages).map((m) => JSON.parse(m.payload) as SimReading);
    expect(first!.seq).toBe(0);
    expect(second!.seq).toBe(1);
    expect(Date.parse(first!.ts as string)).toBeGreaterThanOrEqual(before);
    await expect(t.advance(1)).rejects.toThrow(/real-time clock/);
  });

  it('refuses to connect with credentials the broker rejects', async () => {
    broker.broker.authenticate = (_client, username, password, done) => {
      const ok = username === 'trk-000108' && password?.toString() === 'right';
      done(ok ? null : Object.assign(new Error('bad credentials'), { returnCode: 4 as const }), ok);
    };
    await expect(tracker('trk-000108', { secret: 'wrong' }).connect()).rejects.toThrow(/Bad username or password/i);
    await expect(tracker('trk-000108', { secret: 'right' }).connect()).resolves.toBeUndefined();
  });
});
