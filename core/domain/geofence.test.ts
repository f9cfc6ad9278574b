import { describe, expect, it } from 'vitest';
import { distanceM, fillGeofences, stageByGeofence } from './geofence.ts';

const LA = { lat: 34.0522, lon: -118.2437 };
const NYC = { lat: 40.7128, lon: -74.006 };
const r = (lat?: number, lon?: number, accM?: number) => ({
  deviceId: 'trk-1',
  seq: 1,
  ts: 0,
  receivedAt: 0,
  lat,
  lon,
  accM,
});

describe('geofences', () => {
  it('measures great-circle distance (LA–NYC ≈ 3,936 km)', () => {
    expect(distanceM(LA, NYC) / 1000).toBeCloseTo(3936, -1);
  });

  it('puts a reading at origin, destination or in transit', () => {
    const stage = stageByGeofence({ origin: LA, destination: NYC, radiusM: 300 });
    expect(stage(r(34.053, -118.2437))).toBe('origin'); // ~90 m away
    expect(stage(r(40.715, -74.006))).toBe('destination'); // ~245 m away
    expect(stage(r(39.0, -95.0))).toBe('in_transit');
    // No fix, no stage: the engine keeps the last known one (it used to say in transit, which flooded delivered parcels).
    expect(stage(r())).toBeNull();
  });

  it("widens the circle by the fix's accuracy, up to the radius", () => {
    const stage = stageByGeofence({ origin: null, destination: NYC, radiusM: 300 });
    expect(stage(r(40.7175, -74.006))).toBe('in_transit'); // ~520 m
    expect(stage(r(40.7175, -74.006, 250))).toBe('destination');
  });

  it('fills only the geofences nobody set, with the configured radius when none was set', () => {
    const configured = { origin: LA, destination: NYC, radiusM: 250 };
    expect(fillGeofences({ origin: null, destination: null, radiusM: 300 }, configured)).toEqual(configured);
    const home = { lat: 40, lon: -75 };
    // An explicit destination (and its radius) stays; the origin is filled in.
    expect(fillGeofences({ origin: null, destination: home, radiusM: 500 }, configured)).toEqual({
      origin: LA,
      destination: home,
      radiusM: 500,
    });
    expect(fillGeofences({ origin: LA, destination: home, radiusM: 500 }, configured)).toBeUndefined();
    expect(
      fillGeofences(
        { origin: null, destination: null, radiusM: 300 },
        { origin: null, destination: null, radiusM: 250 },
      ),
    ).toBeUndefined();
  });
});
