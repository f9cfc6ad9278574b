import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../core/storage/database.ts';
import { createTelemetryStore } from '../../ingest/telemetry-store.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * Tracker protocol: "(device id, seq) identifies a reading: a reading received again is not
 * stored twice". A resend of the same seq with another ts (a firmware clock step, a bug) is
 * the same reading: stored once, counted as a duplicate by reason, and the conflicting copy
 * kept aside as a dead letter (duplicate_seq_conflict) so it can be inspected.
 */
let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(async () => {
  await p?.close();
});

const T0 = Date.now() - 3600_000;
async function tracker(tag: string) {
  const { id, secret } = await p.provisionDevice(`trk-${tag}-${randomBytes(3).toString('hex')}`);
  const client = await p.connectTracker(id, secret);
  const publish = (body: unknown) => client.publishAsync(`trackers/${id}/telemetry`, JSON.stringify(body), { qos: 1 });
  return { id, client, publish };
}
const stored = async (id: string) =>
  (
    await p.pool.query<{ seq: number; ts: Date; temp_c: number | null }>(
      'select seq, ts, temp_c from telemetry where device_id = $1 order by seq, ts',
      [id],
    )
  ).rows.map((r) => ({ seq: r.seq, ts: r.ts.getTime(), tempC: r.temp_c }));
const letters = async (id: string) =>
  (
    await p.pool.query<{ reason: string; seq: number | null; detail: string }>(
      'select reason, seq, detail from dead_letters where device_id = $1 order by id',
      [id],
    )
  ).rows;
