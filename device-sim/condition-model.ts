import { surroundingsTempC } from './climate.ts';
import type { ParcelProfile } from './profiles.ts';
import { rngFor, type Rng } from './prng.ts';
import { positionAt, type Route, type RoutePosition, type Stage } from './routes.ts';

/**
 * The physical state of one parcel and its tracker's sensors over time. Incidents
 * (knocks at loading/unloading, potholes, the box being opened) are planned up front from
 * the seed, so the same seed gives the same trip however often it is sampled.
 */

export interface Thresholds {
  shockThresholdG: number;
  lightThresholdLux: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { shockThresholdG: 2.5, lightThresholdLux: 10 };

export interface Conditions {
  position: RoutePosition;
  /** Absent when the GNSS has no fix. */
  fix?: { lat: number; lon: number; accM: number };
  tempC: number;
  humidityPct: number;
  shockG: number;
  tiltDeg: number;
  lightLux: number;
  batteryPct: number;
  /** Absent out of coverage. */
  rssiDbm?: number;
}

/** A shock may leave the parcel at a new angle (tiltDeg) or as it was (undefined). */
type Incident = { atMs: number; kind: 'shock'; g: number; tiltDeg?: number } | { atMs: number; kind: 'open' };

interface Excursion {
  startMs: number;
  endMs: number;
  peakC: number;
}

export interface ConditionModelOptions {
  seed: number;
  route: Route;
  profile: ParcelProfile;
  /** Epoch ms when packing began (journey second 0). */
  startAtMs: number;
  /**
   * The trip (movement, handling, the box being opened) runs this many times faster than
   * ts; condition physics (temperature, heat excursions) always runs on ts.
   */
  timeScale: number;
  /**
   * "This side up" parcels: handlers put them down upright every time (tilt 0–10°), where
   * an unmarked box sometimes ends up on its side or upside down. Default false.
   */
  upright?: boolean;
}

/** Stages where a parcel is picked up and put down by people or conveyors. */
const HANDLED: ReadonlySet<Stage> = new Set(['awaiting-pickup', 'sort-hub', 'delivery-station', 'delivered']);
const HOUR_MS = 3_600_000;
/** Battery cost of one measure-and-transmit cycle, and of an hour asleep, %. */
const BATTERY_PER_READING = 0.012;
const BATTERY_PER_HOUR = 0.02;

export class ConditionModel {
  private readonly noise: Rng;
  private readonly incidents: Incident[] = [];
  private readonly excursions: Excursion[] = [];
  private lastMs: number | undefined;
  private insideC: number | undefined;
  private coolant: number;
  private readonly rhBase: number;
  private readonly roomLux: number;
  private tilt: number;
  private battery: number;
  private rssi: number;
  private boxOpen = false;

  constructor(private readonly o: ConditionModelOptions) {
    this.noise = rngFor(o.seed, 'sensor-noise');
    const init = rngFor(o.seed, 'sensor-init');
    this.coolant = o.profile.coolantCapacity;
    this.insideC = typeof o.profile.startTempC === 'number' ? o.profile.startTempC : undefined;
    this.rhBase = init.range(40, 58);
    this.roomLux = init.range(80, 600);
    this.tilt = init.range(0, 6);
    this.battery = init.range(86, 100);
    this.rssi = init.range(-95, -75);
    this.planIncidents(rngFor(o.seed, 'incidents'));
  }

  /** The ts (epoch ms, whole: the protocol's epoch-ms ts is an integer) of a journey second. */
  tsOf(journeyS: number): number {
    return Math.round(this.o.startAtMs + (journeyS * 1000) / this.o.timeScale);
  }

  journeyS(tsMs: number): number {
    return ((tsMs - this.o.startAtMs) / 1000) * this.o.timeScale;
  }

  get batteryPct(): number {
    return round(this.battery, 1);
  }

