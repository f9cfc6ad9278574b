import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { startPlatform, type Platform } from '../../platform/start-platform.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export interface TestPlatform extends Platform {
  db: TestDatabase;
  /** Connects a tracker the way firmware does: client id = username = device id. */
  connectTracker(id: string, secret: string, opts?: mqtt.IClientOptions): Promise<MqttClient>;
  api<T = unknown>(path: string, init?: RequestInit & { json?: unknown }): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/**
 * The real platform on a fresh database and random ports. With TEST_MQTT_URL set
 * (CI's external pass: Mosquitto) ingest reads from that broker instead of the
 * embedded one, and trackers connect there.
 */
export async function startTestPlatform(extraEnv: Record<string, string> = {}): Promise<TestPlatform> {
  const db = await createTestDatabase();
  const external = process.env.TEST_MQTT_URL;
  // Own ingest client id and share group per test platform: a shared broker must not hand
  // this platform's messages to another test's (or an old run's) persistent session.
  const ingestId = `ingest-${randomBytes(6).toString('hex')}`;
  const platform = await startPlatform({
    env: {
      DATABASE_URL: db.url,
      HTTP_PORT: '0',
      MQTT_PORT: '0',
      MQTT_WS_PORT: '0',
      DEMO_FLEET: '0',
      // Tests drive the follow-up scheduler themselves (runOnce with an explicit now).
      FOLLOW_UP_INTERVAL_S: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...(external ? { MQTT_URL: external, INGEST_CLIENT_ID: ingestId, INGEST_SHARE_GROUP: `g${ingestId}` } : {}),
      ...extraEnv,
    },
  });
  const clients: MqttClient[] = [];
  return Object.assign(platform, {
    db,
    async connectTracker(id: string, secret: string, opts: mqtt.IClientOptions = {}) {
      const c = await mqtt.connectAsync(platform.mqttUrl, {
        clientId: id, username: id, password: secret, clean: false, reconnectPeriod: 0, protocolVersion: 4, ...opts,
      });
      clients.push(c);
      return c;
    },
    async api<T>(path: string, init: RequestInit & { json?: unknown } = {}) {
      const { json, ...rest } = init;
      const res = await fetch(platform.httpUrl + path, {
        ...rest,
        ...(json !== undefined ? { body: JSON.stringify(json), headers: { 'content-type': 'application/json' } } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
    async close() {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
      await platform.stop();
      await db.drop();
      if (external) {
        // Ends the persistent session on the shared broker (3.1.1: connect once with clean session).
        const c = await mqtt.connectAsync(external, { clientId: ingestId, clean: true, reconnectPeriod: 0 });
        await c.endAsync();
      }
    },
  });
}
