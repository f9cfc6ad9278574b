import { systemActor } from '../core/domain/auth/principal.ts';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CarrierEventSchema, type CarrierEventType } from '../core/domain/sample/carrier-event.ts';
import { armDemoTrip, type DemoTrip } from '../device-sim/demo-trips.ts';
import { SimTracker } from '../device-sim/tracker.ts';
import {
  DEMO_MAX_TRIP_MS,
  DEMO_MIN_TRIP_MS,
  DEMO_PRODUCTS,
  DEMO_READING_INTERVAL_S,
  demoProfile,
  demoTrip,
  expectedException,
  productOfSlot,
  type ExpectedException,
} from './demo-scripts.ts';
import type { Platform } from './start-platform.ts';

/**
 * The demo fleet: N tracker slots, each shipping one demo sample after another from a
 * warehouse to a creator's door, over real MQTT and through the real lifecycle (approve,
 * label, dispatch; the carrier's scans; the tracker's evidence). Trips last hours of event
 * time played on a compressed clock (demo-scripts.ts); a few carry one scripted incident,
 * the rest are clean. Every trip and incident is recorded in DATA_DIR/demo-fleet.json, so a
 * restart resumes unfinished trips and `npm run soak` can check what the alerts said.
 *
 * A trip gets a new tracker: its readings run ahead of the wall clock, so a reused tracker's
 * next trip would start inside the event time of its last one.
 */

const CREATORS = [
  '@ava.cooks',
  '@glowwithmia',
  '@techtariq',
  '@snackqueen.jo',
  '@fitwithleo',
  '@thebakingbro',
  '@skin.by.sana',
  '@gadgetgabe',
  '@matcha.mornings',
  '@lunchbox.lily',
  '@camp.kitchen',
  '@petpalpriya',
];
const OPS = { kind: 'user' as const, id: 'demo-ops' };
/** The demo is the platform acting: audited as `system:demo`, never as a person. */
const DEMO_ACTOR = systemActor('demo');

/** The first trip of a slot goes to its creator; each later one to a new creator of that name. */
export const creatorOfTrip = (slot: number, trip: number): string => {
  const base = CREATORS[slot % CREATORS.length]!;
  return trip === 0 ? base : `${base}.${trip + 1}`;
};
const SEED = 2026;

/** One trip as recorded, with what the soak needs to judge the alerts. */
export interface JournalTrip {
  slot: number;
  trip: number;
  sampleId: string;
  deviceId: string;
  sku: string;
  startAtMs: number;
  endAtMs: number;
  firstSeq: number;
  /** Wall clock. */
  startedAt: number;
  finishedAt: number | null;
}

/** A scripted incident: the sample, and the exception(s) it should raise in that event-time window. */
export interface JournalIncident extends ExpectedException {
  sampleId: string;
  sku: string;
}

interface Journal {
  version: 2;
  /** Device credentials (the file is 0600). */
  trackers: { id: string; secret: string }[];
  trips: JournalTrip[];
  incidents: JournalIncident[];
}

export interface DemoFleet {
  slots: number;
  /** Event time per wall time. */
  compression: number;
  stop(): Promise<void>;
}

/** How the demo's clock relates to the wall clock, for the start banner. */
export function demoClock(intervalS: number): { compression: number; text: string } {
  const compression = DEMO_READING_INTERVAL_S / intervalS;
  const [lo, hi] = [DEMO_MIN_TRIP_MS / 3_600_000, DEMO_MAX_TRIP_MS / 3_600_000];
  const longest = (DEMO_MAX_TRIP_MS / compression / 60_000).toFixed(1).replace(/\.0$/, '');
  return {
    compression,
    text:
      `trips of ${lo}–${hi} h play ${compression}× faster (a ${hi} h trip in ${longest} min; ` +
      `a reading every ${DEMO_READING_INTERVAL_S / 60} min of trip time; readings' times run up to ${hi} h ahead of the clock)`,
  };
}