  /**
   * The first incident strictly between two readings that firmware would report at once
   * (a shock at or over the threshold, the box opening), or undefined.
   */
  nextAlarm(afterMs: number, beforeMs: number, t: Thresholds): number | undefined {
    for (const i of this.incidents) {
      if (i.atMs <= afterMs) continue;
      if (i.atMs >= beforeMs) return undefined;
      if (i.kind === 'shock' && i.g >= t.shockThresholdG) return i.atMs;
      if (i.kind === 'open' && !this.boxOpen && this.roomLux >= t.lightThresholdLux) return i.atMs;
    }
    return undefined;
  }

  addShock(atMs: number, g: number, tiltDeg = this.noise.range(0, 180)): void {
    this.insertIncident({ atMs, kind: 'shock', g, tiltDeg });
  }

  openBox(atMs: number): void {
    this.insertIncident({ atMs, kind: 'open' });
  }

  /** Heat rises to peakC within minutes, holds for durationMin, then falls back as fast. */
  heatExcursion(atMs: number, peakC: number, durationMin: number): void {
    this.excursions.push({ startMs: atMs, endMs: atMs + durationMin * 60_000, peakC });
  }

  /** Measures every sensor at atMs (not before the previous sample) and advances the state. */
  sample(atMs: number, inCoverage: boolean): Conditions {
    const dtH = this.lastMs === undefined ? 0 : Math.max(0, atMs - this.lastMs) / HOUR_MS;
    this.lastMs = atMs;
    const position = positionAt(this.o.route, this.journeyS(atMs));

    let peakG = 0;
    while (this.incidents.length > 0 && (this.incidents[0] as Incident).atMs <= atMs) {
      const i = this.incidents.shift() as Incident;
      if (i.kind === 'open') this.boxOpen = true;
      else {
        peakG = Math.max(peakG, i.g);
        if (i.tiltDeg !== undefined) this.tilt = i.tiltDeg;
      }
    }
    const vibration = position.moving
      ? 0.1 + Math.abs(this.noise.normal(0, 0.1))
      : 0.01 + Math.abs(this.noise.normal(0, 0.015));
    if (position.moving) this.tilt += this.noise.normal(0, 0.4);
    this.tilt = clamp(this.tilt, 0, 180);

    const tempC = this.temperature(position, atMs, dtH);
    const light =
      position.stage === 'packing'
        ? this.noise.range(250, 550)
        : this.boxOpen
          ? this.roomLux * this.noise.range(0.85, 1.15)
          : 0;
    const rhTarget = this.boxOpen ? 45 : this.rhBase + 0.8 * (12 - tempC);

    this.battery = Math.max(0, this.battery - BATTERY_PER_READING - BATTERY_PER_HOUR * dtH);
    const rssiTarget = position.moving ? -97 : -85;
    this.rssi = clamp(this.rssi + 0.3 * (rssiTarget - this.rssi) + this.noise.normal(0, 2.5), -120, -55);

    return {
      position,
      ...this.fix(position),
      tempC,
      humidityPct: round(clamp(rhTarget + this.noise.normal(0, 0.4), 1, 99), 1),
      shockG: round(Math.max(vibration, peakG), 2),
      tiltDeg: round(this.tilt, 1),
      lightLux: round(light, 0),
      batteryPct: this.batteryPct,
      ...(inCoverage ? { rssiDbm: Math.round(this.rssi) } : {}),
    };
  }

  private temperature(position: RoutePosition, atMs: number, dtH: number): number {
    const around = surroundingsTempC(position.stage, position, atMs);
    let inside = this.insideC ?? around;
    const p = this.o.profile;
    if (this.boxOpen) {
      inside += (around - inside) * (1 - Math.exp(-dtH / 0.3));
    } else if (this.coolant > 0) {
      // Gel packs absorb the heat leaking in and hold the inside near their melting point,
      // creeping up ~2 °C as they melt; the leak is what drains them.
      this.coolant -= (Math.max(0, around - inside) / p.insulationTauH) * dtH;
      const target = p.coolantTempC + 2 * (1 - Math.max(0, this.coolant) / p.coolantCapacity);
      inside += (target - inside) * (1 - Math.exp(-dtH / 0.5));
    } else {
      inside += (around - inside) * (1 - Math.exp(-dtH / p.insulationTauH));
    }
    this.insideC = inside;
    const measured = inside + this.excursionOverlay(inside, atMs) + this.noise.normal(0, 0.05);
    return round(clamp(measured, -80, 100), 1);
  }

