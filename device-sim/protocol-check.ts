import { MAX_FUTURE_MS, MAX_SEQ } from './protocol.ts';

/** RFC 3339 date-time with a mandatory offset (Z or ±hh:mm). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const RANGES: Record<string, readonly [number, number]> = {
  lat: [-90, 90],
  lon: [-180, 180],
  accM: [0, Infinity],
  tempC: [-80, 100],
  humidityPct: [0, 100],
  shockG: [0, Infinity],
  tiltDeg: [0, 180],
  lightLux: [0, Infinity],
  batteryPct: [0, 100],
  rssiDbm: [-Infinity, Infinity],
};

/**
 * What in a reading breaks the protocol's reading table, as a list of field names with
 * reasons; empty when valid. The simulator's self-check, written from the spec (not
 * shared with the platform's parser on purpose, so the two can disagree and be caught).
 */
export function protocolViolations(reading: unknown, nowMs = Date.now()): string[] {
  if (typeof reading !== 'object' || reading === null || Array.isArray(reading)) return ['reading: not an object'];
  const r = reading as Record<string, unknown>;
  const out: string[] = [];
  if (!Number.isInteger(r.seq) || (r.seq as number) < 0 || (r.seq as number) > MAX_SEQ)
    out.push('seq: not an integer 0…2^31-1');
  const tsMs =
    typeof r.ts === 'number' && Number.isInteger(r.ts)
      ? r.ts
      : typeof r.ts === 'string' && RFC3339.test(r.ts)
        ? Date.parse(r.ts)
        : NaN;
  if (Number.isNaN(tsMs)) out.push('ts: neither RFC 3339 with offset nor epoch ms');
  else if (tsMs > nowMs + MAX_FUTURE_MS) out.push('ts: more than 24 h in the future');
  for (const [field, [lo, hi]] of Object.entries(RANGES)) {
    const v = r[field];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) out.push(`${field}: out of range`);
  }
  if ((r.lat === undefined) !== (r.lon === undefined)) out.push('lat/lon: one without the other');
  return out;
}