export async function startDemoFleet(platform: Platform): Promise<DemoFleet | undefined> {
  const { env, services, log } = platform;
  if (env.DEMO_FLEET === 0) return undefined;
  const file = join(env.DATA_DIR, 'demo-fleet.json');
  const journal = await readJournal(file);
  const known = new Set((await services.devices.list()).map((d) => d.id));
  for (const p of DEMO_PRODUCTS) {
    await services.products
      .create(
        p.sku,
        {
          name: p.name,
          variant: null,
          unitCostCents: p.cents,
          limited: false,
          inventoryOnHand: 100_000,
          conditionProfile: demoProfile(p),
          needsTracker: false,
        },
        DEMO_ACTOR,
      )
      .catch(() => {}); // exists from an earlier start
  }
  let saving = Promise.resolve();
  const save = () => {
    saving = saving
      .then(async () => {
        await mkdir(env.DATA_DIR, { recursive: true });
        await writeFile(file, JSON.stringify(journal, null, 2), { mode: 0o600 });
      })
      .catch((err: unknown) => log.warn({ err }, 'demo fleet journal not saved'));
    return saving;
  };

  const wallIntervalMs = env.DEMO_INTERVAL_S * 1000;
  let stopping = false;
  const wake = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wake.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      wake.add(done);
    });

  /** Starts (or, after a restart, resumes) trip after trip on one slot until stopped. */
  const runSlot = async (slot: number) => {
    // Slots start spread over one report interval, as parcels are packed at different times.
    await sleep((slot * wallIntervalMs) / env.DEMO_FLEET);
    while (!stopping) {
      try {
        const unfinished = journal.trips.find((t) => t.slot === slot && t.finishedAt === null);
        const current = unfinished && known.has(unfinished.deviceId) ? unfinished : await newTrip(slot);
        if (unfinished && current !== unfinished) unfinished.finishedAt = Date.now(); // its tracker is gone (another database)
        await drive(current);
      } catch (err) {
        log.warn({ err, slot }, 'demo trip failed; starting another shortly');
        await sleep(10_000);
      }
    }
  };

  const newTrip = async (slot: number): Promise<JournalTrip> => {
    const n = journal.trips.filter((t) => t.slot === slot).length;
    const product = productOfSlot(slot);
    const startAtMs = Math.floor(Date.now() / 1000) * 1000;
    const plan = demoTrip(SEED, slot, n, startAtMs);
    let id: string;
    let i = journal.trackers.length;
    do id = `trk-demo-${String(++i).padStart(4, '0')}`;
    while (known.has(id));
    known.add(id); // taken before the await: slots start trips concurrently
    const { secret } = await services.devices.provision({ id, label: 'demo fleet' });
    journal.trackers.push({ id, secret });
    const sample = await approvedRequest(platform, slot, n, product.sku);
    await services.samples.attachTracker(sample.id, id, DEMO_ACTOR);
    await shipDemoSample(platform, sample.id, product.sku);
    await services.samples.setGeofences(sample.id, {
      origin: { lat: plan.route.origin.lat, lon: plan.route.origin.lon },
      destination: { lat: plan.route.destination.lat, lon: plan.route.destination.lon },
      radiusM: 500,
    });
    const trip: JournalTrip = {
      slot,
      trip: n,
      sampleId: sample.id,
      deviceId: id,
      sku: product.sku,
      startAtMs,
      endAtMs: plan.endAtMs,
      firstSeq: 0,
      startedAt: Date.now(),
      finishedAt: null,
    };
    journal.trips.push(trip);
    const expected = expectedException(plan);
    if (expected) journal.incidents.push({ ...expected, sampleId: sample.id, sku: product.sku });
    await save();
    log.info(
      {
        slot,
        sampleId: sample.id,
        deviceId: id,
        sku: product.sku,
        incident: plan.incident?.kind ?? null,
        hours: +((plan.endAtMs - startAtMs) / 3_600_000).toFixed(1),
        to: plan.route.destination.name,
      },
      'demo trip started',
    );
    return trip;
  };

  /** Plays one trip on the compressed clock: a reading every wall interval, the carrier's scans when their time comes. */
  const drive = async (t: JournalTrip) => {
    const plan = demoTrip(SEED, t.slot, t.trip, t.startAtMs);
    const secret = journal.trackers.find((d) => d.id === t.deviceId)?.secret;
    if (!secret) throw new Error(`no secret for ${t.deviceId}`);
    const tracker = new SimTracker({
      url: platform.mqttUrl,
      id: t.deviceId,
      secret,
      seed: plan.seed,
      intervalS: plan.intervalS,
      route: plan.route,
      profile: plan.packaging,
      startAt: plan.startAtMs,
      firstSeq: t.firstSeq,
      upright: true,
      offline: plan.offline,
      behaviours: { tsFormat: 'rfc3339' },
      onError: (err) => log.debug({ deviceId: t.deviceId, err: err.message }, 'demo tracker error'),
    });
    if (stopping) return;
    armDemoTrip(tracker.model, plan);
    // A restart resumes where the stored readings end: the same plan gives the same readings.
    const { rows } = await platform.pool.query<{ last: Date | null }>(
      'select max(ts) as last from telemetry where device_id = $1',
      [t.deviceId],
    );
    const lastStored = rows[0]?.last?.getTime();
    if (lastStored !== undefined) tracker.skip(Math.floor((lastStored - plan.startAtMs) / (plan.intervalS * 1000)) + 1);
    const scans = carrierScans(plan).filter((s) => lastStored === undefined || s.at > lastStored - 3_600_000);
    await tracker.connect();
    try {
      let due = Date.now();
      while (!stopping && tracker.nextReadingAt <= plan.endAtMs) {
        const at = tracker.nextReadingAt;
        await tracker.advance(1);
        while (scans[0] && scans[0].at <= at) await carrierScan(platform, t.sampleId, scans.shift()!);
        due += wallIntervalMs;
        await sleep(due - Date.now());
      }
    } finally {
      await tracker.stop();
    }
    if (tracker.nextReadingAt > plan.endAtMs) {
      t.finishedAt = Date.now();
      await save();
    }
  };

  const slots = Array.from({ length: env.DEMO_FLEET }, (_, slot) => runSlot(slot));
  const { compression } = demoClock(env.DEMO_INTERVAL_S);
  log.info({ slots: env.DEMO_FLEET, compression }, 'demo fleet started');
  return {
    slots: env.DEMO_FLEET,
    compression,
    async stop() {
      stopping = true;
      for (const w of [...wake]) w();
      await Promise.all(slots);
      await save();
    },
  };
}

