import { describe, expect, it } from 'vitest';
import { distanceKm } from './geo.ts';
import { CREATOR_CITIES, WAREHOUSES } from './places.ts';
import { LAST_MILE_KMH, LINE_HAUL_KMH, planRoute, positionAt, type Route } from './routes.ts';

const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);
/** Continental US, with a margin. */
const inContinentalUs = (p: { lat: number; lon: number }): boolean =>
  p.lat > 24 && p.lat < 50 && p.lon > -125 && p.lon < -66;

function samples(route: Route, stepS: number) {
  const out = [];
  for (let t = 0; t <= route.deliveredAtS + 6 * 3600; t += stepS) out.push({ t, ...positionAt(route, t) });
  return out;
}

describe('geo', () => {
  it('measures Los Angeles to New York at about 3,940 km', () => {
    expect(distanceKm({ lat: 34.0522, lon: -118.2437 }, { lat: 40.7128, lon: -74.006 })).toBeCloseTo(3936, -1);
  });
});

describe('planRoute', () => {
  it('is deterministic for a seed, and seeds differ', () => {
    expect(planRoute({ seed: 42 })).toEqual(planRoute({ seed: 42 }));
    const destinations = new Set(SEEDS.map((seed) => planRoute({ seed }).destination.name));
    expect(destinations.size).toBeGreaterThan(15);
  });

  it('starts at a warehouse and ends at an address near a creator city', () => {
    for (const seed of SEEDS) {
      const r = planRoute({ seed });
      expect(WAREHOUSES).toContainEqual(r.origin);
      const city = CREATOR_CITIES.find((c) => r.destination.name.endsWith(c.name));
      expect(city, r.destination.name).toBeDefined();
      expect(distanceKm(r.destination, city!)).toBeLessThanOrEqual(12.5);
    }
  });

  it('honours an explicit origin and destination, and refuses unknown names', () => {
    const r = planRoute({ seed: 3, origin: 'Newark', destination: 'Seattle' });
    expect(r.origin.name).toContain('Newark');
    expect(r.destination.name).toContain('Seattle');
    // Coast to coast goes through several hubs and takes days, not hours.
    expect(r.waypoints.length).toBeGreaterThanOrEqual(6);
    expect(r.deliveredAtS / 3600).toBeGreaterThan(48);
    expect(() => planRoute({ seed: 3, origin: 'Atlantis' })).toThrow(/unknown warehouse/);
  });

  it('goes via plausible hubs: not much longer than the straight line', () => {
    for (const seed of SEEDS) {
      const r = planRoute({ seed });
      const direct = distanceKm(r.origin, r.destination);
      expect(r.totalKm).toBeGreaterThanOrEqual(direct - 1e-6);
      expect(r.totalKm).toBeLessThanOrEqual(1.45 * direct + 40);
      for (const w of r.waypoints) expect(inContinentalUs(w), w.name).toBe(true);
    }
  });

  it('moves at ground speeds and dwells at a sort hub or delivery station', () => {
    for (const seed of SEEDS) {
      const r = planRoute({ seed });
      for (const s of r.segments.filter((s) => s.distanceKm > 0)) {
        const band = s.stage === 'out-for-delivery' ? LAST_MILE_KMH : LINE_HAUL_KMH;
        const kmh = s.distanceKm / (s.durationS / 3600);
        // Durations are whole seconds with a 1-minute floor (a depot next door), hence the exemption.
        if (s.durationS > 60) expect(kmh).toBeGreaterThanOrEqual(band[0] * 0.99);
        expect(kmh).toBeLessThanOrEqual(band[1] * 1.01);
      }
      expect(r.segments.some((s) => s.stage === 'delivery-station' && s.durationS >= 2 * 3600)).toBe(true);
      if (r.waypoints.length > 3) expect(r.segments.some((s) => s.stage === 'sort-hub')).toBe(true);
    }
  });
});

describe('positionAt', () => {
  it('progresses monotonically from origin to the destination, then stays there', () => {
    for (const seed of SEEDS) {
      const r = planRoute({ seed });
      const s = samples(r, 300);
      expect(s[0]).toMatchObject({
        lat: r.origin.lat,
        lon: r.origin.lon,
        phase: 'origin',
        stage: 'packing',
        progress: 0,
      });
      for (let i = 1; i < s.length; i++) {
        expect(s[i]!.travelledKm).toBeGreaterThanOrEqual(s[i - 1]!.travelledKm);
        expect(s[i]!.segmentIndex).toBeGreaterThanOrEqual(s[i - 1]!.segmentIndex);
      }
      const end = positionAt(r, r.deliveredAtS);
      expect(end).toMatchObject({ phase: 'destination', stage: 'delivered', moving: false });
      expect(end.progress).toBeCloseTo(1, 9);
      expect(distanceKm(end, r.destination)).toBeLessThan(0.01);
      expect(positionAt(r, r.deliveredAtS + 10 * 86400)).toEqual(end);
    }
  });

  it('never jumps: consecutive positions are at most a fast truck apart', () => {
    for (const seed of SEEDS) {
      const s = samples(planRoute({ seed }), 300);
      for (let i = 1; i < s.length; i++) {
        const km = distanceKm(s[i - 1]!, s[i]!);
        expect(km).toBeLessThanOrEqual((LINE_HAUL_KMH[1] * 300) / 3600 + 0.05);
        expect(inContinentalUs(s[i]!)).toBe(true);
      }
    }
  });

  it('reports the phases in order: origin, in transit, destination', () => {
    const s = samples(planRoute({ seed: 11 }), 600);
    const phases = s.map((p) => p.phase).filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual(['origin', 'in-transit', 'destination']);
  });
});
