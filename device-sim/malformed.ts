import type { SimReading } from './protocol.ts';

/** Ways firmware gets the protocol wrong, for testing that the platform rejects them with a reason. */
export type MalformedKind = 'not-json' | 'missing-seq' | 'bad-range' | 'future-ts' | 'batch-with-one-bad';

export const MALFORMED_KINDS: readonly MalformedKind[] = [
  'not-json',
  'missing-seq',
  'bad-range',
  'future-ts',
  'batch-with-one-bad',
];

export interface MalformedMessage {
  kind: MalformedKind;
  /** Exactly what is published on the telemetry topic. */
  payload: string;
  /** seqs the message carries that the platform should reject. */
  rejectedSeqs: number[];
  /** seqs it carries that are valid and should be stored (batch-with-one-bad only). */
  validSeqs: number[];
  /** Which field is wrong, for asserting on the platform's rejection detail. */
  field?: string;
}

/** Out-of-range values that break the protocol table, one per field, used in turn. */
const OUT_OF_RANGE: readonly [string, number][] = [
  ['humidityPct', 140],
  ['tempC', 150],
  ['tiltDeg', 200],
  ['batteryPct', -5],
  ['shockG', -1],
];

const FUTURE_MS = 48 * 3600_000;

/** Where the genuine readings to corrupt come from. */
export interface MalformedSource {
  /** A genuine reading with a fresh seq. */
  measure(): SimReading;
  /** A genuine reading that does not use up a seq. */
  measureWithoutSeq(): Omit<SimReading, 'seq'>;
  /** The measurement time (simulated in fast mode). */
  nowMs: number;
  /** The real clock: "in the future" is judged against the platform's clock, not the simulated one. */
  wallClockMs: number;
  /** Picks which field 'bad-range' breaks; callers count up so repeated calls vary. */
  badRangeTurn: number;
}

export function buildMalformed(kind: MalformedKind, src: MalformedSource): MalformedMessage {
  const { nowMs } = src;
  switch (kind) {
    case 'not-json': {
      // A payload cut short, as when a modem truncates its buffer; no seq is consumed.
      const text = JSON.stringify({ ts: new Date(nowMs).toISOString(), tempC: 4.2, humidityPct: 50 });
      return {
        kind,
        payload: text.slice(0, Math.floor(text.length / 2)),
        rejectedSeqs: [],
        validSeqs: [],
        field: 'json',
      };
    }
    case 'missing-seq': {
      return { kind, payload: JSON.stringify(src.measureWithoutSeq()), rejectedSeqs: [], validSeqs: [], field: 'seq' };
    }
    case 'bad-range': {
      const [field, value] = OUT_OF_RANGE[src.badRangeTurn % OUT_OF_RANGE.length] as [string, number];
      const reading = { ...src.measure(), [field]: value };
      return { kind, payload: JSON.stringify(reading), rejectedSeqs: [reading.seq], validSeqs: [], field };
    }
    case 'future-ts': {
      const reading = { ...src.measure(), ts: new Date(src.wallClockMs + FUTURE_MS).toISOString() };
      return { kind, payload: JSON.stringify(reading), rejectedSeqs: [reading.seq], validSeqs: [], field: 'ts' };
    }
    case 'batch-with-one-bad': {
      const first = src.measure();
      const bad = { ...src.measure(), tempC: 500 };
      const last = src.measure();
      return {
        kind,
        payload: JSON.stringify({ readings: [first, bad, last] }),
        rejectedSeqs: [bad.seq],
        validSeqs: [first.seq, last.seq],
        field: 'tempC',
      };
    }
  }
}
