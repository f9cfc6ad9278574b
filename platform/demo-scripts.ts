import {
  CONDITION_PRESETS,
  resolveProfile,
  type ConditionProfile,
  type EpisodeType,
  type PresetName,
} from '../core/domain/condition/index.ts';
import { DEMO_PACKAGING, planDemoTrip, type DemoIncidentKind, type DemoTrip } from '../device-sim/demo-trips.ts';
import { hashSeed } from '../device-sim/prng.ts';

/**
 * What the demo fleet ships and what it scripts, pure (no I/O): the demo fleet runs it,
 * the soak reads what it recorded, and a test judges it with the condition rules.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * The demo's clock: readings are 5 simulated minutes apart (the protocol's usual lower
 * bound) and go out every DEMO_INTERVAL_S of wall time, so the compression is
 * 300 s / DEMO_INTERVAL_S (150× by default: a 20 h trip plays in 8 minutes).
 */
export const DEMO_READING_INTERVAL_S = 300;
/**
 * Trips run 4–20 h of event time. The demo's event time runs ahead of the wall clock (a trip
 * starts now and plays faster), and the platform refuses readings over 24 h ahead.
 */
export const DEMO_MIN_TRIP_MS = 4 * HOUR;
export const DEMO_MAX_TRIP_MS = 20 * HOUR;
/** Packing takes up to 40 min (light in the open box is expected then): rules start after it. */
const PACKING_MS = 45 * MIN;

export interface DemoProduct {
  sku: string;
  name: string;
  cents: number;
  preset: PresetName | null;
  packaging: keyof typeof DEMO_PACKAGING;
  /** The incident scripted on every other trip of this product's first tracker slot, if any. */
  incident: DemoIncidentKind | null;
}

/** Demo products, what they tolerate, how they are packed, and what goes wrong with them. */
export const DEMO_PRODUCTS: readonly DemoProduct[] = [
  {
    sku: 'CHOC-70-BAR',
    name: 'Dark chocolate 70 %',
    cents: 450,
    preset: 'chocolate',
    packaging: 'chilled',
    incident: 'hot-truck',
  },
  {
    sku: 'SERUM-VITC-30ML',
    name: 'Vitamin C serum',
    cents: 2200,
    preset: 'cold-chain',
    packaging: 'chilled',
    incident: 'warm-dock',
  },
  {
    sku: 'EARBUDS-X2',
    name: 'Wireless earbuds',
    cents: 3900,
    preset: 'fragile',
    packaging: 'padded',
    incident: 'hard-drop',
  },
  { sku: 'MATCHA-TIN-100G', name: 'Matcha tin', cents: 900, preset: 'ambient', packaging: 'chilled', incident: null },
  {
    sku: 'PROTEIN-BAR-12',
    name: 'Protein bars, 12',
    cents: 1500,
    preset: null,
    packaging: 'padded',
    incident: 'silent',
  },
  {
    sku: 'CANDLE-GLASS-L',
    name: 'Candle in glass',
    cents: 1800,
    preset: 'fragile',
    packaging: 'padded',
    incident: null,
  },
];

/** The profile a demo product is created with (null: the platform's defaults). */
export function demoProfile(p: DemoProduct): ConditionProfile | null {
  return p.preset ? resolveProfile(CONDITION_PRESETS[p.preset], { ignoreAfterStartMs: PACKING_MS }) : null;
}

/** The product a fleet slot ships: slot i carries product i mod 6. */
export const productOfSlot = (slot: number): DemoProduct => DEMO_PRODUCTS[slot % DEMO_PRODUCTS.length]!;

/**
 * Which incident trip n of a slot carries: the first slot of each product with an
 * incident scripts it on its even trips (so a newcomer sees all four in the first round,
 * and a long run keeps seeing them); every other trip is clean.
 */
export function incidentOf(slot: number, trip: number): DemoIncidentKind | null {
  const product = productOfSlot(slot);
  return slot < DEMO_PRODUCTS.length && trip % 2 === 0 ? product.incident : null;
}

/** Trip n of a slot, starting at startAtMs. */
export function demoTrip(seed: number, slot: number, trip: number, startAtMs: number): DemoTrip {
  const incident = incidentOf(slot, trip);
  return planDemoTrip({
    seed: hashSeed(seed, `slot-${slot}-trip-${trip}`),
    startAtMs,
    packaging: DEMO_PACKAGING[productOfSlot(slot).packaging],
    intervalS: DEMO_READING_INTERVAL_S,
    ...(incident ? { incident } : {}),
    minTripMs: DEMO_MIN_TRIP_MS,
    maxTripMs: DEMO_MAX_TRIP_MS,
  });
}

/** The exception(s) the platform should raise for an incident, and the event-time window they start in. */
export interface ExpectedException {
  kind: DemoIncidentKind;
  /** Any of these types is this incident. */
  expect: EpisodeType[];
  from: number;
  to: number;
}

export function expectedException(trip: DemoTrip): ExpectedException | null {
  const i = trip.incident;
  if (!i) return null;
  const interval = trip.intervalS * 1000;
  switch (i.kind) {
    case 'hot-truck':
      // Chocolate: > 28 °C for 20 min; the 45 min stay short of its 60 min stability budget.
      return { kind: i.kind, expect: ['too_hot'], from: i.fromMs - interval, to: i.toMs + 30 * MIN };
    case 'warm-dock':
      // Cold chain: > 8 °C for 30 min, critical; an hour is short of its 120 min budget.
      return { kind: i.kind, expect: ['too_hot'], from: i.fromMs - interval, to: i.toMs + 30 * MIN };
    case 'hard-drop':
      return { kind: i.kind, expect: ['shock'], from: i.fromMs - MIN, to: i.toMs + MIN };
    case 'silent':
      // The silence starts at the last reading before the hang.
      return { kind: i.kind, expect: ['no_signal'], from: i.fromMs - 2 * interval, to: i.fromMs };
  }
}
