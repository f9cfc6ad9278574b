import { describe, expect, it } from 'vitest';
import { parseTelemetry } from './parse-telemetry.ts';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const enc = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('parseTelemetry', () => {
  it('accepts the protocol example, with RFC 3339 ts', () => {
    const { readings, rejected } = parseTelemetry(
      'trk-000123',
      enc({
        seq: 1042,
        ts: '2026-11-23T10:05:00Z',
        lat: 34.0522,
        lon: -118.2437,
        accM: 12,
        tempC: 4.6,
        humidityPct: 41,
        shockG: 0.3,
        tiltDeg: 2,
        lightLux: 0,
        batteryPct: 87,
        rssiDbm: -91,
      }),
      NOW,
    );
    expect(rejected).toEqual([]);
    expect(readings).toEqual([
      {
        deviceId: 'trk-000123',
        seq: 1042,
        ts: Date.parse('2026-11-23T10:05:00Z'),
        receivedAt: NOW,
        lat: 34.0522,
        lon: -118.2437,
        accM: 12,
        tempC: 4.6,
        humidityPct: 41,
        shockG: 0.3,
        tiltDeg: 2,
        lightLux: 0,
        batteryPct: 87,
        rssiDbm: -91,
      },
    ]);
  });

  it('accepts epoch-millisecond ts and offsets other than Z', () => {
    const { readings } = parseTelemetry(
      'trk-1',
      enc({
        readings: [
          { seq: 1, ts: NOW - 1000 },
          { seq: 2, ts: '2026-11-23T13:00:00+02:00' },
        ],
      }),
      NOW,
    );
    expect(readings.map((r) => r.ts)).toEqual([NOW - 1000, Date.parse('2026-11-23T11:00:00Z')]);
  });

  it('keeps unknown fields as extra', () => {
    const { readings } = parseTelemetry('trk-1', enc({ seq: 1, ts: NOW, pressureHpa: 1013, note: 'x' }), NOW);
    expect(readings[0]?.extra).toEqual({ pressureHpa: 1013, note: 'x' });
  });

  it('stores the valid readings of a batch and rejects the bad one with a reason', () => {
    const { readings, rejected } = parseTelemetry(
      'trk-1',
      enc({
        readings: [
          { seq: 1, ts: NOW },
          { seq: 2, ts: NOW, tempC: 500 },
          { seq: 3, ts: NOW },
        ],
      }),
      NOW,
    );
    expect(readings.map((r) => r.seq)).toEqual([1, 3]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ reason: 'invalid_reading', seq: 2 });
    expect(rejected[0]?.detail).toContain('tempC');
  });

  it.each([
    ['missing seq', { ts: NOW }, 'seq'],
    ['missing ts', { seq: 1 }, 'ts'],
    ['seq over 2^31-1', { seq: 2 ** 31, ts: NOW }, 'seq'],
    ['negative seq', { seq: -1, ts: NOW }, 'seq'],
    ['fractional seq', { seq: 1.5, ts: NOW }, 'seq'],
    ['ts without offset', { seq: 1, ts: '2026-11-23T10:05:00' }, 'ts'],
    ['ts as garbage', { seq: 1, ts: 'yesterday' }, 'ts'],
    ['humidity over 100', { seq: 1, ts: NOW, humidityPct: 101 }, 'humidityPct'],
    ['tilt over 180', { seq: 1, ts: NOW, tiltDeg: 181 }, 'tiltDeg'],
    ['negative shock', { seq: 1, ts: NOW, shockG: -1 }, 'shockG'],
    ['string temperature', { seq: 1, ts: NOW, tempC: '4.6' }, 'tempC'],
    ['latitude out of range', { seq: 1, ts: NOW, lat: 91, lon: 0 }, 'lat'],
  ])('rejects a reading with %s', (_name, reading, field) => {
    const { readings, rejected } = parseTelemetry('trk-1', enc(reading), NOW);
    expect(readings).toEqual([]);
    expect(rejected[0]?.reason).toBe('invalid_reading');
    expect(rejected[0]?.detail).toContain(field);
  });

  it('rejects ts more than 24 h in the future but accepts 23 h', () => {
    const hour = 3600_000;
    const { readings, rejected } = parseTelemetry(
      'trk-1',
      enc({
        readings: [
          { seq: 1, ts: NOW + 25 * hour },
          { seq: 2, ts: NOW + 23 * hour },
        ],
      }),
      NOW,
    );
    expect(readings.map((r) => r.seq)).toEqual([2]);
    expect(rejected[0]).toMatchObject({ reason: 'ts_in_future', seq: 1 });
  });

  it.each([
    ['not JSON', '{"seq": 1,', 'invalid_json'],
    ['a JSON array', '[1,2]', 'not_an_object'],
    ['a JSON number', '42', 'not_an_object'],
    ['readings not an array', '{"readings": 3}', 'not_an_object'],
  ])('rejects a payload that is %s', (_name, text, reason) => {
    const { readings, rejected } = parseTelemetry('trk-1', enc(text), NOW);
    expect(readings).toEqual([]);
    expect(rejected).toEqual([expect.objectContaining({ reason, raw: text })]);
  });

  it('rejects invalid UTF-8', () => {
    const { rejected } = parseTelemetry('trk-1', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), NOW);
    expect(rejected[0]?.reason).toBe('invalid_utf8');
  });

  it('rejects a batch of more than 500 readings and a payload over 256 KiB', () => {
    const big = { readings: Array.from({ length: 501 }, (_, i) => ({ seq: i, ts: NOW })) };
    expect(parseTelemetry('trk-1', enc(big), NOW).rejected[0]?.reason).toBe('batch_too_large');
    const huge = Buffer.alloc(256 * 1024 + 1, 0x20);
    expect(parseTelemetry('trk-1', huge, NOW).rejected[0]?.reason).toBe('payload_too_large');
  });

  it('accepts exactly 500 readings', () => {
    const batch = { readings: Array.from({ length: 500 }, (_, i) => ({ seq: i, ts: NOW })) };
    expect(parseTelemetry('trk-1', enc(batch), NOW).readings).toHaveLength(500);
  });

  it('passes a seq repeated inside a batch on in order (the store keeps the first and counts the rest)', () => {
    const { readings } = parseTelemetry(
      'trk-1',
      enc({
        readings: [
          { seq: 5, ts: NOW },
          { seq: 5, ts: NOW - 1000 },
        ],
      }),
      NOW,
    );
    expect(readings.map((r) => [r.seq, r.ts])).toEqual([
      [5, NOW],
      [5, NOW - 1000],
    ]);
  });
});