const duplicates = async () => {
  const text = String((await p.api<string>('/metrics')).body);
  const count = (reason: string) =>
    Number(new RegExp(`sampletrack_readings_duplicate_total\\{reason="${reason}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { sameTs: count('same_ts'), conflictingTs: count('conflicting_ts') };
};

describe.skipIf(Boolean(process.env.TEST_MQTT_URL))('a reading is identified by (device, seq)', () => {
  it('stores the same seq with another ts once, counts it as a conflicting duplicate and keeps the copy aside', async () => {
    const t = await tracker('conflict');
    const before = await duplicates();
    const seenAt = async () =>
      (
        await p.pool.query<{ last_seen_at: Date }>('select last_seen_at from parcel_state where device_id = $1', [t.id])
      ).rows[0]!.last_seen_at.getTime();
    await t.publish({ seq: 7, ts: T0, tempC: 4 });
    const firstSeen = await seenAt();
    await new Promise((r) => setTimeout(r, 20));
    await t.publish({ seq: 7, ts: T0 + 60_000, tempC: 9 });
    expect(await seenAt()).toBeGreaterThan(firstSeen); // heard from, though nothing was stored
    await t.publish({ seq: 7, ts: T0, tempC: 4 }); // a plain resend
    expect(await stored(t.id)).toEqual([{ seq: 7, ts: T0, tempC: 4 }]);
    const after = await duplicates();
    expect(after.conflictingTs - before.conflictingTs).toBe(1);
    expect(after.sameTs - before.sameTs).toBe(1);
    const l = await letters(t.id);
    expect(l.map((x) => [x.reason, x.seq])).toEqual([['duplicate_seq_conflict', 7]]);
    expect(l[0]!.detail).toContain(new Date(T0).toISOString());
    // The parcel shown is the first copy's: what users were shown is not rewritten.
    const parcel = await p.pool.query<{ ts: Date }>('select ts from parcel_state where device_id = $1', [t.id]);
    expect(parcel.rows[0]!.ts.getTime()).toBe(T0);
  });

  it('stores a seq repeated within one batch once', async () => {
    const t = await tracker('inbatch');
    const before = await duplicates();
    await t.publish({
      readings: [
        { seq: 1, ts: T0, tempC: 1 },
        { seq: 2, ts: T0 + 1000, tempC: 2 },
        { seq: 1, ts: T0 + 5000, tempC: 3 },
        { seq: 2, ts: T0 + 1000, tempC: 2 },
      ],
    });
    expect(await stored(t.id)).toEqual([
      { seq: 1, ts: T0, tempC: 1 },
      { seq: 2, ts: T0 + 1000, tempC: 2 },
    ]);
    const after = await duplicates();
    expect(after.conflictingTs - before.conflictingTs).toBe(1);
    expect(after.sameTs - before.sameTs).toBe(1);
  });

  it('stores a seq once across batches written at the same time and across a restart of the store', async () => {
    const { id } = await p.provisionDevice(`trk-restart-${randomBytes(3).toString('hex')}`);
    const r = (seq: number, ts: number) => ({ deviceId: id, seq, ts, receivedAt: Date.now() });
    // Two batches in flight at once (the BatchWriter's default), the same seq in each.
    const store = createTelemetryStore(p.pool);
    const [a, b] = await Promise.all([
      store({ readings: [r(1, T0), r(2, T0 + 1000)], deadLetters: [] }),
      store({ readings: [r(2, T0 + 2000), r(1, T0 + 3000)], deadLetters: [] }),
    ]);
    expect(a.stored.length + b.stored.length).toBe(2);
    expect(a.duplicates + b.duplicates).toBe(2);
    // A new store on a new pool, as after a restart of the process.
    const pool = createPool(p.db.url, 2);
    try {
      const again = await createTelemetryStore(pool)({ readings: [r(1, T0 + 9000), r(3, T0 + 3000)], deadLetters: [] });
      expect(again.stored.map((x) => x.seq)).toEqual([3]);
      expect(again.duplicates).toBe(1);
    } finally {
      await pool.end();
    }
    expect((await stored(id)).map((x) => x.seq)).toEqual([1, 2, 3]);
  });

  // A flush of many new readings goes by COPY, in a savepoint; one that meets a stored key
  // falls back to the statement. Either way the answer and what is stored are the same.
  it('keeps the same rules and stores the same values when a large flush goes by COPY', async () => {
    const store = createTelemetryStore(p.pool);
    const reading = (deviceId: string, seq: number, ts: number) => ({
      deviceId,
      seq,
      ts,
      receivedAt: ts + 1234,
      lat: 52.123456789,
      lon: -0.000001,
      accM: 3.3,
      tempC: 1e-30, // underflows a real: rounded, not refused
      humidityPct: 55.55,
      shockG: 0.1,
      batteryPct: 99,
      ...(seq % 2 ? { extra: { simSentAt: ts, note: 'ü "q"', nested: [1, null] } } : {}),
    });
    const many = await p.provisionDevice(`trk-copy-${randomBytes(3).toString('hex')}`);
    const few = await p.provisionDevice(`trk-stmt-${randomBytes(3).toString('hex')}`);
    const first = await store({ readings: range(0, 100).map((s) => reading(many.id, s, T0 + s)), deadLetters: [] });
    expect(first.stored).toHaveLength(100);
    await store({ readings: [reading(few.id, 1, T0 + 1), reading(few.id, 2, T0 + 2)], deadLetters: [] });
    const columns = async (id: string, seq: number) =>
      (
        await p.pool.query(
          `select ts::text, received_at::text, lat::text, lon::text, acc_m::text, temp_c::text, humidity_pct::text,
             shock_g::text, tilt_deg, light_lux, battery_pct::text, rssi_dbm, extra::text
           from telemetry where device_id = $1 and seq = $2`,
          [id, seq],
        )
      ).rows[0];
    // The COPY's binary values are the statement's, column by column.
    expect(await columns(many.id, 1)).toEqual(await columns(few.id, 1));
    expect(await columns(many.id, 2)).toEqual(await columns(few.id, 2));

    // 50…74 resent as they were, 75…99 with another ts, 100…149 new, 120 twice.
    const resend = [
      ...range(50, 75).map((s) => reading(many.id, s, T0 + s)),
      ...range(75, 100).map((s) => reading(many.id, s, T0 + 60_000 + s)),
      ...range(100, 150).map((s) => reading(many.id, s, T0 + s)),
      reading(many.id, 120, T0 + 120),
    ];
    const second = await store({ readings: resend, deadLetters: [] });
    expect(second.stored.map((r) => r.seq)).toEqual(range(100, 150));
    expect(second.duplicatesByReason).toEqual({ sameTs: 26, conflictingTs: 25 });
    expect((await letters(many.id)).map((l) => [l.reason, l.seq])).toEqual(
      range(75, 100).map((s) => ['duplicate_seq_conflict', s]),
    );

    // Two large flushes in flight sharing keys: each key stored once, no deadlock.
    const [a, b] = await Promise.all([
      store({ readings: range(150, 250).map((s) => reading(many.id, s, T0 + s)), deadLetters: [] }),
      store({ readings: range(200, 300).map((s) => reading(many.id, s, T0 + s)), deadLetters: [] }),
    ]);
    expect(a.stored.length + b.stored.length).toBe(150);
    expect(a.duplicates + b.duplicates).toBe(50);
    const rows = await stored(many.id);
    expect(rows.map((r) => r.seq)).toEqual(range(0, 300));
    expect(rows.every((r) => r.ts === T0 + r.seq)).toBe(true);
  });

  // The writer retries a failed flush but waits forever on one that never settles: a COPY
  // whose connection dies must reject like any statement. It waits on a key another
  // transaction holds uncommitted, and its backend is terminated meanwhile.
  it('rejects a COPY whose connection dies mid-copy, and the retry stores the flush', async () => {
    const store = createTelemetryStore(p.pool);
    const { id } = await p.provisionDevice(`trk-cut-${randomBytes(3).toString('hex')}`);
    const batch = {
      readings: range(0, 100).map((seq) => ({ deviceId: id, seq, ts: T0 + seq, receivedAt: T0 + seq })),
      deadLetters: [],
    };
    const blocker = await p.pool.connect();
    try {
      await blocker.query('begin');
      await blocker.query('insert into telemetry_ids (device_id, seq, ts) values ($1, 99, $2)', [id, new Date(T0)]);
      const flush = store(batch).then(
        () => 'stored',
        (err: Error) => err.message,
      );
      const { pid } = await waitFor(
        async () =>
          (
            await p.pool.query<{ pid: number }>(
              `select pid from pg_stat_activity where query like 'copy telemetry_ids%' and wait_event_type = 'Lock'`,
            )
          ).rows[0],
        10_000,
        'the COPY to wait on the held key',
      );
      await p.pool.query('select pg_terminate_backend($1)', [pid]);
      expect(await flush).toMatch(/terminat/i);
    } finally {
      await blocker.query('rollback');
      blocker.release();
    }
    expect((await store(batch)).stored).toHaveLength(100);
    expect((await stored(id)).map((r) => r.seq)).toEqual(range(0, 100));
  });
});

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
