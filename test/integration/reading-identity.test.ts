import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../core/storage/database.ts';
import { createTelemetryStore } from '../../ingest/telemetry-store.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

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
});
