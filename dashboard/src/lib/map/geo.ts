import type { Feature, LineString, Polygon } from 'geojson';

/** [west, south, east, north] in degrees. */
export type Bounds = [number, number, number, number];

const EARTH_RADIUS_M = 6_371_008.8;

/**
 * A geofence as a polygon: the points `radiusM` away from its centre along great circles.
 * The platform judges geofences by great-circle distance (haversine), so the drawn ring is
 * the one the rules use, not a circle of constant screen size.
 */
export function circlePolygon(lat: number, lon: number, radiusM: number, steps = 64): Polygon {
  const d = radiusM / EARTH_RADIUS_M;
  const φ1 = (lat * Math.PI) / 180;
  const λ1 = (lon * Math.PI) / 180;
  const ring: [number, number][] = [];
  for (let i = 0; i <= steps; i++) {
    const θ = ((i % steps) / steps) * 2 * Math.PI;
    const φ2 = Math.asin(Math.sin(φ1) * Math.cos(d) + Math.cos(φ1) * Math.sin(d) * Math.cos(θ));
    const λ2 = λ1 + Math.atan2(Math.sin(θ) * Math.sin(d) * Math.cos(φ1), Math.cos(d) - Math.sin(φ1) * Math.sin(φ2));
    ring.push([(((λ2 * 180) / Math.PI + 540) % 360) - 180, (φ2 * 180) / Math.PI]);
  }
  return { type: 'Polygon', coordinates: [ring] };
}

/** The smallest box around the points ([lon, lat] pairs), or null for none. */
export function boundsOf(points: Iterable<readonly [number, number]>): Bounds | null {
  let b: Bounds | null = null;
  for (const [lon, lat] of points) {
    if (!b) b = [lon, lat, lon, lat];
    else b = [Math.min(b[0], lon), Math.min(b[1], lat), Math.max(b[2], lon), Math.max(b[3], lat)];
  }
  return b;
}

export interface Fix {
  ts: string;
  lat: number | null;
  lon: number | null;
}

export interface Excursion {
  id: number;
  severity: string;
  type: string;
  startedAt: string;
  /** null while the excursion is ongoing: it runs to the newest fix. */
  endedAt: string | null;
}

export interface RouteSegmentProps {
  /** 'route', or the severity of the excursion the readings of this stretch belong to. */
  kind: 'route' | 'info' | 'warning' | 'critical';
  exceptionId: number | null;
  exceptionType: string | null;
  /** Fixes of this stretch (its first coordinate may be the previous stretch's last). */
  points: number;
}

const SEVERITY_RANK: Record<string, number> = { info: 1, warning: 2, critical: 3 };

/**
 * The route split into stretches, each one plain route or inside an excursion (by event
 * time: a fix with `ts` in [startedAt, endedAt] belongs to it). Where excursions overlap the
 * most severe one colours the stretch. Consecutive stretches share their boundary fix, so
 * the line has no gaps. Fixes without a position are skipped; `fixes` must be in `ts` order.
 */
export function routeSegments(
  fixes: readonly Fix[],
  excursions: readonly Excursion[],
): Feature<LineString, RouteSegmentProps>[] {
  const spans = excursions.map((e) => ({
    e,
    from: Date.parse(e.startedAt),
    to: e.endedAt === null ? Infinity : Date.parse(e.endedAt),
  }));
  const out: Feature<LineString, RouteSegmentProps>[] = [];
  let current: { key: Excursion | null; coords: [number, number][]; own: number } | null = null;
  let last: [number, number] | null = null;
  for (const fix of fixes) {
    if (fix.lat === null || fix.lon === null) continue;
    const t = Date.parse(fix.ts);
    let key: Excursion | null = null;
    for (const s of spans) {
      if (t >= s.from && t <= s.to && (!key || (SEVERITY_RANK[s.e.severity] ?? 0) > (SEVERITY_RANK[key.severity] ?? 0)))
        key = s.e;
    }
    const xy: [number, number] = [fix.lon, fix.lat];
    if (!current || current.key !== key) {
      if (current) out.push(segment(current.key, current.coords, current.own));
      current = { key, coords: last ? [last] : [], own: 0 };
    }
    current.coords.push(xy);
    current.own += 1;
    last = xy;
  }
  if (current) out.push(segment(current.key, current.coords, current.own));
  // A lone fix is no line: keep it as a zero-length one so it still counts and can be styled.
  return out.map((f) =>
    f.geometry.coordinates.length === 1
      ? { ...f, geometry: { ...f.geometry, coordinates: [f.geometry.coordinates[0]!, f.geometry.coordinates[0]!] } }
      : f,
  );
}

function segment(e: Excursion | null, coords: [number, number][], own: number): Feature<LineString, RouteSegmentProps> {
  const kind = e ? ((SEVERITY_RANK[e.severity] ? e.severity : 'warning') as RouteSegmentProps['kind']) : 'route';
  return {
    type: 'Feature',
    geometry: { type: 'LineString', coordinates: coords },
    properties: { kind, exceptionId: e?.id ?? null, exceptionType: e?.type ?? null, points: own },
  };
}
