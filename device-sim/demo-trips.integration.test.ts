import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  armDemoTrip,
  DEMO_PACKAGING,
  demoTripReadings,
  demoTripTicks,
  planDemoTrip,
  type DemoTrip,
} from './demo-trips.ts';
import type { SimReading, TelemetryBatch } from './protocol.ts';
import { startTestBroker, watch, type TestBroker, type Watcher } from './test-broker.ts';
import { SimTracker } from './tracker.ts';

/**
 * The demo drives its trips over MQTT on the fast clock; the demo's test judges the same
 * trips generated in memory. This proves the two are the same readings, also when a
 * restarted demo resumes a trip halfway (skip, then go on), so what the test judged is
 * what the platform receives.
 */

const HOUR = 3_600_000;
let broker: TestBroker;
let watcher: Watcher;

beforeEach(async () => {
  broker = await startTestBroker();
  watcher = await watch(broker.url, ['trackers/+/telemetry']);
});

afterEach(async () => {
  await watcher.close();
  await broker.close();
});

function demoTracker(id: string, trip: DemoTrip, firstSeq = 0): SimTracker {
  const t = new SimTracker({
    url: broker.url,
    id,
    secret: 'secret',
    seed: trip.seed,
    intervalS: trip.intervalS,
    route: trip.route,
    profile: trip.packaging,
    startAt: trip.startAtMs,
    firstSeq,
    upright: true,
    offline: trip.offline,
    behaviours: { tsFormat: 'rfc3339' },
  });
  armDemoTrip(t.model, trip);
  return t;
}

const received = (id: string): { seq: number; ts: number; rest: Omit<SimReading, 'seq' | 'ts'> }[] =>
  watcher.messages
    .filter((m) => m.topic === `trackers/${id}/telemetry`)
    .flatMap((m): SimReading[] => {
      const body = JSON.parse(m.payload) as SimReading | TelemetryBatch;
      return 'readings' in body ? (body as TelemetryBatch).readings : [body as SimReading];
    })
    .map(({ seq, ts, ...rest }) => ({ seq, ts: typeof ts === 'number' ? ts : Date.parse(ts), rest }));

/** The watcher is another subscriber: wait until it has every message the tracker got a PUBACK for. */
async function allArrived(id: string, ...trackers: SimTracker[]): Promise<void> {
  const published = trackers.reduce((n, t) => n + t.stats().messagesAcked, 0);
  await watcher.until((ms) => ms.filter((m) => m.topic === `trackers/${id}/telemetry`).length >= published);
}

const inMemory = (trip: DemoTrip) =>
  demoTripReadings(trip).map(({ reading: { seq, ts, ...rest } }) => ({ seq, ts: ts as number, rest }));

describe('a demo trip over MQTT', () => {
  // Starts a day back so the fast clock stays behind the broker's wall clock in this test.
  const start = Date.now() - 26 * HOUR;

  it('sends exactly the readings the demo test judges, the scripted drop included', async () => {
    const trip = planDemoTrip({
      seed: 7,
      startAtMs: start,
      packaging: DEMO_PACKAGING.padded,
      intervalS: 300,
      incident: 'hard-drop',
      minTripMs: 4 * HOUR,
      maxTripMs: 20 * HOUR,
    });
    const t = demoTracker('trk-demo-0001', trip);
    await t.connect();
    await t.advance(demoTripTicks(trip));
    expect(t.nextReadingAt).toBeGreaterThan(trip.endAtMs);
    await t.stop();
    await allArrived('trk-demo-0001', t);
    const expected = inMemory(trip);
    expect(expected.some((r) => r.rest.shockG === 14)).toBe(true);
    expect(received('trk-demo-0001')).toEqual(expected);
  });

  it('resumed after a restart goes on with the next reading and seq: nothing sent twice, nothing missing', async () => {
    const trip = planDemoTrip({
      seed: 8,
      startAtMs: start,
      packaging: DEMO_PACKAGING.padded,
      intervalS: 300,
      incident: 'silent',
      minTripMs: 4 * HOUR,
      maxTripMs: 20 * HOUR,
    });
    const ticks = demoTripTicks(trip);
    const before = demoTracker('trk-demo-0002', trip);
    await before.connect();
    // Stopped inside the hang: the last stored reading is the one before it.
    const hungAt = Math.floor((trip.offline[0]!.fromMs - trip.startAtMs) / (trip.intervalS * 1000)) + 3;
    await before.advance(hungAt);
    await before.stop();
    await allArrived('trk-demo-0002', before);
    const sent = received('trk-demo-0002');
    const lastTs = Math.max(...sent.map((r) => r.ts));

    // What the demo does after a restart: the same plan, skipping the intervals already stored.
    const after = demoTracker('trk-demo-0002', trip);
    const skipped = Math.floor((lastTs - trip.startAtMs) / (trip.intervalS * 1000)) + 1;
    after.skip(skipped);
    await after.connect();
    await after.advance(ticks - skipped);
    await after.stop();
    await allArrived('trk-demo-0002', before, after);

    const all = received('trk-demo-0002');
    expect(all).toEqual(inMemory(trip));
    expect(new Set(all.map((r) => r.seq)).size).toBe(all.length);
    // The hang is a real gap: no reading has a ts inside it.
    const [gap] = trip.offline;
    expect(all.filter((r) => r.ts >= gap!.fromMs && r.ts < gap!.toMs)).toEqual([]);
  });
});
