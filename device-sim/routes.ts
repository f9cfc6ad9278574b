import { bearingDeg, destinationPoint, distanceKm, interpolate, round5, type LatLon } from './geo.ts';
import { CREATOR_CITIES, HIGHWAY_HUBS, WAREHOUSES, findPlace, type Place } from './places.ts';
import { rngFor, type Rng } from './prng.ts';

/**
 * A parcel's journey: warehouse → line-haul legs via highway hubs (one of them a sort hub
 * where it dwells) → a delivery station near the creator → out for delivery → delivered.
 * Everything is a function of the seed and of time since the parcel was packed.
 */

/** Where a parcel is in the sense the domain uses for alerts. */
export type Phase = 'origin' | 'in-transit' | 'destination';

export type Stage =
  | 'packing' // box open on the packing bench: light is expected
  | 'awaiting-pickup'
  | 'line-haul'
  | 'hub-stop' // short cross-dock or driver change
  | 'sort-hub'
  | 'delivery-station'
  | 'out-for-delivery'
  | 'delivered';

export interface Segment {
  stage: Stage;
  /** Seconds since packing began. */
  startS: number;
  durationS: number;
  from: Place;
  to: Place;
  /** Distance travelled along the route when the segment starts, km. */
  startKm: number;
  /** 0 for a dwell. */
  distanceKm: number;
  /** 0 for a dwell. */
  speedKmh: number;
}

export interface Route {
  seed: number;
  origin: Place;
  /** The creator's address (a point a few km from the city centre). */
  destination: Place;
  /** The polyline: origin, hubs, delivery station, destination. */
  waypoints: Place[];
  segments: Segment[];
  totalKm: number;
  /** Seconds since packing when the parcel reaches the address. */
  deliveredAtS: number;
}

export interface RoutePosition extends LatLon {
  phase: Phase;
  stage: Stage;
  /** Index into route.segments; changes mark a handling event (loading, unloading). */
  segmentIndex: number;
  moving: boolean;
  speedKmh: number;
  travelledKm: number;
  /** travelledKm / totalKm, 0 … 1. */
  progress: number;
}

export interface RouteRequest {
  seed: number;
  /** A Place or a name prefix from WAREHOUSES; random (seeded) when absent. */
  origin?: Place | string;
  /** A Place (used as the exact address) or a name prefix from CREATOR_CITIES. */
  destination?: Place | string;
}

/** Line-haul speed band while moving, km/h. */
export const LINE_HAUL_KMH: readonly [number, number] = [60, 90];
/** Last-mile van speed band, km/h (city streets). */
export const LAST_MILE_KMH: readonly [number, number] = [25, 45];

const MIN = 60;
const HOUR = 3600;
/** Legs longer than this get a hub in between when one lies near the way. */
const MAX_LEG_KM = 800;
/** A hub is "on the way" if going through it costs at most this much extra distance. */
const MAX_DETOUR = 1.2;

export function planRoute(req: RouteRequest): Route {
  const rng = rngFor(req.seed, 'route');
  const origin = resolve(req.origin, WAREHOUSES, rng, 'warehouse');
  const destination = resolveAddress(req.destination, rng);
  const station = deliveryStation(destination, origin, rng);
  const hubs = pickHubs(origin, station, rng);

  const segments: Segment[] = [];
  let t = 0;
  let km = 0;
  const dwell = (stage: Stage, at: Place, durationS: number): void => {
    segments.push({ stage, startS: t, durationS, from: at, to: at, startKm: km, distanceKm: 0, speedKmh: 0 });
    t += durationS;
  };
  const drive = (stage: Stage, from: Place, to: Place, band: readonly [number, number]): void => {
    const distance = distanceKm(from, to);
    const speedKmh = rng.range(band[0], band[1]);
    const durationS = Math.max(60, Math.round((distance / speedKmh) * HOUR));
    segments.push({ stage, startS: t, durationS, from, to, startKm: km, distanceKm: distance, speedKmh });
    t += durationS;
    km += distance;
  };

  dwell('packing', origin, Math.round(rng.range(20, 40) * MIN));
  dwell('awaiting-pickup', origin, Math.round(rng.range(30, 120) * MIN));
  // The sort hub is the middle hub: the long dwell happens mid-country, as with real carriers.
  const sortHubIndex = Math.floor((hubs.length - 1) / 2);
  let from = origin;
  hubs.forEach((hub, i) => {
    drive('line-haul', from, hub, LINE_HAUL_KMH);
    if (i === sortHubIndex) dwell('sort-hub', hub, Math.round(rng.range(1.5, 4) * HOUR));
    else dwell('hub-stop', hub, Math.round(rng.range(15, 45) * MIN));
    from = hub;
  });
  drive('line-haul', from, station, LINE_HAUL_KMH);
  dwell('delivery-station', station, Math.round(rng.range(2, 8) * HOUR));
  drive('out-for-delivery', station, destination, LAST_MILE_KMH);
  const deliveredAtS = t;
  // Open-ended: the parcel stays at the address.
  segments.push({
    stage: 'delivered',
    startS: t,
    durationS: Infinity,
    from: destination,
    to: destination,
    startKm: km,
    distanceKm: 0,
    speedKmh: 0,
  });

  return {
    seed: req.seed,
    origin,
    destination,
    waypoints: [origin, ...hubs, station, destination],
    segments,
    totalKm: km,
    deliveredAtS,
  };
}