  private excursionOverlay(inside: number, atMs: number): number {
    let overlay = 0;
    for (const e of this.excursions) {
      // Ramp of at most 10 min (a quarter of short excursions), so time at peak ≈ durationMin.
      const ramp = Math.min(10 * 60_000, (e.endMs - e.startMs) / 4);
      let w = 0;
      if (atMs >= e.startMs && atMs < e.startMs + ramp) w = (atMs - e.startMs) / ramp;
      else if (atMs >= e.startMs + ramp && atMs <= e.endMs) w = 1;
      else if (atMs > e.endMs && atMs < e.endMs + ramp) w = 1 - (atMs - e.endMs) / ramp;
      overlay = Math.max(overlay, w * (e.peakC - inside));
    }
    return overlay;
  }

  private fix(position: RoutePosition): Pick<Conditions, 'fix'> {
    // Moving trailers see the sky through a fibreglass roof; parcels inside buildings often do not.
    const [pFix, accMin, accMax] = position.moving ? [0.97, 4, 20] : [0.85, 15, 70];
    if (!this.noise.chance(pFix)) return {};
    const accM = round(this.noise.range(accMin, accMax), 0);
    const dLat = this.noise.normal(0, accM / 2) / 111_320;
    const dLon = this.noise.normal(0, accM / 2) / (111_320 * Math.cos((position.lat * Math.PI) / 180));
    return { fix: { lat: round(position.lat + dLat, 5), lon: round(position.lon + dLon, 5), accM } };
  }

  private planIncidents(rng: Rng): void {
    const { route, profile } = this.o;
    route.segments.forEach((seg, i) => {
      const prev = route.segments[i - 1];
      if (prev && (HANDLED.has(seg.stage) || HANDLED.has(prev.stage))) {
        const g = handlingG(rng);
        const tilt = restingTilt(rng);
        this.insertIncident({
          atMs: this.tsOf(seg.startS),
          kind: 'shock',
          g,
          tiltDeg: this.o.upright ? tilt % 10 : tilt,
        });
      }
      if (seg.stage === 'line-haul') {
        // Potholes and hard braking: a Poisson process, about one noticeable jolt per 4 h.
        for (
          let t = seg.startS + expSample(rng, 4 * 3600);
          t < seg.startS + seg.durationS;
          t += expSample(rng, 4 * 3600)
        ) {
          const g = rng.chance(0.05) ? rng.range(2.5, 4) : rng.range(0.6, 2);
          this.insertIncident({ atMs: this.tsOf(t), kind: 'shock', g });
        }
      }
    });
    if (profile.openAfterDeliveryMin) {
      const [lo, hi] = profile.openAfterDeliveryMin;
      // On the route's clock, so a sped-up demo also shows the box being opened.
      this.insertIncident({ atMs: this.tsOf(route.deliveredAtS + rng.range(lo, hi) * 60), kind: 'open' });
    }
  }

  private insertIncident(incident: Incident): void {
    const at = this.incidents.findIndex((i) => i.atMs > incident.atMs);
    if (at === -1) this.incidents.push(incident);
    else this.incidents.splice(at, 0, incident);
  }
}

/** Conveyor drops and tosses: mostly gentle, sometimes rough, rarely a real drop. */
function handlingG(rng: Rng): number {
  const r = rng.next();
  if (r < 0.7) return rng.range(0.5, 1.8);
  if (r < 0.95) return rng.range(1.8, 3.5);
  return rng.range(3.5, 7);
}

/** How a parcel ends up after being put down: mostly upright, sometimes on its side or upside down. */
function restingTilt(rng: Rng): number {
  const r = rng.next();
  if (r < 0.8) return rng.range(0, 10);
  if (r < 0.95) return rng.range(85, 95);
  return rng.range(170, 180);
}

function expSample(rng: Rng, meanS: number): number {
  return -Math.log(1 - rng.next()) * meanS;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  // + 0 turns -0 into 0: JSON has no -0, so a resumed trip read back from the wire would differ.
  return Math.round(x * f) / f + 0;
}
