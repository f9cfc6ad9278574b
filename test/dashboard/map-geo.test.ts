import { describe, expect, it } from 'vitest';
import { boundsOf, circlePolygon, routeSegments, type Excursion, type Fix } from '../../dashboard/src/lib/map/geo.ts';

// The route map's pure geometry (dashboard/src/lib/map/geo.ts): which stretch of a trip is
// drawn as an excursion, and where a geofence's ring lies.

const T0 = Date.parse('2026-03-01T10:00:00Z');
const fix = (minute: number, lat: number | null = 40, lon: number | null = -100 + minute * 0.01): Fix => ({
  ts: new Date(T0 + minute * 60_000).toISOString(),
  lat,
  lon,
});
const excursion = (id: number, severity: string, from: number, to: number | null): Excursion => ({
  id,
  severity,
  type: 'too_hot',
  startedAt: new Date(T0 + from * 60_000).toISOString(),
  endedAt: to === null ? null : new Date(T0 + to * 60_000).toISOString(),
});

function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = (d: number) => (d * Math.PI) / 180;
  const a =
    Math.sin(r(lat2 - lat1) / 2) ** 2 + Math.cos(r(lat1)) * Math.cos(r(lat2)) * Math.sin(r(lon2 - lon1) / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(a));
}

describe('routeSegments', () => {
  it('colours the fixes inside an excursion by event time, and joins the stretches without a gap', () => {
    const fixes = Array.from({ length: 10 }, (_, i) => fix(i * 10));
    const segments = routeSegments(fixes, [excursion(7, 'critical', 30, 60)]);
    expect(segments.map((s) => [s.properties.kind, s.properties.points, s.properties.exceptionId])).toEqual([
      ['route', 3, null],
      ['critical', 4, 7],
      ['route', 3, null],
    ]);
    // Each stretch starts where the previous one ended.
    expect(segments[1]!.geometry.coordinates[0]).toEqual(segments[0]!.geometry.coordinates.at(-1));
    expect(segments[2]!.geometry.coordinates[0]).toEqual(segments[1]!.geometry.coordinates.at(-1));
    expect(segments.reduce((n, s) => n + s.properties.points, 0)).toBe(10);
  });

  it('runs an ongoing excursion to the newest fix, lets the most severe of overlapping ones win, and skips fixes without a position', () => {
    const fixes = [fix(0), fix(10), fix(20, null, null), fix(30), fix(40), fix(50)];
    const segments = routeSegments(fixes, [excursion(1, 'warning', 10, null), excursion(2, 'critical', 30, 40)]);
    expect(segments.map((s) => [s.properties.kind, s.properties.points])).toEqual([
      ['route', 1],
      ['warning', 1],
      ['critical', 2],
      ['warning', 1],
    ]);
  });

  it('draws a trip with no excursion as one plain stretch, and a single fix as a point-long line', () => {
    expect(routeSegments([fix(0), fix(5), fix(9)], []).map((s) => s.properties.kind)).toEqual(['route']);
    const [one] = routeSegments([fix(0)], []);
    expect(one!.geometry.coordinates).toHaveLength(2);
    expect(routeSegments([], [excursion(1, 'critical', 0, 5)])).toEqual([]);
  });
});

describe('circlePolygon', () => {
  it('puts every vertex of a geofence at its radius (great-circle distance, as the rules measure it)', () => {
    for (const [lat, lon, radius] of [
      [41.26, -95.94, 300],
      [64.1, -21.9, 2000],
      [-33.9, 151.2, 50_000],
    ] as const) {
      const ring = circlePolygon(lat, lon, radius).coordinates[0]!;
      expect(ring[0]).toEqual(ring.at(-1));
      for (const [vLon, vLat] of ring) expect(haversineM(lat, lon, vLat!, vLon!)).toBeCloseTo(radius, 0);
    }
  });

  it('keeps longitudes in range across the antimeridian', () => {
    const ring = circlePolygon(0, 179.999, 5000).coordinates[0]!;
    expect(ring.every(([lon]) => lon! >= -180 && lon! <= 180)).toBe(true);
  });
});

describe('boundsOf', () => {
  it('is the box around the points, or null for none', () => {
    expect(
      boundsOf([
        [-100, 40],
        [-90, 38],
        [-95, 45],
      ]),
    ).toEqual([-100, 38, -90, 45]);
    expect(boundsOf([])).toBeNull();
  });
});
