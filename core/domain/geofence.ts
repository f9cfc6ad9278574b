import type { Reading } from '../protocol/tracker-protocol.ts';
import type { Stage } from './condition/types.ts';

export interface LatLon {
  lat: number;
  lon: number;
}

export interface TripGeofences {
  origin: LatLon | null;
  destination: LatLon | null;
  radiusM: number;
}

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in metres (haversine; well within GPS accuracy at parcel scale). */
export function distanceM(a: LatLon, b: LatLon): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The stage a reading's own fix shows from the trip's two geofences: inside the origin
 * warehouse's circle → origin, inside the creator's → destination, anywhere else → in
 * transit. A fix's own accuracy widens the circle, so a coarse fix at the door still
 * counts. Without a fix it says nothing (null): the condition engine keeps the last known
 * stage in its event-time fold, instead of calling an unopened box indoors "in transit".
 */
export function stageByGeofence(g: TripGeofences): (r: Reading) => Stage | null {
  return (r) => {
    if (r.lat === undefined || r.lon === undefined) return null;
    const p = { lat: r.lat, lon: r.lon };
    const slack = Math.min(r.accM ?? 0, g.radiusM);
    if (g.destination && distanceM(p, g.destination) <= g.radiusM + slack) return 'destination';
    if (g.origin && distanceM(p, g.origin) <= g.radiusM + slack) return 'origin';
    return 'in_transit';
  };
}

/**
 * A trip's geofences once the configured ones are filled in: the origin warehouse and the
 * creator's address coordinates take the place of geofences nobody set; a geofence set
 * explicitly stays. The configured radius applies only when nothing was set before (an
 * explicit radius belongs to the explicit geofence). undefined when nothing changes.
 */
export function fillGeofences(current: TripGeofences, configured: TripGeofences): TripGeofences | undefined {
  const origin = current.origin ?? configured.origin;
  const destination = current.destination ?? configured.destination;
  if (origin === current.origin && destination === current.destination) return undefined;
  const radiusM = current.origin === null && current.destination === null ? configured.radiusM : current.radiusM;
  return { origin, destination, radiusM };
}
