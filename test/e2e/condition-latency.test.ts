import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CONDITION_PRESETS } from '../../core/domain/condition/index.ts';
import { aProduct } from '../support/builders.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * Rules under load: with 1,000 readings/s offered to the real platform (QoS 1, each
 * acknowledged only after its commit) and every trip updating an ongoing exception, each box
 * opened in transit reaches the live WebSocket as its exception. The latency is printed, not
 * asserted: speed is measured by `npm run bench` (reading → exception-event p50/p99), never in
 * a timed test that a loaded machine would fail.
 */

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(async () => {
  await p?.close();
});

const TRACKERS = 40;
const PER_SECOND = 1000;
const SECONDS = 4;
const suffix = () => Math.random().toString(36).slice(2, 8);

describe('rules at speed', () => {
  it('under 1,000 readings/s, every box opened in transit reaches the live socket as its exception', async () => {
    const sku = `COLD-${suffix()}`.toUpperCase();
    // Cold chain: every reading is judged by the temperature rules too, not only light, battery and silence.
    await aProduct(p.pool, { sku, profile: CONDITION_PRESETS['cold-chain'] });
    const trackers: { id: string; client: MqttClient; seq: number }[] = [];
    for (let i = 0; i < TRACKERS; i++) {
      const { id, secret } = await p.provisionDevice(`trk-lat-${suffix()}`);
      const sample = await p.api<{ id: string }>('/api/samples', {
        method: 'POST',
        json: { creator: '@ava.cooks', sku },
      });
      await p.api(`/api/samples/${sample.body.id}/tracker`, { method: 'PUT', json: { deviceId: id } });
      trackers.push({ id, client: await p.connectTracker(id, secret), seq: 0 });
    }
    const seen = new Map<string, number>();
    const ws = new WebSocket(`${p.httpUrl.replace('http', 'ws')}/api/live`, { headers: await p.authHeaders('viewer') });
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; exceptions?: { deviceId: string; type: string }[] };
      for (const e of m.exceptions ?? [])
        if (e.type === 'opened_in_transit' && !seen.has(e.deviceId)) seen.set(e.deviceId, Date.now());
    });
    await new Promise((r) => ws.once('open', r));

    const packedAt = Date.now() - 3600_000; // packed an hour ago: past the ignore period
    // Every tracker's battery is low: each reading updates an ongoing exception on every trip, so every
    // committed batch has many trips to persist (the load under which exceptions lagged by 24–37 s).
    const send = (t: (typeof trackers)[number], fields: object) =>
      t.client.publishAsync(
        `trackers/${t.id}/telemetry`,
        JSON.stringify({ seq: t.seq++, ts: Date.now(), tempC: 5, lightLux: 0, batteryPct: 10, ...fields }),
        { qos: 1 },
      );
    // Warm-up: packed an hour ago, then a reading past the ignore period; every trip loaded and its battery_low raised.
    await Promise.all(
      trackers.map((t) =>
        t.client.publishAsync(
          `trackers/${t.id}/telemetry`,
          JSON.stringify({
            readings: [
              { seq: t.seq++, ts: packedAt, tempC: 5, lightLux: 0, batteryPct: 10 },
              { seq: t.seq++, ts: packedAt + 20 * 60_000, tempC: 5, lightLux: 0, batteryPct: 10 },
            ],
          }),
          { qos: 1 },
        ),
      ),
    );
    await waitFor(
      async () =>
        (await p.pool.query(`select 1 from condition_exceptions where type = 'battery_low'`)).rowCount === TRACKERS,
      60_000,
      'the warm-up judged',
    );
    await p.conditions.drain();

    // 1,000 readings/s spread over the trackers, in 50 ms ticks; one box opens per second, mid-run.
    const committedAt = new Map<string, number>();
    const pending: Promise<unknown>[] = [];
    const tickMs = 50;
    const perTick = (PER_SECOND * tickMs) / 1000;
    const started = Date.now();
    let sent = 0;
    for (let tick = 0; tick < (SECONDS * 1000) / tickMs; tick++) {
      for (let k = 0; k < perTick; k++) {
        const t = trackers[(tick * perTick + k) % TRACKERS]!;
        const opens = tick > 0 && tick % 20 === 10 && k === 0;
        const target = opens ? trackers[(tick / 20) | 0]! : t;
        const published = send(target, opens ? { lightLux: 500 } : {});
        if (opens) pending.push(published.then(() => committedAt.set(target.id, Date.now())));
        else pending.push(published);
        sent++;
      }
      const due = started + (tick + 1) * tickMs;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    }
    await Promise.all(pending);
    const elapsedS = (Date.now() - started) / 1000;
    await waitFor(
      () => [...committedAt.keys()].every((id) => seen.has(id)),
      60_000,
      'every opened box on the live socket',
    );
    ws.close();

    const latencies = [...committedAt].map(([id, at]) => seen.get(id)! - at).sort((a, b) => a - b);
    console.log(
      `rules at speed: ${sent} readings in ${elapsedS.toFixed(1)} s (${Math.round(sent / elapsedS)}/s); commit → live exception ms: ${latencies.join(', ')}`,
    );
    expect(latencies).toHaveLength(SECONDS);
    // One exception per opened box, never one per reading.
    const { rows } = await p.pool.query<{ n: number }>(
      `select count(*)::int as n from condition_exceptions where type = 'opened_in_transit' and device_id = any($1)`,
      [[...committedAt.keys()]],
    );
    expect(rows[0]!.n).toBe(SECONDS);
  }, 180_000);
});
