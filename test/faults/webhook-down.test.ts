import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { freePort } from '../support/free-port.ts';
import { waitFor } from '../support/wait-for.ts';
import { PlatformProcess } from './support.ts';

/**
 * A webhook receiver down while alerts are raised (issue 6, part 4): the platform process
 * keeps each delivery in its outbox and retries with back-off; once the receiver is back,
 * every alert arrives exactly once per idempotency key, each signature valid. The downtime
 * is compressed (WEBHOOK_RETRY_BASE_MS=150: retries after ~0.15, 0.3, 0.6, 1.2, 2.4 s) so
 * that several back-off rounds fail before the receiver returns.
 */
const DOWN_MS = 5000;
const PARCELS = 6;

let db: TestDatabase;
let platform: PlatformProcess;
let hookPort: number;
let mqttPort: number;

/** The receiver: nothing listens on its port until `up()`; then it checks and records every request. */
function receiver() {
  let secret = '';
  let server: Server | undefined;
  const perKey = new Map<string, number>();
  const badSignatures: string[] = [];
  const attempts: number[] = [];
  return {
    perKey,
    badSignatures,
    attempts,
    setSecret: (s: string) => {
      secret = s;
    },
    up: () =>
      new Promise<void>((resolve) => {
        server = createServer((req, res) => {
          let raw = '';
          req.on('data', (c: Buffer) => (raw += c));
          req.on('end', () => {
            const ts = String(req.headers['x-sampletrack-timestamp']);
            const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${ts}.${raw}`).digest('hex')}`);
            const got = Buffer.from(String(req.headers['x-sampletrack-signature']));
            if (got.length !== expected.length || !timingSafeEqual(got, expected)) badSignatures.push(raw);
            const key = String(req.headers['idempotency-key']);
            perKey.set(key, (perKey.get(key) ?? 0) + 1);
            attempts.push(Number(req.headers['x-sampletrack-attempt']));
            res.writeHead(204).end();
          });
        });
        server.listen(hookPort, '127.0.0.1', () => resolve());
      }),
    close: () => new Promise<void>((r) => (server ? server.close(() => r()) : r())),
  };
}
const hook = receiver();

beforeAll(async () => {
  db = await createTestDatabase();
  hookPort = await freePort();
  mqttPort = await freePort();
  const [http, ws] = [await freePort(), await freePort()];
  platform = new PlatformProcess({
    DATABASE_URL: db.url,
    HTTP_PORT: String(http),
    MQTT_PORT: String(mqttPort),
    MQTT_WS_PORT: String(ws),
    DEMO_FLEET: '0',
    FOLLOW_UP_INTERVAL_S: '0',
    LOG_LEVEL: 'error',
    WEBHOOK_RETRY_BASE_MS: '150',
    WEBHOOK_POLL_MS: '50',
    WEBHOOK_MAX_ATTEMPTS: '25',
  });
  await platform.start();
}, 120_000);

afterAll(async () => {
  if (platform?.exitCode === null) await platform.kill('SIGTERM');
  await hook.close();
  await db?.drop();
});

