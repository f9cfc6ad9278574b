import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimTracker } from '../../device-sim/tracker.ts';
import { MALFORMED_KINDS } from '../../device-sim/malformed.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(async () => {
  await p?.close();
});

const suffix = () => Math.random().toString(36).slice(2, 8);

describe('a simulated trip through the real platform', () => {
  it('stores every reading exactly once through coverage gaps, resends and shuffled batches', async () => {
    const { id, secret } = await p.provisionDevice(`trk-trip-${suffix()}`);
    const intervalS = 300;
    const readings = 400;
    const tracker = new SimTracker({
      url: p.mqttUrl,
      id,
      secret,
      seed: 7,
      intervalS,
      // Fast clock: ts runs from the past so the whole trip stays behind the platform's clock.
      startAt: Date.now() - (readings + 10) * intervalS * 1000,
      behaviours: {
        gaps: { startChance: 0.1, lengthReadings: [5, 40] },
        duplicates: { resendChance: 0.1 },
        outOfOrder: true,
        tsFormat: 'mixed',
      },
    });
    await tracker.connect();
    await tracker.advance(readings);
    await tracker.endGap();
    await tracker.stop();
    const stats = tracker.stats();
    expect(stats.duplicates).toBeGreaterThan(0);

    // On the embedded broker the PUBACK already meant "stored"; behind an external broker
    // it only means the broker has it, so wait for ingest to catch up.
    const rows = await waitFor(
      async () => {
        const r = await p.pool.query<{ n: number; distinct: number; min: number; max: number }>(
          'select count(*)::int as n, count(distinct seq)::int as distinct, min(seq) as min, max(seq) as max from telemetry where device_id = $1',
          [id],
        );
        return r.rows[0]!.n >= stats.generated ? r.rows : undefined;
      },
      5000,
      'every reading stored',
    );
    // Every measured reading (regular and shock/light event readings) once, none twice.
    expect(rows[0]).toEqual({ n: stats.generated, distinct: stats.generated, min: 0, max: stats.generated - 1 });
    const letters = await p.pool.query('select reason from dead_letters where device_id = $1', [id]);
    expect(letters.rows).toEqual([]);
  });

  it('keeps every malformed kind aside with its reason and stores the valid part', async () => {
    const { id, secret } = await p.provisionDevice(`trk-bad-${suffix()}`);
    const tracker = new SimTracker({ url: p.mqttUrl, id, secret, seed: 3, intervalS: 300 });
    await tracker.connect();
    const sent = [];
    for (const kind of MALFORMED_KINDS) sent.push(await tracker.publishMalformed(kind));
    const expectedLetters = sent.reduce((n, m) => n + Math.max(1, m.rejectedSeqs.length), 0);
    const letters = await waitFor(
      async () => {
        const { rows } = await p.pool.query<{ reason: string; seq: number | null }>(
          'select reason, seq from dead_letters where device_id = $1 order by id',
          [id],
        );
        return rows.length === expectedLetters ? rows : undefined;
      },
      3000,
      'dead letters',
    );
    expect(letters.map((l) => l.reason)).toEqual([
      'invalid_json',
      'invalid_reading',
      'invalid_reading',
      'ts_in_future',
      'invalid_reading',
    ]);
    const valid = sent.flatMap((m) => m.validSeqs);
    const stored = await p.pool.query<{ seq: number }>('select seq from telemetry where device_id = $1 order by seq', [
      id,
    ]);
    expect(stored.rows.map((r) => r.seq)).toEqual(valid.sort((a, b) => a - b));
    await tracker.stop();
  });
});
