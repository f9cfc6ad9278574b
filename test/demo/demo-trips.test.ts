import { describe, expect, it } from 'vitest';
import { ConditionProfileSchema, evaluateTrip, type Episode, type Stage } from '../../core/domain/condition/index.ts';
import type { Reading } from '../../core/protocol/tracker-protocol.ts';
import { demoTripReadings, type DemoTrip } from '../../device-sim/demo-trips.ts';
import {
  DEMO_PRODUCTS,
  DEMO_MAX_TRIP_MS,
  DEMO_MIN_TRIP_MS,
  demoProfile,
  demoTrip,
  expectedException,
  incidentOf,
  productOfSlot,
} from '../../platform/demo-scripts.ts';

/**
 * The demo's scripts, judged in memory by the pure condition rules with the stage the
 * parcel truly had (the simulator knows where it was), so the test is about the scripts,
 * not about how the platform infers the stage from geofences: clean trips raise nothing
 * above info, each scripted incident raises what it should, where it should.
 */

const SEED = 2026;
const SLOTS = 12;
const TRIPS = 3;
/** A winter night, a summer noon and a spring morning (the climate follows the date and the hour). */
const STARTS = [Date.UTC(2026, 11, 1, 21, 0), Date.UTC(2026, 6, 15, 18, 0), Date.UTC(2026, 3, 2, 9, 30)];
const HOUR = 3_600_000;

interface Judged {
  slot: number;
  n: number;
  trip: DemoTrip;
  episodes: Episode[];
  label: string;
}

function judge(slot: number, n: number, startAtMs: number): Judged {
  const trip = demoTrip(SEED, slot, n, startAtMs);
  const taken = demoTripReadings(trip);
  const stageOf = new Map<number, Stage>(
    taken.map(({ reading, phase }) => [reading.seq, phase === 'in-transit' ? 'in_transit' : phase]),
  );
  const readings: Reading[] = taken.map(({ reading: { ts, ...fields } }) => ({
    deviceId: 'trk-demo',
    ...fields,
    ts: ts as number,
    receivedAt: ts as number,
  }));
  const product = productOfSlot(slot);
  const profile = demoProfile(product) ?? ConditionProfileSchema.parse({});
  // The platform starts judging at the trip's first reading (the tracker switched on at packing).
  const { episodes } = evaluateTrip(readings, profile, {
    startedAt: trip.startAtMs,
    stageAt: (r) => stageOf.get(r.seq)!,
  });
  const label = `slot ${slot} trip ${n} ${product.sku} from ${new Date(startAtMs).toISOString()} ${trip.route.origin.name} → ${trip.route.destination.name}`;
  return { slot, n, trip, episodes, label };
}

const all: Judged[] = STARTS.flatMap((start) =>
  Array.from({ length: SLOTS }, (_, slot) => Array.from({ length: TRIPS }, (_, n) => judge(slot, n, start))).flat(),
);
const brief = (e: Episode) => `${e.type} ${e.severity} peak ${e.peak} at ${e.stage}`;

