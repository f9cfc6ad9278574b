import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTelemetry, type ParsedTelemetry } from './parse-telemetry.ts';
import { storableText } from './json-limits.ts';
import { FLOAT4_MAX, MAX_BATCH_READINGS, MAX_EXTRA_DEPTH, MAX_PAYLOAD_BYTES, MAX_SEQ } from './tracker-protocol.ts';

/*
 * Hostile input to the reading parser. The seed is printed; FC_SEED=<n> replays a run
 * (FC_RUNS=<n> sets the runs of every property, to try harder locally).
 */
const NOW = Date.parse('2026-11-23T12:00:00Z');
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : Date.now() ^ (Math.random() * 0x7fffffff);
console.log(`[parser-property] seed ${seed} (replay: FC_SEED=${seed})`);
const runs = (n: number) => ({ numRuns: Number(process.env.FC_RUNS ?? n), seed });
const enc = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

/** Every outcome must be in the parser's contract, whatever came in. */
function wellFormed(out: ParsedTelemetry): void {
  for (const r of out.rejected) {
    expect(typeof r.reason).toBe('string');
    expect(r.detail.length).toBeGreaterThan(0);
    expect(typeof r.raw).toBe('string');
    // A rejection's seq goes to an integer column: it must fit, or be absent.
    if (r.seq !== undefined) expect(Number.isInteger(r.seq) && r.seq >= 0 && r.seq <= MAX_SEQ).toBe(true);
  }
  for (const r of out.readings) {
    expect(Number.isInteger(r.seq)).toBe(true);
    expect(Number.isFinite(r.ts)).toBe(true);
    // Everything accepted must be storable: serializable, and jsonb-safe text.
    const json = JSON.stringify(r.extra ?? {});
    expect(storableText(json)).toBe(true);
  }
}

const validReading = fc
  .record(
    {
      seq: fc.integer({ min: 0, max: MAX_SEQ }),
      ts: fc.oneof(
        fc.integer({ min: 0, max: NOW }),
        fc
          .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date(NOW), noInvalidDate: true })
          .map((d) => d.toISOString()),
      ),
      lat: fc.double({ min: -90, max: 90, noNaN: true }),
      lon: fc.double({ min: -180, max: 180, noNaN: true }),
      accM: fc.double({ min: 0, max: 1e6, noNaN: true }),
      tempC: fc.double({ min: -80, max: 100, noNaN: true }),
      humidityPct: fc.double({ min: 0, max: 100, noNaN: true }),
      shockG: fc.double({ min: 0, max: 1000, noNaN: true }),
      tiltDeg: fc.double({ min: 0, max: 180, noNaN: true }),
      lightLux: fc.double({ min: 0, max: 1e5, noNaN: true }),
      batteryPct: fc.double({ min: 0, max: 100, noNaN: true }),
      rssiDbm: fc.double({ min: -150, max: 0, noNaN: true }),
    },
    { requiredKeys: ['seq', 'ts'] },
  )
  .map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>); // -0 and friends as JSON has them

/** Anything JSON can say, with hostile keys and values mixed in. */
const hostileValue = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e400', "'; drop table telemetry; --", '\u0000', '\ud800', ''),
  fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 1e-300, FLOAT4_MAX * 2, 2 ** 53, -0),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'seq', 'ts'), fc.jsonValue()),
);
const hostileReading = fc.dictionary(
  fc.oneof(fc.constantFrom('seq', 'ts', 'tempC', 'lat', 'shockG', '__proto__', 'constructor', 'readings'), fc.string()),
  hostileValue,
);

