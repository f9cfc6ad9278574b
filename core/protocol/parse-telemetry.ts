import {
  KNOWN_READING_FIELDS,
  MAX_BATCH_READINGS,
  MAX_EXTRA_DEPTH,
  MAX_FUTURE_MS,
  MAX_PAYLOAD_BYTES,
  MAX_SEQ,
  ReadingSchema,
  type Reading,
} from './tracker-protocol.ts';
import { safeStringify, unstorableJson } from './json-limits.ts';

/** Why something a tracker sent was kept aside instead of stored. Stable codes. */
export type RejectReason =
  | 'payload_too_large'
  | 'invalid_utf8'
  | 'invalid_json'
  | 'not_an_object'
  | 'batch_too_large'
  | 'invalid_reading'
  | 'ts_in_future';

export interface Rejected {
  reason: RejectReason;
  detail: string;
  seq?: number;
  /** The offending part of the payload (the reading, or the whole payload). */
  raw: string;
}

export interface ParsedTelemetry {
  readings: Reading[];
  rejected: Rejected[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const known = new Set<string>(KNOWN_READING_FIELDS);

/**
 * Turns one telemetry payload (a reading, or `{"readings": [...]}`) into valid readings
 * and rejections. Pure: the caller stores both. One bad reading never costs the others
 * of its batch (protocol: "the valid readings of the batch are still stored").
 */
export function parseTelemetry(deviceId: string, payload: Uint8Array, receivedAt: number): ParsedTelemetry {
  const whole = (reason: RejectReason, detail: string, raw?: string): ParsedTelemetry => ({
    readings: [],
    rejected: [{ reason, detail, raw: raw ?? Buffer.from(payload).toString('latin1') }],
  });

  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    // Only the head is kept as evidence: the payload may be far larger than anything we store.
    return whole(
      'payload_too_large',
      `payload is ${payload.byteLength} bytes; the limit is ${MAX_PAYLOAD_BYTES}`,
      Buffer.from(payload.subarray(0, 4096)).toString('latin1'),
    );
  }
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return whole('invalid_utf8', 'payload is not valid UTF-8');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return whole('invalid_json', (err as Error).message, text);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return whole('not_an_object', 'payload must be a reading object or {"readings": [...]}', text);
  }

  const batch = (body as { readings?: unknown }).readings;
  let items: unknown[];
  if (batch === undefined) {
    items = [body];
  } else if (!Array.isArray(batch)) {
    return whole('not_an_object', '"readings" must be an array', text);
  } else if (batch.length > MAX_BATCH_READINGS) {
    return whole('batch_too_large', `batch holds ${batch.length} readings; the limit is ${MAX_BATCH_READINGS}`, text);
  } else {
    items = batch;
  }

  const readings: Reading[] = [];
  const rejected: Rejected[] = [];
  // A batch repeating a seq is passed on as it came: identity on (device, seq) is the
  // store's (TelemetryRepository.insertReadings), which keeps the first and counts the rest.
  for (const item of items) {
    const result = validateReading(deviceId, item, receivedAt, text);
    if ('reason' in result) rejected.push(result);
    else readings.push(result);
  }
  return { readings, rejected };
}

/**
 * What the store could not hold, in the fields that reach `extra`. The protocol's own
 * fields are numbers or a timestamp the schema checks, so only unknown ones are walked:
 * this runs for every reading, on the ingest hot path.
 */
function unstorableFields(item: unknown): string | null {
  if (typeof item !== 'object' || item === null) return null;
  if (Array.isArray(item)) return unstorableJson(item, MAX_EXTRA_DEPTH);
  for (const key in item) {
    if (known.has(key)) continue;
    const problem = unstorableJson({ [key]: (item as Record<string, unknown>)[key] }, MAX_EXTRA_DEPTH);
    if (problem) return problem;
  }
  return null;
}

/** The seq a rejected reading is filed under, when it has one the column can hold. */
function rejectedSeq(item: unknown): { seq?: number } {
  const seq = (item as { seq?: unknown } | null)?.seq;
  return Number.isInteger(seq) && (seq as number) >= 0 && (seq as number) <= MAX_SEQ ? { seq: seq as number } : {};
}

/** `payloadText` stands in for a reading too deeply nested to serialize back. */
export function validateReading(
  deviceId: string,
  item: unknown,
  receivedAt: number,
  payloadText = '',
): Reading | Rejected {
  // Checked before anything serializes the reading: a hostile depth must not throw here
  // nor poison the batch at store time (which would stall ingest for every tracker).
  const unstorable = unstorableFields(item);
  if (unstorable) {
    return {
      reason: 'invalid_reading',
      detail: `reading: ${unstorable}`,
      raw: safeStringify(item, payloadText.slice(0, 4096)),
      ...rejectedSeq(item),
    };
  }
  const parsed = ReadingSchema.safeParse(item);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'reading'}: ${i.message}`).join('; ');
    return {
      reason: 'invalid_reading',
      detail,
      raw: JSON.stringify(item) ?? String(item),
      ...rejectedSeq(item),
    };
  }
  const r = parsed.data;
  if (r.ts > receivedAt + MAX_FUTURE_MS) {
    return {
      reason: 'ts_in_future',
      // An epoch-ms integer may be beyond what Date can print (> 8.64e15): say it as a number.
      detail: `ts ${Number.isFinite(new Date(r.ts).getTime()) ? new Date(r.ts).toISOString() : `${r.ts} ms`} is more than 24 h after receipt`,
      seq: r.seq,
      raw: JSON.stringify(item),
    };
  }
  const reading: Reading = { deviceId, seq: r.seq, ts: r.ts, receivedAt };
  let extra: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(r)) {
    if (key === 'seq' || key === 'ts') continue;
    if (known.has(key)) (reading as unknown as Record<string, unknown>)[key] = value;
    else (extra ??= {})[key] = value;
  }
  if (extra) reading.extra = extra;
  return reading;
}
