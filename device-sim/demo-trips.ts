import { DEFAULT_THRESHOLDS, type ConditionModel } from './condition-model.ts';
import type { ParcelProfile } from './profiles.ts';
import { hashSeed, rngFor } from './prng.ts';
import type { SimReading } from './protocol.ts';
import { ReadingGenerator } from './reading-generator.ts';
import { planRoute, positionAt, type Phase, type Route, type Segment } from './routes.ts';

/**
 * The demo's trips: believable journeys (hours of event time, warehouse to the creator's
 * door, the box opened there) that are clean unless one scripted incident is planned on
 * them. Everything is a function of the request, so the demo (over MQTT, on a compressed
 * clock) and a test (in memory) produce the same readings. Tracker terms only: what the
 * parcel went through, never the platform's rule names.
 */

const MIN = 60_000;

/** Packaging the demo ships in; the trip is clean for the product inside it. */
export const DEMO_PACKAGING = {
  /**
   * Insulated shipper with gel packs sized for two days: holds 4.5–6.5 °C whatever the
   * weather on the way (chocolate in a chilled mailer, the cold-chain serum, the matcha).
   */
  chilled: {
    name: 'chilled-48h',
    startTempC: 4,
    insulationTauH: 10,
    coolantCapacity: 150,
    coolantTempC: 4.5,
    openAfterDeliveryMin: null,
  },
  /** A padded box for products the weather does not hurt (electronics, glass, bars). */
  padded: {
    name: 'padded',
    startTempC: 'ambient',
    insulationTauH: 2,
    coolantCapacity: 0,
    coolantTempC: 0,
    openAfterDeliveryMin: null,
  },
} as const satisfies Record<string, ParcelProfile>;

/**
 * What can go wrong on a demo trip: the parcel sits in a hot truck, warms up on a depot's
 * dock, is dropped hard, or its tracker hangs and measures nothing for a while.
 */
export type DemoIncidentKind = 'hot-truck' | 'warm-dock' | 'hard-drop' | 'silent';

export interface DemoIncident {
  kind: DemoIncidentKind;
  /** Event time the parcel's readings start to show it (a hang: the first reading not taken). */
  fromMs: number;
  /** Event time it is over (a drop: the same instant; a hang: the first reading taken again). */
  toMs: number;
  /** Hot truck and warm dock: °C inside; hard drop: g. */
  peak?: number;
}

export interface DemoTripRequest {
  seed: number;
  /** Epoch ms the tracker is switched on at the packing bench: the first reading. */
  startAtMs: number;
  packaging: ParcelProfile;
  /** Simulated seconds between regular readings. */
  intervalS: number;
  incident?: DemoIncidentKind;
  /** Shortest and longest trip, first to last reading, ms of event time. */
  minTripMs: number;
  maxTripMs: number;
}

export interface DemoTrip extends Omit<DemoTripRequest, 'incident'> {
  route: Route;
  /** The parcel reaches the creator's address. */
  arrivalAtMs: number;
  /** The carrier's scans: picked up at the warehouse, out for delivery, delivered at the door. */
  carrier: { pickedUpAtMs: number; outForDeliveryAtMs: number; deliveredAtMs: number };
  /** The creator opens the box. */
  openAtMs: number;
  /** The last reading: the tracker is switched off once the box has been open a little while. */
  endAtMs: number;
  incident: DemoIncident | null;
  /** Windows in which the tracker measures nothing. */
  offline: { fromMs: number; toMs: number }[];
}

/**
 * Plans a trip: a seeded route short enough to fit [minTripMs, maxTripMs] (the first few
 * candidates that fit; regional routes, since the platform accepts ts at most 24 h ahead
 * and the demo's clock runs ahead of the wall clock), the creator opening the box 20–90 min
 * after delivery, and the incident placed where it happens in real life.
 */