/** Where the parcel is `elapsedS` seconds after packing began (clamped to the journey). */
export function positionAt(route: Route, elapsedS: number): RoutePosition {
  const t = Math.max(0, elapsedS);
  const segmentIndex = findSegment(route.segments, t);
  const seg = route.segments[segmentIndex] as Segment;
  const moving = seg.distanceKm > 0;
  const f = moving ? Math.min(1, (t - seg.startS) / seg.durationS) : 0;
  const at = moving ? interpolate(seg.from, seg.to, f) : seg.from;
  const travelledKm = seg.startKm + f * seg.distanceKm;
  return {
    lat: round5(at.lat),
    lon: round5(at.lon),
    phase: phaseOf(seg.stage),
    stage: seg.stage,
    segmentIndex,
    moving,
    speedKmh: moving ? seg.speedKmh : 0,
    travelledKm,
    progress: route.totalKm > 0 ? travelledKm / route.totalKm : 1,
  };
}

export function phaseOf(stage: Stage): Phase {
  if (stage === 'packing' || stage === 'awaiting-pickup') return 'origin';
  if (stage === 'delivered') return 'destination';
  return 'in-transit';
}

function findSegment(segments: readonly Segment[], t: number): number {
  // Binary search: fleets call this for every reading of every tracker.
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((segments[mid] as Segment).startS <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Greedy hub chain: from the current point, hop to a hub that is on the way
 * (small detour) and makes real progress, until the rest is one reasonable leg.
 */
function pickHubs(origin: Place, end: Place, rng: Rng): Place[] {
  const hubs: Place[] = [];
  let cur = origin;
  for (let guard = 0; guard < 12 && distanceKm(cur, end) > MAX_LEG_KM; guard++) {
    const remaining = distanceKm(cur, end);
    const candidates = HIGHWAY_HUBS.filter((h) => {
      const leg = distanceKm(cur, h);
      const left = distanceKm(h, end);
      return leg > 150 && leg < 1100 && left < remaining - 150 && (leg + left) / remaining <= MAX_DETOUR;
    });
    if (candidates.length === 0) break;
    // Prefer legs near a day's drive and low detour; the seed breaks near-ties.
    const score = (h: Place): number => {
      const leg = distanceKm(cur, h);
      const detour = (leg + distanceKm(h, end)) / remaining;
      return Math.abs(leg - 600) / 600 + 4 * (detour - 1) + rng.range(0, 0.15);
    };
    const best = candidates.map((h) => ({ h, s: score(h) })).sort((a, b) => a.s - b.s)[0];
    if (!best) break;
    hubs.push(best.h);
    cur = best.h;
  }
  return hubs;
}

function resolve(p: Place | string | undefined, list: readonly Place[], rng: Rng, what: string): Place {
  if (typeof p === 'object') return p;
  if (p === undefined) return rng.pick(list);
  const found = findPlace(list, p);
  if (!found) throw new Error(`unknown ${what} "${p}"; known: ${list.map((x) => x.name).join(', ')}`);
  return found;
}

/** A named city becomes an address 1–12 km from its centre; an explicit Place is used as is. */
function resolveAddress(p: Place | string | undefined, rng: Rng): Place {
  if (typeof p === 'object') return p;
  const city = resolve(p, CREATOR_CITIES, rng, 'creator city');
  const at = destinationPoint(city, rng.range(0, 360), rng.range(1, 12));
  return { name: `creator address, ${city.name}`, lat: round5(at.lat), lon: round5(at.lon) };
}

/** The last-mile depot, 6–18 km from the address, roughly towards where the truck comes from. */
function deliveryStation(address: Place, origin: Place, rng: Rng): Place {
  const towardsOrigin = bearingDeg(address, origin);
  const at = destinationPoint(address, towardsOrigin + rng.range(-60, 60), rng.range(6, 18));
  return {
    name: `delivery station near ${address.name.replace(/^creator address, /, '')}`,
    lat: round5(at.lat),
    lon: round5(at.lon),
  };
}
