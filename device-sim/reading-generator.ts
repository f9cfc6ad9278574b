import { ConditionModel, type Conditions, type Thresholds } from './condition-model.ts';
import { resolveProfile, type ParcelProfile, type ProfileName } from './profiles.ts';
import { rngFor, type Rng } from './prng.ts';
import { MAX_SEQ, type SimReading } from './protocol.ts';
import type { Route } from './routes.ts';

/**
 * How ts is written. The protocol allows RFC 3339 with any offset or epoch milliseconds;
 * 'mixed' exercises all three (mostly Z, some local offsets, some epoch ms).
 */
export type TsFormat = 'rfc3339' | 'epoch-ms' | 'mixed';

export interface ReadingGeneratorOptions {
  seed: number;
  route: Route;
  profile?: ProfileName | ParcelProfile;
  /** Epoch ms when packing began; the first reading is measured then. */
  startAtMs: number;
  /** Speeds up movement along the route (live demos); default 1. */
  timeScale?: number;
  /** seq of the first reading; default 0. Firmware keeps seq across reboots. */
  firstSeq?: number;
  tsFormat?: TsFormat;
  /** Parcels put down upright every time (see ConditionModelOptions.upright). */
  upright?: boolean;
  /**
   * Event-time windows [fromMs, toMs) in which the tracker measures nothing (a modem or
   * firmware hang with nothing buffered): no reading, regular or event, has its ts there.
   */
  offline?: readonly { fromMs: number; toMs: number }[];
}

/** Turns the condition model into protocol readings with a continuous seq. */
export class ReadingGenerator {
  readonly model: ConditionModel;
  private nextSeq: number;
  private readonly tsFormat: TsFormat;
  private readonly formatRng: Rng;
  private readonly offline: readonly { fromMs: number; toMs: number }[];

  constructor(o: ReadingGeneratorOptions) {
    this.model = new ConditionModel({
      seed: o.seed,
      route: o.route,
      profile: resolveProfile(o.profile),
      startAtMs: o.startAtMs,
      timeScale: o.timeScale ?? 1,
      upright: o.upright,
    });
    this.offline = o.offline ?? [];
    this.nextSeq = o.firstSeq ?? 0;
    this.tsFormat = o.tsFormat ?? 'rfc3339';
    this.formatRng = rngFor(o.seed, 'ts-format');
  }

  /** The seq the next reading will carry. */
  get seq(): number {
    return this.nextSeq;
  }

  /** Hands out a seq (also for deliberately malformed readings, which real firmware numbers too). */
  takeSeq(): number {
    if (this.nextSeq > MAX_SEQ) throw new Error(`seq overflow: ${this.nextSeq} > 2^31-1`);
    return this.nextSeq++;
  }

  /**
   * The readings for one report interval ending at atMs: an extra reading at the moment of
   * every alarm (shock over threshold, box opened) after afterMs, then the regular one at atMs.
   */
  readingsUpTo(afterMs: number | undefined, atMs: number, thresholds: Thresholds, inCoverage: boolean): SimReading[] {
    const out: SimReading[] = [];
    let from = afterMs ?? atMs;
    for (
      let alarm = this.model.nextAlarm(from, atMs, thresholds);
      alarm !== undefined;
      alarm = this.model.nextAlarm(from, atMs, thresholds)
    ) {
      if (!this.isOffline(alarm)) out.push(this.measure(alarm, inCoverage));
      from = alarm;
    }
    if (!this.isOffline(atMs)) out.push(this.measure(atMs, inCoverage));
    return out;
  }

  /** Whether the tracker is hung at atMs and measures nothing. */
  isOffline(atMs: number): boolean {
    return this.offline.some((w) => atMs >= w.fromMs && atMs < w.toMs);
  }

  /** One reading at atMs. */
  measure(atMs: number, inCoverage: boolean): SimReading {
    const c = this.model.sample(atMs, inCoverage);
    return toReading(this.takeSeq(), this.formatTs(atMs, c.position.lon), c);
  }

  /** A reading that does not use up a seq (for malformed payloads that lack one). */
  measureWithoutSeq(atMs: number, inCoverage: boolean): Omit<SimReading, 'seq'> {
    const c = this.model.sample(atMs, inCoverage);
    const { seq: _none, ...rest } = toReading(-1, this.formatTs(atMs, c.position.lon), c);
    return rest;
  }

  private formatTs(atMs: number, lon: number): string | number {
    if (this.tsFormat === 'epoch-ms') return atMs;
    if (this.tsFormat === 'rfc3339') return new Date(atMs).toISOString();
    const r = this.formatRng.next();
    if (r < 0.1) return atMs;
    if (r < 0.2) return withLocalOffset(atMs, lon);
    return new Date(atMs).toISOString();
  }
}

function toReading(seq: number, ts: string | number, c: Conditions): SimReading {
  return {
    seq,
    ts,
    ...(c.fix ? { lat: c.fix.lat, lon: c.fix.lon, accM: c.fix.accM } : {}),
    tempC: c.tempC,
    humidityPct: c.humidityPct,
    shockG: c.shockG,
    tiltDeg: c.tiltDeg,
    lightLux: c.lightLux,
    batteryPct: c.batteryPct,
    ...(c.rssiDbm !== undefined ? { rssiDbm: c.rssiDbm } : {}),
  };
}

/** RFC 3339 in the (whole-hour, solar) local time zone, e.g. 2026-11-23T05:05:00.000-05:00. */
export function withLocalOffset(atMs: number, lon: number): string {
  const offsetH = Math.max(-12, Math.min(14, Math.round(lon / 15)));
  const local = new Date(atMs + offsetH * 3_600_000).toISOString().slice(0, -1);
  const sign = offsetH < 0 ? '-' : '+';
  return `${local}${sign}${String(Math.abs(offsetH)).padStart(2, '0')}:00`;
}