describe('parseTelemetry under hostile input (property)', () => {
  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const out = parseTelemetry('trk-1', bytes, NOW);
        wellFormed(out);
        expect(out.readings.length + out.rejected.length).toBeGreaterThan(0);
      }),
      runs(1000),
    );
  });

  it('never throws on arbitrary strings, and anything not JSON is invalid_json', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 512 }), (s) => {
        const out = parseTelemetry('trk-1', Buffer.from(s), NOW);
        wellFormed(out);
        let isJson = true;
        try {
          JSON.parse(Buffer.from(s).toString('utf8'));
        } catch {
          isJson = false;
        }
        if (!isJson && storableText(s)) expect(out.rejected[0]?.reason).toMatch(/invalid_json|invalid_utf8/);
      }),
      runs(1000),
    );
  });

  it('never throws on arbitrary JSON and hostile readings; every rejection has a reason', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), hostileReading, fc.record({ readings: fc.array(hostileReading, { maxLength: 20 }) })),
        (body) => {
          wellFormed(parseTelemetry('trk-1', enc(body), NOW));
        },
      ),
      runs(1000),
    );
  });

  it('keeps every valid reading of a mixed batch and rejects each invalid one with a reason', () => {
    const item = fc.oneof(
      validReading.map((r) => ({ valid: true, r })),
      hostileReading.filter((r) => !('seq' in r && 'ts' in r)).map((r) => ({ valid: false, r })),
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 40 }), (items) => {
        // Unique seqs so no valid reading is dropped as an in-batch repeat.
        const batch = items.map((x, i) => (x.valid ? { ...x.r, seq: i } : x.r));
        const out = parseTelemetry('trk-1', enc({ readings: batch }), NOW);
        wellFormed(out);
        expect(out.readings.map((r) => r.seq)).toEqual(items.flatMap((x, i) => (x.valid ? [i] : [])));
        expect(out.rejected).toHaveLength(items.filter((x) => !x.valid).length);
        for (const r of out.rejected) expect(r.reason).toBe('invalid_reading');
      }),
      runs(300),
    );
  });

  it('round-trips valid generated readings', () => {
    fc.assert(
      fc.property(
        validReading,
        fc.dictionary(
          fc.string({ minLength: 1 }).filter((k) => k.startsWith('x')),
          fc.jsonValue({ maxDepth: 4 }),
        ),
        (reading, extras) => {
          const body = { ...extras, ...reading };
          const text = JSON.stringify(body);
          fc.pre(storableText(text));
          const out = parseTelemetry('trk-9', Buffer.from(text), NOW);
          expect(out.rejected).toEqual([]);
          const [r] = out.readings;
          const ts = typeof reading.ts === 'number' ? reading.ts : Date.parse(reading.ts as string);
          const { seq: _s, ts: _t, ...fields } = reading;
          expect(r).toEqual({
            deviceId: 'trk-9',
            seq: reading.seq,
            ts,
            receivedAt: NOW,
            ...fields,
            ...(Object.keys(extras).length ? { extra: JSON.parse(JSON.stringify(extras)) } : {}),
          });
        },
      ),
      runs(500),
    );
  });
});

