import type { IClientOptions } from 'mqtt';
import type { ParcelProfile, ProfileName } from './profiles.ts';
import { hashSeed, rngFor } from './prng.ts';
import { SimTracker, type SimTrackerBehaviours, type TrackerStats } from './tracker.ts';

export interface DeviceCredentials {
  id: string;
  secret: string;
}

export interface FleetOptions {
  url: string;
  devices: readonly DeviceCredentials[];
  intervalS: number;
  /** Each tracker's seed (and so its route and trip) derives from this and its id. */
  seed: number;
  behaviours?: SimTrackerBehaviours;
  profile?: ProfileName | ParcelProfile;
  /** 'real-time' (default) starts every tracker's timer; 'fast' leaves them to fleet.advance(n). */
  clock?: 'real-time' | 'fast';
  startAt?: number;
  timeScale?: number;
  /** First seq per device id (e.g. restored from a state file); default 0. */
  firstSeq?: (id: string) => number;
  /** How many trackers connect at the same time, so a big fleet does not storm the broker. Default 50. */
  connectConcurrency?: number;
  mqttOptions?: Partial<IClientOptions>;
  onError?: (id: string, err: Error) => void;
}

export interface FleetStats extends Omit<TrackerStats, 'nextSeq'> {
  devices: number;
  connected: number;
}

export interface Fleet {
  readonly trackers: readonly SimTracker[];
  /** Fast clock only: n report intervals on every tracker. */
  advance(n: number): Promise<void>;
  stats(): FleetStats;
  /** Every tracker publishes offline and disconnects. */
  stop(): Promise<void>;
}

/** Connects N simulated trackers and (on the real-time clock) starts them, staggered across one interval. */
export async function startFleet(o: FleetOptions): Promise<Fleet> {
  const clock = o.clock ?? 'real-time';
  const stagger = rngFor(o.seed, 'fleet-stagger');
  const trackers = o.devices.map(
    (d) =>
      new SimTracker({
        url: o.url,
        id: d.id,
        secret: d.secret,
        seed: hashSeed(o.seed, d.id),
        intervalS: o.intervalS,
        profile: o.profile,
        behaviours: o.behaviours,
        startAt: o.startAt,
        timeScale: o.timeScale,
        firstSeq: o.firstSeq?.(d.id),
        mqttOptions: o.mqttOptions,
        onError: o.onError ? (err) => o.onError?.(d.id, err) : undefined,
      }),
  );

  try {
    await inBatches(trackers, o.connectConcurrency ?? 50, (t) => t.connect());
  } catch (err) {
    await Promise.allSettled(trackers.map((t) => t.stop()));
    throw err;
  }
  if (clock === 'real-time') {
    // Spread first readings over one interval, as real parcels are packed at different times.
    for (const t of trackers) await t.start({ initialDelayMs: Math.floor(stagger.next() * o.intervalS * 1000) });
  }

  return {
    trackers,
    async advance(n) {
      await Promise.all(trackers.map((t) => t.advance(n)));
    },
    stats() {
      const total: FleetStats = {
        devices: trackers.length,
        connected: 0,
        generated: 0,
        published: 0,
        acked: 0,
        duplicates: 0,
        buffered: 0,
        messagesPublished: 0,
        messagesAcked: 0,
        malformed: 0,
        errors: 0,
      };
      for (const t of trackers) {
        const { nextSeq: _seq, ...s } = t.stats();
        for (const k of Object.keys(s) as (keyof typeof s)[]) total[k] += s[k];
        if (t.connected) total.connected++;
      }
      return total;
    },
    async stop() {
      await Promise.allSettled(trackers.map((t) => t.stop()));
    },
  };
}

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}