describe('demo trips', () => {
  it('are believable: 4–20 h of event time from a warehouse to a creator’s door, delivered, then opened there', () => {
    for (const { trip, label } of all) {
      const taken = demoTripReadings(trip);
      const span = trip.endAtMs - trip.startAtMs;
      expect(span, label).toBeGreaterThanOrEqual(DEMO_MIN_TRIP_MS);
      expect(span, label).toBeLessThanOrEqual(DEMO_MAX_TRIP_MS);
      // The platform refuses ts more than 24 h ahead; the demo's trip starts now and runs ahead.
      expect(taken.at(-1)!.reading.ts as number, label).toBeLessThan(trip.startAtMs + 24 * HOUR);
      expect(trip.route.origin.name, label).toMatch(/warehouse/);
      expect(trip.route.destination.name, label).toMatch(/^creator address/);
      expect(taken[0]!.phase, label).toBe('origin');
      expect(taken.at(-1)!.phase, label).toBe('destination');
      // The courier's delivery scan comes at the door, the creator opens the box after it.
      expect(trip.carrier.deliveredAtMs - trip.arrivalAtMs, label).toBeGreaterThanOrEqual(0);
      expect(trip.carrier.deliveredAtMs - trip.arrivalAtMs, label).toBeLessThanOrEqual(5 * 60_000);
      expect(trip.openAtMs, label).toBeGreaterThan(trip.carrier.deliveredAtMs);
      expect(
        taken.filter(({ reading }) => (reading.lightLux ?? 0) > 10 && (reading.ts as number) >= trip.openAtMs).length,
        label,
      ).toBeGreaterThan(0);
    }
  });

  it('that are clean raise no warning or critical episode, and show the box opened at the destination', () => {
    const clean = all.filter((j) => j.trip.incident === null);
    expect(clean.length).toBeGreaterThan(80);
    for (const { episodes, label } of clean) {
      expect(episodes.filter((e) => e.severity !== 'info').map(brief), label).toEqual([]);
      expect(
        episodes.map((e) => e.type),
        label,
      ).toEqual(['opened_at_destination']);
    }
  });

  it('that carry a scripted incident raise exactly the expected exception in its window, and nothing else above info', () => {
    const scripted = all.filter((j) => j.trip.incident !== null);
    // Four products carry an incident on every other trip of their first slot.
    expect(new Set(scripted.map((j) => j.trip.incident!.kind))).toEqual(
      new Set(['hot-truck', 'warm-dock', 'hard-drop', 'silent']),
    );
    for (const { trip, episodes, label } of scripted) {
      const expected = expectedException(trip)!;
      const raised = episodes.filter((e) => e.severity !== 'info');
      expect(raised.length, `${label}: ${raised.map(brief).join(', ')}`).toBeGreaterThan(0);
      for (const e of raised) {
        expect(expected.expect, `${label}: ${brief(e)}`).toContain(e.type);
        expect(e.start, `${label}: ${brief(e)}`).toBeGreaterThanOrEqual(expected.from);
        expect(e.start, `${label}: ${brief(e)}`).toBeLessThanOrEqual(expected.to);
        expect(e.stage, label).toBe('in_transit');
      }
      // One incident is one exception per rule.
      expect(new Set(raised.map((e) => e.rule)).size, label).toBe(raised.length);
    }
  });

  it('script each incident as its product’s profile grades it: critical for the serum and the earbuds, a warning for the chocolate', () => {
    const first = (kind: string) => all.find((j) => j.trip.incident?.kind === kind)!;
    expect(
      first('hot-truck')
        .episodes.filter((e) => e.severity !== 'info')
        .map((e) => `${e.type} ${e.severity}`),
    ).toEqual(['too_hot warning']);
    expect(
      first('warm-dock')
        .episodes.filter((e) => e.severity !== 'info')
        .map((e) => `${e.type} ${e.severity}`),
    ).toEqual(['too_hot critical']);
    expect(
      first('hard-drop')
        .episodes.filter((e) => e.severity !== 'info')
        .map((e) => `${e.type} ${e.severity} ${e.peak}`),
    ).toEqual(['shock critical 14']);
    const silent = first('silent').episodes.filter((e) => e.severity !== 'info');
    expect(silent.map((e) => `${e.type} ${e.severity}`)).toEqual(['no_signal warning']);
    expect(silent[0]!.durationMs).toBeGreaterThan(2 * HOUR);
  });

  it('schedule the incidents on the first slot of each product, on even trips only', () => {
    const kinds = DEMO_PRODUCTS.map((p) => p.incident);
    for (let slot = 0; slot < SLOTS; slot++) {
      for (let n = 0; n < 4; n++) {
        expect(incidentOf(slot, n), `slot ${slot} trip ${n}`).toBe(
          slot < DEMO_PRODUCTS.length && n % 2 === 0 ? kinds[slot] : null,
        );
      }
    }
  });
});
