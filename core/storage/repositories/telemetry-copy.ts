import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Reading } from '../../protocol/tracker-protocol.ts';
import type { Sql } from '../sql.ts';
import { isUniqueViolation } from '../transaction.ts';

/**
 * New readings by binary COPY: for a batch of hundreds the database does about half the
 * work of the unnest statement (no array literals to parse, no to_timestamp, no JSON
 * document to index) and the driver builds one buffer instead of fourteen array strings.
 *
 * COPY has no ON CONFLICT, so it runs in a savepoint: a batch holding a (device, seq)
 * already stored (a resend, a concurrent batch with the same keys) fails with a unique
 * violation, is rolled back to the savepoint, and the caller stores it with the statement,
 * whose answer (what was new, what was a duplicate and with which ts) it then gets.
 *
 * Returns true when every reading was stored; false when nothing was and the caller must
 * use the statement: the client is not node-postgres (PGlite's adapter, no COPY), it is not
 * in a transaction, a value is one only the statement handles as it always has, or a key
 * was taken.
 */
export async function copyNewReadings(sql: Sql, unique: readonly Reading[]): Promise<boolean> {
  if (!(sql instanceof pg.Client)) return false;
  const data = encode(unique);
  if (!data) return false;
  try {
    await sql.query('savepoint copy_readings');
  } catch {
    return false; // no transaction to roll back into
  }
  try {
    // Keys first and in (device, seq) order, as the statement does: two batches sharing
    // keys lock them in one order and never deadlock.
    await copy(sql, 'copy telemetry_ids (device_id, seq, ts) from stdin (format binary)', data.ids);
    await copy(
      sql,
      `copy telemetry (device_id, seq, ts, received_at, lat, lon, acc_m, temp_c, humidity_pct, shock_g, tilt_deg,
         light_lux, battery_pct, rssi_dbm, extra) from stdin (format binary)`,
      data.rows,
    );
  } catch (err) {
    if (!isUniqueViolation(err)) throw err; // the transaction rolls back as a whole
    await sql.query('rollback to savepoint copy_readings');
    await sql.query('release savepoint copy_readings');
    return false;
  }
  await sql.query('release savepoint copy_readings');
  return true;
}

async function copy(client: pg.Client, statement: string, data: Buffer): Promise<void> {
  const stream = client.query(copyFrom(statement));
  stream.end(data);
  await finished(stream);
}

const HEADER = Buffer.from('PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0', 'latin1');
/** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in µs since 1970. */
const PG_EPOCH_US = 946_684_800_000_000;
const INT4_MAX = 2 ** 31 - 1;
// Beyond ±2^53 µs (±285 years around 2000) the arithmetic below is no longer exact; such a
// time is left to the statement (and to_timestamp's own range check).
const TS_LIMIT_US = 2 ** 53;

/**
 * The rows in COPY's binary format, or undefined if a reading holds a value whose binary
 * form would not be exactly what the statement stores (a non-integer ms time or seq).
 */
function encode(readings: readonly Reading[]): { ids: Buffer; rows: Buffer } | undefined {
  const ids = new Writer();
  const rows = new Writer();
  ids.raw(HEADER);
  rows.raw(HEADER);
  for (const r of readings) {
    if (!Number.isInteger(r.seq) || r.seq < -INT4_MAX - 1 || r.seq > INT4_MAX) return undefined;
    const ts = usSincePgEpoch(r.ts);
    const rcv = usSincePgEpoch(r.receivedAt);
    if (ts === undefined || rcv === undefined) return undefined;
    const device = Buffer.from(r.deviceId, 'utf8');
    ids.int16(3);
    ids.bytes(device);
    ids.int4(r.seq);
    ids.timestamp(ts);
    rows.int16(15);
    rows.bytes(device);
    rows.int4(r.seq);
    rows.timestamp(ts);
    rows.timestamp(rcv);
    rows.float8(r.lat);
    rows.float8(r.lon);
    rows.float4(r.accM);
    rows.float4(r.tempC);
    rows.float4(r.humidityPct);
    rows.float4(r.shockG);
    rows.float4(r.tiltDeg);
    rows.float4(r.lightLux);
    rows.float4(r.batteryPct);
    rows.float4(r.rssiDbm);
    rows.jsonb(r.extra === undefined || r.extra === null ? undefined : JSON.stringify(r.extra));
  }
  ids.int16(-1);
  rows.int16(-1);
  return { ids: ids.done(), rows: rows.done() };
}

function usSincePgEpoch(ms: number): number | undefined {
  if (!Number.isInteger(ms)) return undefined;
  const us = ms * 1000 - PG_EPOCH_US;
  return Math.abs(us) < TS_LIMIT_US ? us : undefined;
}

/** A growing buffer of big-endian fields, each value with its length (-1: null). */
class Writer {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private at = 0;

  private room(n: number) {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }
  raw(b: Buffer) {
    this.room(b.length);
    this.at += b.copy(this.buf, this.at);
  }
  int16(v: number) {
    this.room(2);
    this.at = this.buf.writeInt16BE(v, this.at);
  }
  bytes(b: Buffer) {
    this.room(4 + b.length);
    this.at = this.buf.writeInt32BE(b.length, this.at);
    this.at += b.copy(this.buf, this.at);
  }
  int4(v: number) {
    this.room(8);
    this.at = this.buf.writeInt32BE(4, this.at);
    this.at = this.buf.writeInt32BE(v, this.at);
  }
  timestamp(us: number) {
    this.room(12);
    this.at = this.buf.writeInt32BE(8, this.at);
    const hi = Math.floor(us / 2 ** 32);
    this.at = this.buf.writeInt32BE(hi, this.at);
    this.at = this.buf.writeUInt32BE(us - hi * 2 ** 32, this.at);
  }
  float8(v: number | undefined) {
    if (v === undefined) return this.nul();
    this.room(12);
    this.at = this.buf.writeInt32BE(8, this.at);
    this.at = this.buf.writeDoubleBE(v, this.at);
  }
  /** A real: the double rounded to the nearest float, as the statement's Math.fround does. */
  float4(v: number | undefined) {
    if (v === undefined) return this.nul();
    this.room(8);
    this.at = this.buf.writeInt32BE(4, this.at);
    this.at = this.buf.writeFloatBE(v, this.at);
  }
  /** jsonb's binary form: format version 1, then the JSON text (the server parses it). */
  jsonb(text: string | undefined) {
    if (text === undefined) return this.nul();
    const n = Buffer.byteLength(text, 'utf8');
    this.room(5 + n);
    this.at = this.buf.writeInt32BE(n + 1, this.at);
    this.at = this.buf.writeUInt8(1, this.at);
    this.at += this.buf.write(text, this.at, 'utf8');
  }
  private nul() {
    this.room(4);
    this.at = this.buf.writeInt32BE(-1, this.at);
  }
  done(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}
