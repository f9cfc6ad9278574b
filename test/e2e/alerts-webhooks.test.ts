import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONDITION_PRESETS } from '../../core/domain/condition/index.ts';
import { aProduct } from '../support/builders.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

interface Delivery {
  key: string;
  attempt: number;
  body: { id: number; kind: string; title: string; body: string; link: string; sampleId: string };
}

/** A real HTTP receiver that checks every signature and refuses its first `failFirst` requests. */
function receiver(failFirst: number) {
  let secret = '';
  let requests = 0;
  const accepted: Delivery[] = [];
  const badSignatures: string[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c));
    req.on('end', () => {
      requests++;
      const ts = String(req.headers['x-sampletrack-timestamp']);
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${ts}.${raw}`).digest('hex')}`);
      const got = Buffer.from(String(req.headers['x-sampletrack-signature']));
      if (got.length !== expected.length || !timingSafeEqual(got, expected)) badSignatures.push(raw);
      if (requests <= failFirst) {
        res.writeHead(503).end('down for maintenance');
        return;
      }
      const key = String(req.headers['idempotency-key']);
      // An idempotent receiver: a repeat of a key it already has is acknowledged, not stored.
      if (!accepted.some((d) => d.key === key))
        accepted.push({ key, attempt: Number(req.headers['x-sampletrack-attempt']), body: JSON.parse(raw) });
      res.writeHead(204).end();
    });
  });
  return {
    accepted,
    badSignatures,
    get requests() {
      return requests;
    },
    setSecret: (s: string) => {
      secret = s;
    },
    listen: () =>
      new Promise<string>((r) =>
        server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`)),
      ),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const MIN = 60_000;
const suffix = () => Math.random().toString(36).slice(2, 8);
let p: TestPlatform;
const hook = receiver(2);

beforeAll(async () => {
  p = await startTestPlatform({
    WEBHOOK_RETRY_BASE_MS: '50',
    WEBHOOK_POLL_MS: '20',
    ALERT_ESCALATE_AFTER_MIN: '0.0005',
    PUBLIC_URL: 'https://ops.example.com',
  });
});
afterAll(async () => {
  await p?.close();
  await hook.close();
});

async function packedParcel(sku: string) {
  const { id, secret } = await p.provisionDevice(`trk-alert-${suffix()}`);
  const sample = await p.api<{ id: string }>('/api/samples', {
    method: 'POST',
    json: { creator: '@glowwithmia', sku },
  });
  await p.api(`/api/samples/${sample.body.id}/tracker`, { method: 'PUT', json: { deviceId: id } });
  const client = await p.connectTracker(id, secret);
  return {
    sampleId: sample.body.id,
    send: (readings: object[]) =>
      client.publishAsync(`trackers/${id}/telemetry`, JSON.stringify({ readings }), { qos: 1 }),
  };
}

describe('alerts to fulfilment', () => {
  it('an exception opening reaches a webhook with a valid signature once, although the receiver failed the first attempts', async () => {
    const url = await hook.listen();
    const sub = await p.api<{ id: number; secret: string }>('/api/webhook-subscriptions', {
      method: 'POST',
      json: { url, minSeverity: 'warning' },
    });
    expect(sub.status).toBe(201);
    hook.setSecret(sub.body.secret);

    const sku = `CHOC-${suffix()}`;
    await aProduct(p.pool, { sku, profile: CONDITION_PRESETS.chocolate });
    const parcel = await packedParcel(sku);
    // Recent enough that the tracker is not also silent for over 2 h (a second alert).
    const t0 = Date.now() - 3600_000;
    const temps = [20, 20, 20, 20, 20, 20, 30, 31, 30.5, 30, 31];
    await parcel.send(temps.map((tempC, i) => ({ seq: i, ts: t0 + i * 5 * MIN, tempC, lat: 35.2, lon: -101.8 })));

    const opened = await waitFor(
      () => hook.accepted.find((d) => d.body.kind === 'opened' && d.body.sampleId === parcel.sampleId),
      10_000,
      'the opened alert',
    );
    expect(hook.requests).toBeGreaterThanOrEqual(3);
    expect(opened.attempt).toBeGreaterThanOrEqual(3);
    expect(hook.badSignatures).toEqual([]);
    expect(opened.body.title).toBe(`Too hot · ${parcel.sampleId} · @glowwithmia · ${sku}`);
    expect(opened.body.body).toMatch(
      /31 °C \(above the limit of 28 °C\), for 20 min, since .*, in transit near 35\.200, -101\.800\. Sample SMP-.* Next: /,
    );
    expect(opened.body.link).toBe(`https://ops.example.com/samples/${parcel.sampleId}`);

    // Still exactly one per key after more polling rounds.
    await new Promise((r) => setTimeout(r, 300));
    const keys = hook.accepted.map((d) => d.key);
    expect(new Set(keys).size).toBe(keys.length);
    const { rows } = await p.pool.query(`select status, attempts from webhook_deliveries where idempotency_key = $1`, [
      opened.key,
    ]);
    expect(rows[0]).toMatchObject({ status: 'delivered' });
    expect(rows[0].attempts).toBeGreaterThanOrEqual(3);

    const inbox = await p.api<{ alerts: { kind: string; sampleId: string }[] }>('/api/alerts');
    expect(inbox.body.alerts.some((a) => a.kind === 'opened' && a.sampleId === parcel.sampleId)).toBe(true);
  });

  it('an unacknowledged critical exception escalates once, and resolving it sends the closing notice', async () => {
    const sku = `GLASS-${suffix()}`;
    await aProduct(p.pool, { sku, profile: CONDITION_PRESETS.fragile });
    const parcel = await packedParcel(sku);
    const t0 = Date.now() - 3600_000;
    await parcel.send([
      { seq: 0, ts: t0 },
      { seq: 1, ts: t0 + 20 * MIN, shockG: 14 },
    ]);
    const shock = await waitFor(
      async () => {
        const { body } = await p.api<{ exceptions: { id: number; type: string }[] }>(
          `/api/exceptions?sampleId=${parcel.sampleId}`,
        );
        return body.exceptions.find((e) => e.type === 'shock');
      },
      3000,
      'the shock exception',
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(await p.services.alerts.escalate()).toHaveLength(1);
    expect(await p.services.alerts.escalate()).toHaveLength(0);
    await waitFor(
      () => hook.accepted.find((d) => d.body.kind === 'escalated' && d.body.sampleId === parcel.sampleId),
      5000,
      'the escalation',
    );

    // "accept": the bare sample was never shipped, so a carrier claim would be refused (409).
    await p.api(`/api/exceptions/${shock.id}/resolve`, {
      method: 'POST',
      json: { disposition: 'accept' },
      as: { person: 'sam', role: 'fulfillment' },
    });
    const resolved = await waitFor(
      () => hook.accepted.find((d) => d.body.kind === 'resolved' && d.body.sampleId === parcel.sampleId),
      5000,
      'the resolved notice',
    );
    expect(resolved.body.body).toContain('Resolved by sam@test.local with disposition accept');
  });
});