async function api<T>(path: string, init: { method?: string; json?: unknown } = {}): Promise<T> {
  const res = await fetch(`${platform.httpUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(await platform.authHeaders()),
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

describe('a webhook receiver down while alerts are raised', () => {
  it(
    'gets every alert exactly once per idempotency key after it returns, each signed',
    { timeout: 90_000 },
    async () => {
      const sub = await api<{ secret: string }>('/api/webhook-subscriptions', {
        method: 'POST',
        json: { url: `http://127.0.0.1:${hookPort}/hooks`, minSeverity: 'warning' },
      });
      hook.setSecret(sub.secret);
      await api('/api/products', {
        method: 'POST',
        json: { sku: 'GLASS-1', name: 'Glass vial', unitCostCents: 900, conditionProfile: 'fragile' },
      });

      // Each parcel is dropped (a 14 g shock, past the packing grace period): one critical exception, one alert each.
      const creds = await platform.provision('trk-hook', PARCELS);
      const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
      const t0 = Date.now() - 3600_000;
      const downSince = Date.now();
      for (const [i, { id, secret }] of creds.entries()) {
        // One creator per parcel: the policy refuses a second send of a SKU to the same creator.
        const sample = await api<{ id: string }>('/api/samples', {
          method: 'POST',
          json: { creator: `@glowwithmia.${i}`, sku: 'GLASS-1' },
        });
        await api(`/api/samples/${sample.id}/tracker`, { method: 'PUT', json: { deviceId: id } });
        const client = await mqtt.connectAsync(mqttUrl, {
          clientId: id,
          username: id,
          password: secret,
          clean: false,
          reconnectPeriod: 0,
        });
        await client.publishAsync(
          `trackers/${id}/telemetry`,
          JSON.stringify({
            readings: [
              { seq: 0, ts: t0 },
              { seq: 1, ts: t0 + 20 * 60_000, shockG: 14 },
            ],
          }),
          { qos: 1 },
        );
        await client.endAsync();
      }
      const raised = await waitFor(
        async () => {
          const { rows } = await db.pool.query<{ n: number }>('select count(*)::int as n from alerts');
          return rows[0]!.n >= PARCELS ? rows[0]!.n : undefined;
        },
        15_000,
        'the alerts',
      ).catch(async (err: Error) => {
        const { rows } = await db.pool
          .query(`select (select count(*) from telemetry) as readings, (select count(*) from condition_exceptions) as exceptions,
        (select count(*) from shipment_trackers) as tracked`);
        throw new Error(`${err.message}: ${JSON.stringify(rows[0])}\n${platform.output.slice(-2000)}`);
      });

      // Down long enough for several back-off rounds to fail.
      await new Promise((r) => setTimeout(r, Math.max(0, DOWN_MS - (Date.now() - downSince))));
      const { rows: failing } = await db.pool.query<{ attempts: number; status: string }>(
        'select attempts, status from webhook_deliveries',
      );
      expect(failing).toHaveLength(raised);
      expect(failing.every((d) => d.status === 'pending')).toBe(true);
      const retriesWhileDown = Math.min(...failing.map((d) => d.attempts));
      expect(retriesWhileDown).toBeGreaterThanOrEqual(3);
      expect(hook.perKey.size).toBe(0);

      await hook.up();
      await waitFor(
        async () => {
          const { rows } = await db.pool.query<{ n: number }>(
            `select count(*)::int as n from webhook_deliveries where status = 'delivered'`,
          );
          return rows[0]!.n >= raised;
        },
        30_000,
        'every delivery to succeed',
      );
      // Further polling rounds must not send anything again.
      await new Promise((r) => setTimeout(r, 1000));

      const { rows: keys } = await db.pool.query<{ key: string }>(
        'select idempotency_key as key from webhook_deliveries',
      );
      const delivered = keys.filter((k) => hook.perKey.has(k.key)).length;
      const duplicated = [...hook.perKey.values()].reduce((n, c) => n + c - 1, 0);
      const lost = raised - delivered;
      console.log(
        `[fault: webhook receiver down ${DOWN_MS / 1000} s] alerts raised ${raised}, delivered ${delivered}, ` +
          `duplicated ${duplicated}, lost ${lost}, failed attempts while down ≥ ${retriesWhileDown} each, bad signatures ${hook.badSignatures.length}`,
      );
      expect(lost).toBe(0);
      expect(duplicated).toBe(0);
      expect(hook.perKey.size).toBe(raised);
      expect(hook.badSignatures).toEqual([]);
      // The first attempt the receiver saw was a retry, numbered after the ones that failed.
      expect(Math.min(...hook.attempts)).toBeGreaterThan(retriesWhileDown);
    },
  );
});