export function planDemoTrip(req: DemoTripRequest): DemoTrip {
  for (let attempt = 0; attempt < 500; attempt++) {
    const route = planRoute({ seed: hashSeed(req.seed, `demo-route-${attempt}`) });
    const rng = rngFor(req.seed, `demo-trip-${attempt}`);
    const at = (s: number) => req.startAtMs + Math.round(s * 1000);
    const arrivalAtMs = at(route.deliveredAtS);
    const openAtMs = arrivalAtMs + Math.round(rng.range(20, 90) * MIN);
    const endAtMs = openAtMs + 2 * req.intervalS * 1000;
    if (endAtMs - req.startAtMs < req.minTripMs || endAtMs - req.startAtMs > req.maxTripMs) continue;
    const seg = (stage: Segment['stage']) => route.segments.find((s) => s.stage === stage);
    const lineHaul = route.segments.filter((s) => s.stage === 'line-haul').at(-1)!;
    const station = seg('delivery-station')!;
    const outForDelivery = seg('out-for-delivery')!;
    const incident = req.incident ? placeIncident(req.incident, { at, lineHaul, station, arrivalAtMs }) : null;
    if (incident === undefined) continue;
    return {
      seed: req.seed,
      startAtMs: req.startAtMs,
      packaging: req.packaging,
      intervalS: req.intervalS,
      minTripMs: req.minTripMs,
      maxTripMs: req.maxTripMs,
      route,
      arrivalAtMs,
      openAtMs,
      endAtMs,
      incident,
      carrier: {
        pickedUpAtMs: at(route.segments[2]!.startS),
        outForDeliveryAtMs: at(outForDelivery.startS),
        deliveredAtMs: arrivalAtMs + MIN,
      },
      offline: incident?.kind === 'silent' ? [{ fromMs: incident.fromMs, toMs: incident.toMs }] : [],
    };
  }
  throw new Error(`no route of ${req.minTripMs / 3_600_000}–${req.maxTripMs / 3_600_000} h for seed ${req.seed}`);
}

/** Where each incident happens on the way; undefined when this route has no room for it. */
function placeIncident(
  kind: DemoIncidentKind,
  r: { at: (s: number) => number; lineHaul: Segment; station: Segment; arrivalAtMs: number },
): DemoIncident | undefined {
  let incident: DemoIncident;
  switch (kind) {
    case 'hot-truck': {
      // The loaded trailer waits 45 min in the sun at the yard before it leaves.
      const fromMs = r.at(r.lineHaul.startS);
      incident = { kind, fromMs, toMs: fromMs + 45 * MIN, peak: 34 };
      break;
    }
    case 'warm-dock': {
      // Unloaded at the delivery station and left on the dock, out of the cooler, for an hour.
      const fromMs = r.at(r.station.startS) + 20 * MIN;
      incident = { kind, fromMs, toMs: fromMs + 60 * MIN, peak: 13 };
      if (r.station.durationS * 1000 < 100 * MIN) return undefined;
      break;
    }
    case 'hard-drop': {
      // Falls off the conveyor at the delivery station.
      const fromMs = r.at(r.station.startS) + 12 * MIN + 17_000;
      incident = { kind, fromMs, toMs: fromMs, peak: 14 };
      break;
    }
    case 'silent': {
      // The tracker's modem hangs on the highway and comes back 2.5 h later.
      const fromMs = r.at(r.lineHaul.startS) + 30 * MIN;
      incident = { kind, fromMs, toMs: fromMs + 150 * MIN };
      break;
    }
  }
  // Over before the parcel reaches the door, so the rest of the trip is clean again.
  return incident.toMs + 30 * MIN < r.arrivalAtMs ? incident : undefined;
}

/** Puts the trip's planned events into a tracker's physics (before its first reading). */
export function armDemoTrip(model: ConditionModel, trip: DemoTrip): void {
  model.openBox(trip.openAtMs);
  const i = trip.incident;
  if (!i) return;
  if (i.kind === 'hot-truck' || i.kind === 'warm-dock')
    model.heatExcursion(i.fromMs, i.peak!, (i.toMs - i.fromMs) / MIN);
  // It lands flat: the drop is the incident, not a parcel left on its side.
  if (i.kind === 'hard-drop') model.addShock(i.fromMs, i.peak!, 3);
}

/** The readings a trip's tracker takes, first to last, each with where the parcel truly was. */
export function demoTripReadings(trip: DemoTrip, firstSeq = 0): { reading: SimReading; phase: Phase }[] {
  const gen = new ReadingGenerator({
    seed: trip.seed,
    route: trip.route,
    profile: trip.packaging,
    startAtMs: trip.startAtMs,
    firstSeq,
    tsFormat: 'epoch-ms',
    upright: true,
    offline: trip.offline,
  });
  armDemoTrip(gen.model, trip);
  const out: { reading: SimReading; phase: Phase }[] = [];
  let last: number | undefined;
  for (let at = trip.startAtMs; at <= trip.endAtMs; at += trip.intervalS * 1000) {
    for (const reading of gen.readingsUpTo(last, at, DEFAULT_THRESHOLDS, true)) {
      out.push({ reading, phase: positionAt(trip.route, ((reading.ts as number) - trip.startAtMs) / 1000).phase });
    }
    last = at;
  }
  return out;
}

/** Regular readings in a trip (first to last), for a tracker on the fast clock. */
export function demoTripTicks(trip: DemoTrip): number {
  return Math.floor((trip.endAtMs - trip.startAtMs) / (trip.intervalS * 1000)) + 1;
}