describe('parseTelemetry limits and hostile cases', () => {
  const batchOf = (n: number) => ({ readings: Array.from({ length: n }, (_, i) => ({ seq: i, ts: NOW })) });

  it('takes a batch of exactly 500 and refuses 501 as batch_too_large', () => {
    expect(parseTelemetry('trk-1', enc(batchOf(MAX_BATCH_READINGS)), NOW).readings).toHaveLength(MAX_BATCH_READINGS);
    const over = parseTelemetry('trk-1', enc(batchOf(MAX_BATCH_READINGS + 1)), NOW);
    expect(over.readings).toEqual([]);
    expect(over.rejected.map((r) => r.reason)).toEqual(['batch_too_large']);
  });

  it('takes a payload of exactly 256 KiB and refuses one byte more as payload_too_large', () => {
    const head = `{"seq":1,"ts":${NOW},"pad":"`;
    const exact = Buffer.from(head + 'x'.repeat(MAX_PAYLOAD_BYTES - head.length - 2) + '"}');
    expect(exact.byteLength).toBe(MAX_PAYLOAD_BYTES);
    expect(parseTelemetry('trk-1', exact, NOW).readings).toHaveLength(1);
    const over = Buffer.from(head + 'x'.repeat(MAX_PAYLOAD_BYTES - head.length - 1) + '"}');
    expect(parseTelemetry('trk-1', over, NOW).rejected.map((r) => r.reason)).toEqual(['payload_too_large']);
  });

  it('refuses UTF-16 (with BOM) and invalid UTF-8 as invalid_utf8, and skips a UTF-8 BOM', () => {
    const json = `{"seq":1,"ts":${NOW}}`;
    expect(parseTelemetry('trk-1', Buffer.from('\ufeff' + json, 'utf16le'), NOW).rejected[0]?.reason).toBe(
      'invalid_utf8',
    );
    expect(
      parseTelemetry('trk-1', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(json, 'utf16le').swap16()]), NOW)
        .rejected[0]?.reason,
    ).toBe('invalid_utf8');
    expect(parseTelemetry('trk-1', Buffer.from([0x7b, 0xc0, 0xaf, 0x7d]), NOW).rejected[0]?.reason).toBe(
      'invalid_utf8',
    ); // overlong
    expect(parseTelemetry('trk-1', Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), NOW).rejected[0]?.reason).toBe(
      'invalid_utf8',
    ); // encoded surrogate
    expect(
      parseTelemetry('trk-1', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]), NOW).readings,
    ).toHaveLength(1);
  });

  it('survives 100k levels of nesting anywhere, quickly, and refuses the deep reading', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const started = performance.now();
    expect(parseTelemetry('trk-1', enc(deep), NOW).rejected[0]?.reason).toBe('not_an_object');
    const inExtra = parseTelemetry('trk-1', enc(`{"seq":1,"ts":${NOW},"x":${deep}}`), NOW);
    expect(inExtra.readings).toEqual([]);
    expect(inExtra.rejected[0]).toMatchObject({ reason: 'invalid_reading', seq: 1 });
    expect(inExtra.rejected[0]?.detail).toContain(`deeper than ${MAX_EXTRA_DEPTH}`);
    // Regression: serializing an invalid deep reading for the dead letter threw RangeError.
    const inBatch = parseTelemetry('trk-1', enc(`{"readings":[${deep},{"seq":2,"ts":${NOW}}]}`), NOW);
    expect(inBatch.readings.map((r) => r.seq)).toEqual([2]);
    expect(inBatch.rejected[0]?.reason).toBe('invalid_reading');
    const objects = '{"a":'.repeat(40_000) + '1' + '}'.repeat(40_000);
    expect(parseTelemetry('trk-1', enc(`{"seq":3,"ts":${NOW},"x":${objects}}`), NOW).rejected[0]?.reason).toBe(
      'invalid_reading',
    );
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('accepts nesting up to the limit in unknown fields', () => {
    const nested = (d: number): unknown => (d === 0 ? 1 : [nested(d - 1)]);
    expect(
      parseTelemetry('trk-1', enc({ seq: 1, ts: NOW, x: nested(MAX_EXTRA_DEPTH - 1) }), NOW).readings,
    ).toHaveLength(1);
    expect(parseTelemetry('trk-1', enc({ seq: 1, ts: NOW, x: nested(MAX_EXTRA_DEPTH) }), NOW).rejected).toHaveLength(1);
  });

  it('refuses huge and non-finite numbers and NaN-like strings, and values a real column cannot hold', () => {
    for (const bad of ['1e400', '-1e400', '1e39', '"NaN"', '"Infinity"', '"1e3"', 'null', 'true', '[]', '{}']) {
      const out = parseTelemetry('trk-1', enc(`{"seq":1,"ts":${NOW},"shockG":${bad}}`), NOW);
      expect(out.rejected[0]?.reason, bad).toBe('invalid_reading');
    }
    expect(parseTelemetry('trk-1', enc(`{"seq":1e400,"ts":${NOW}}`), NOW).rejected[0]?.reason).toBe('invalid_reading');
    expect(parseTelemetry('trk-1', enc('{"seq":1,"ts":1e400}'), NOW).rejected[0]?.reason).toBe('invalid_reading');
    // Tiny magnitudes are fine: storage rounds them to a 4-byte float.
    expect(parseTelemetry('trk-1', enc(`{"seq":1,"ts":${NOW},"tempC":1e-300}`), NOW).readings).toHaveLength(1);
  });

  it('does not throw on an epoch-ms ts beyond what Date can print (regression)', () => {
    const out = parseTelemetry('trk-1', enc(`{"seq":1,"ts":9007199254740991}`), NOW);
    expect(out.rejected[0]).toMatchObject({ reason: 'ts_in_future', seq: 1 });
    expect(out.rejected[0]?.detail).toContain('9007199254740991 ms');
  });

  it('never reports a seq that does not fit the integer column (regression: it failed the whole batch)', () => {
    const out = parseTelemetry(
      'trk-1',
      enc({
        readings: [
          { seq: 2 ** 31, ts: NOW },
          { seq: -5, ts: NOW },
          { seq: 1, ts: NOW },
        ],
      }),
      NOW,
    );
    expect(out.readings.map((r) => r.seq)).toEqual([1]);
    expect(out.rejected.map((r) => r.seq)).toEqual([undefined, undefined]);
  });

  it('refuses text PostgreSQL cannot store in jsonb (NUL, unpaired surrogates)', () => {
    for (const s of ['"a\\u0000b"', '"\\ud800"', '"\\udc00x"']) {
      const out = parseTelemetry('trk-1', enc(`{"seq":1,"ts":${NOW},"note":${s}}`), NOW);
      expect(out.rejected[0]?.reason, s).toBe('invalid_reading');
    }
    expect(parseTelemetry('trk-1', enc(`{"seq":1,"ts":${NOW},"a\\u0000":1}`), NOW).rejected).toHaveLength(1);
    expect(
      parseTelemetry('trk-1', enc(`{"seq":1,"ts":${NOW},"note":"\\ud83d\\ude00"}`), NOW).readings[0]?.extra,
    ).toEqual({ note: '😀' });
  });

  it('does not let __proto__ or constructor keys pollute anything', () => {
    const out = parseTelemetry(
      'trk-1',
      enc(`{"seq":1,"ts":${NOW},"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}}}`),
      NOW,
    );
    expect(out.readings).toHaveLength(1);
    const [r] = out.readings;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect((r as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(r!.extra)).toBe(Object.prototype);
    expect(r!.extra).toEqual({ constructor: { prototype: { polluted: 2 } } });
    const batch = parseTelemetry('trk-1', enc(`{"readings":[{"seq":1,"ts":${NOW}}],"__proto__":{"readings":[]}}`), NOW);
    expect(batch.readings).toHaveLength(1);
  });
});
