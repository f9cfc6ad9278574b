import { rngFor, type Rng } from './prng.ts';
import { MAX_BATCH_READINGS, MAX_PAYLOAD_BYTES, type SimReading, type TelemetryBatch } from './protocol.ts';

/**
 * What a tracker's modem does with measured readings: send them at once in coverage,
 * buffer them out of coverage and upload the backlog as batches when coverage returns,
 * with the imperfections real uplinks have (resends, shuffled batches). Pure: it only
 * decides which messages go out, in which order; the tracker publishes them.
 */

export interface GapOptions {
  /** Chance, per report interval in coverage, that a coverage gap starts. Default 0.02. */
  startChance?: number;
  /** Gap length in report intervals, inclusive range. Default [6, 72] (30 min – 6 h at 300 s). */
  lengthReadings?: readonly [number, number];
}

export interface DuplicateOptions {
  /** Chance a message is sent twice (PUBACK lost, firmware retries as a new publish). Default 0.03. */
  resendChance?: number;
  /** Chance that, when coverage drops, the last few live readings go into the backlog again. Default 0.3. */
  rebufferChance?: number;
}

export interface UplinkBehaviours {
  gaps?: boolean | GapOptions;
  duplicates?: boolean | DuplicateOptions;
  /** Shuffle the readings within each batch. */
  outOfOrder?: boolean;
  /** Readings per batch, at most 500 (the protocol limit). */
  maxBatch?: number;
}

/** One MQTT message to publish on the telemetry topic. */
export interface Outgoing {
  body: SimReading | TelemetryBatch;
  /** Readings the message carries. */
  count: number;
  /** How many of them were already sent before (duplicates). */
  resent: number;
}

const RECENT_KEPT = 3;

export class Uplink {
  private readonly gapRng: Rng;
  private readonly dupRng: Rng;
  private readonly orderRng: Rng;
  private readonly gap: Required<GapOptions> | undefined;
  private readonly dup: Required<DuplicateOptions> | undefined;
  private readonly maxBatch: number;
  /** Report intervals left in the current automatic gap; 0 = none. */
  private autoGapLeft = 0;
  private manualGap = false;
  private backlog: { reading: SimReading; resent: boolean }[] = [];
  /** The last readings sent live, which a resend-on-reconnect would repeat. */
  private recent: SimReading[] = [];

  constructor(
    seed: number,
    private readonly behaviours: UplinkBehaviours = {},
  ) {
    this.gapRng = rngFor(seed, 'gaps');
    this.dupRng = rngFor(seed, 'duplicates');
    this.orderRng = rngFor(seed, 'out-of-order');
    const g = behaviours.gaps;
    this.gap = g ? { startChance: 0.02, lengthReadings: [6, 72], ...(g === true ? {} : g) } : undefined;
    const d = behaviours.duplicates;
    this.dup = d ? { resendChance: 0.03, rebufferChance: 0.3, ...(d === true ? {} : d) } : undefined;
    this.maxBatch = Math.min(MAX_BATCH_READINGS, Math.max(1, behaviours.maxBatch ?? MAX_BATCH_READINGS));
  }

  get inCoverage(): boolean {
    return !this.manualGap && this.autoGapLeft === 0;
  }

  /** Readings waiting for coverage. */
  get buffered(): number {
    return this.backlog.length;
  }

  /**
   * Advances the automatic gap schedule by one report interval. Returns the backlog
   * batches when coverage has just come back; they must go out before this interval's readings.
   */
  tick(): Outgoing[] {
    if (this.manualGap || !this.gap) return [];
    if (this.autoGapLeft > 0) {
      this.autoGapLeft--;
      return this.autoGapLeft === 0 ? this.flush() : [];
    }
    if (this.gapRng.chance(this.gap.startChance)) {
      const [lo, hi] = this.gap.lengthReadings;
      this.autoGapLeft = this.gapRng.int(lo, hi);
      this.loseCoverage();
    }
    return [];
  }

  /** Out of coverage until endGap(), whatever the automatic schedule says. */
  startGap(): void {
    if (this.inCoverage) this.loseCoverage();
    this.manualGap = true;
  }

  /** Back in coverage: returns the backlog as batches, oldest first. */
  endGap(): Outgoing[] {
    this.manualGap = false;
    this.autoGapLeft = 0;
    return this.flush();
  }

  /** Readings just measured: sent one per message in coverage, buffered otherwise. */
  submit(readings: readonly SimReading[]): Outgoing[] {
    if (!this.inCoverage) {
      for (const reading of readings) this.backlog.push({ reading, resent: false });
      return [];
    }
    const out: Outgoing[] = [];
    for (const reading of readings) {
      out.push({ body: reading, count: 1, resent: 0 });
      if (this.dup && this.dupRng.chance(this.dup.resendChance)) out.push({ body: reading, count: 1, resent: 1 });
      this.recent.push(reading);
      if (this.recent.length > RECENT_KEPT) this.recent.shift();
    }
    return out;
  }

  /** The backlog as batches of at most maxBatch readings (and 256 KiB), oldest first. */
  private flush(): Outgoing[] {
    const out: Outgoing[] = [];
    for (let i = 0; i < this.backlog.length; i += this.maxBatch) {
      for (const chunk of splitToFit(this.backlog.slice(i, i + this.maxBatch))) {
        const readings = chunk.map((b) => b.reading);
        if (this.behaviours.outOfOrder) this.orderRng.shuffle(readings);
        const message: Outgoing = {
          body: { readings },
          count: readings.length,
          resent: chunk.filter((b) => b.resent).length,
        };
        out.push(message);
        if (this.dup && this.dupRng.chance(this.dup.resendChance)) out.push({ ...message, resent: message.count });
      }
    }
    this.backlog = [];
    this.recent = [];
    return out;
  }

  /** Firmware that lost coverage before the PUBACKs of its last messages arrived sends them again later. */
  private loseCoverage(): void {
    if (this.dup && this.recent.length > 0 && this.dupRng.chance(this.dup.rebufferChance)) {
      const n = this.dupRng.int(1, this.recent.length);
      for (const reading of this.recent.slice(-n)) this.backlog.push({ reading, resent: true });
    }
    this.recent = [];
  }
}

/** Halves a chunk until each part's JSON fits the payload limit (only large unknown fields make this matter). */
function splitToFit<T extends { reading: SimReading }>(chunk: T[]): T[][] {
  if (chunk.length <= 1) return [chunk];
  const bytes = Buffer.byteLength(JSON.stringify({ readings: chunk.map((c) => c.reading) }));
  if (bytes <= MAX_PAYLOAD_BYTES) return [chunk];
  const mid = Math.ceil(chunk.length / 2);
  return [...splitToFit(chunk.slice(0, mid)), ...splitToFit(chunk.slice(mid))];
}