async function readJournal(file: string): Promise<Journal> {
  const empty: Journal = { version: 2, trackers: [], trips: [], incidents: [] };
  if (!existsSync(file)) return empty;
  const stored = JSON.parse(await readFile(file, 'utf8')) as Journal | unknown[];
  // An earlier demo's file (a list of parcels that never arrive) is left behind: new trips start.
  return Array.isArray(stored) || stored.version !== 2 ? empty : stored;
}

interface Scan {
  event: CarrierEventType;
  at: number;
  location: string;
}

/** The carrier's scans of a trip, in time order. */
function carrierScans(plan: DemoTrip): Scan[] {
  const { origin, destination } = plan.route;
  return [
    { event: 'picked_up' as const, at: plan.carrier.pickedUpAtMs, location: origin.name },
    {
      event: 'out_for_delivery' as const,
      at: plan.carrier.outForDeliveryAtMs,
      location: destination.name.replace(/^creator address, /, ''),
    },
    {
      event: 'delivered' as const,
      at: plan.carrier.deliveredAtMs,
      location: destination.name.replace(/^creator address, /, ''),
    },
  ];
}

/** A carrier scan through the carrier webhook's service, as the carrier's adapter would post it. */
async function carrierScan(platform: Platform, sampleId: string, scan: Scan): Promise<void> {
  const sample = await platform.services.samples.get(sampleId);
  if (!sample.trackingId) return;
  const raw = {
    trackingId: sample.trackingId,
    event: scan.event,
    at: new Date(scan.at).toISOString(),
    location: scan.location,
  };
  try {
    await platform.services.carrierEvents.receive(CarrierEventSchema.parse(raw), raw);
  } catch (err) {
    platform.log.debug({ err, sampleId, event: scan.event }, 'demo carrier scan refused');
  }
}

/**
 * A request the approval policy approves, through the policy like any request. The policy
 * refuses a restricted creator, a second send of a SKU to a creator within its window and
 * more than its sends per campaign, and the seeded history has used many pairs already; so
 * the trip asks the policy (a preview writes nothing) for creators in good standing, in an
 * order of its own, and requests the first it would approve; failing those, a new creator.
 */
async function approvedRequest(platform: Platform, slot: number, trip: number, sku: string) {
  const { services } = platform;
  const active = (await services.creators.list({ standing: 'active', limit: 500, offset: 0 })).map((c) => c.handle);
  const start = (slot * 7 + trip * 13) % Math.max(1, active.length);
  const candidates = [...active.slice(start), ...active.slice(0, start)].slice(0, 24);
  const campaign = 'Demo launch';
  for (const creator of candidates) {
    const { decision } = await services.lifecycle.preview(
      { creator, sku, campaign, quantity: 1, source: 'form', requestedBy: DEMO_ACTOR.label },
      DEMO_ACTOR,
    );
    if (decision.decision === 'approved') return services.samples.create({ creator, sku, campaign }, DEMO_ACTOR);
  }
  return services.samples.create({ creator: creatorOfTrip(slot, trip), sku, campaign }, DEMO_ACTOR);
}

/** Approves, labels and dispatches a demo sample as ops would, so its trip is live. */
async function shipDemoSample(platform: Platform, sampleId: string, sku: string): Promise<void> {
  const steps = [
    { type: 'approve' as const, actor: OPS, reason: 'demo send', data: {} },
    {
      type: 'create_label' as const,
      actor: OPS,
      data: { carrier: 'ups', serviceLevel: 'ground', trackingId: `1ZDEMO${sampleId.replace(/\W/g, '')}` },
    },
    {
      type: 'dispatch' as const,
      actor: OPS,
      data: { packedItems: [{ skuId: sku, quantity: 1 }], warehouseConfirmation: 'WH-DEMO' },
    },
  ];
  for (const step of steps) {
    try {
      await platform.services.lifecycle.applyEvent(sampleId, step, DEMO_ACTOR);
    } catch (err) {
      // The policy may already have decided (auto-approval); the demo goes on either way.
      platform.log.debug({ err, sampleId, step: step.type }, 'demo lifecycle step skipped');
    }
  }
}
