import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Principal } from '../../core/domain/auth/principal.ts';
import { systemActor } from '../../core/domain/auth/principal.ts';
import type { PersonRole, Role } from '../../core/domain/auth/roles.ts';
import type { Role as ProcessRole } from '../../core/config/roles.ts';
import { startPlatform, type Platform, type RolePlatform } from '../../platform/start-platform.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

/**
 * Who a test request is sent as: an API token of this role owned by the first admin
 * (admin by default), nobody, or a person of their own (a user made on first use, e.g. an
 * approver who is not the requester).
 */
export type As = Role | 'anonymous' | Person;
export interface Person {
  /** The local part of the user's email: `lead-kim` → lead-kim@test.local. */
  person: string;
  role: PersonRole;
  approvalLimitCents?: number | null;
}

export interface TestPlatform extends Platform, TestHelpers {}

/** A test process of some roles only (`roles`), e.g. the api beside `jobs` processes. */
export interface TestRolePlatform extends RolePlatform, TestHelpers {}

interface TestHelpers {
  db: TestDatabase;
  /** The first admin, created from ADMIN_EMAIL/ADMIN_PASSWORD like a real first start. */
  admin: { email: string; password: string };
  /** Authorization header of an API token with this role (made once per role). */
  authHeaders(as?: As): Promise<Record<string, string>>;
  /** Connects a tracker the way firmware does: client id = username = device id. */
  connectTracker(id: string, secret: string, opts?: mqtt.IClientOptions): Promise<MqttClient>;
  /** Real HTTP to the API, as an admin unless `as` says otherwise. */
  api<T = unknown>(
    path: string,
    init?: RequestInit & { json?: unknown; as?: As },
  ): Promise<{ status: number; body: T }>;
  /**
   * Puts a SKU in the catalogue if it is not there yet ($12, 1,000 on hand unless `fields`
   * say otherwise): a sample request needs the product's cost and stock for the policy.
   */
  product(sku: string, fields?: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real platform on a fresh database and random ports. With TEST_MQTT_URL set
 * (CI's external pass: Mosquitto) ingest reads from that broker instead of the
 * embedded one, and trackers connect there. With `roles`, only those roles run (on `db`
 * when given: a database other processes of the test share; the test drops it).
 */
export function startTestPlatform(extraEnv?: Record<string, string>): Promise<TestPlatform>;
export function startTestPlatform(
  extraEnv: Record<string, string>,
  opts: { roles: readonly ProcessRole[]; db?: TestDatabase },
): Promise<TestRolePlatform>;
export async function startTestPlatform(
  extraEnv: Record<string, string> = {},
  opts: { roles?: readonly ProcessRole[]; db?: TestDatabase } = {},
): Promise<TestPlatform | TestRolePlatform> {
  const db = opts.db ?? (await createTestDatabase());
  // Its own data folder (photos): a test never writes into the checkout.
  const dataDir = mkdtempSync(join(tmpdir(), 'sampletrack-test-'));
  const external = process.env.TEST_MQTT_URL;
  // Own ingest client id and share group per test platform: a shared broker must not hand
  // this platform's messages to another test's (or an old run's) persistent session.
  const ingestId = `ingest-${randomBytes(6).toString('hex')}`;
  const admin = { email: 'admin@test.local', password: randomBytes(12).toString('base64url') };
  const platform: RolePlatform = await startPlatform({
    ...(opts.roles ? { roles: opts.roles } : {}),
    env: {
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      HTTP_PORT: '0',
      MQTT_PORT: '0',
      MQTT_WS_PORT: '0',
      DEMO_FLEET: '0',
      // Tests drive the follow-up scheduler themselves (runOnce with an explicit now).
      FOLLOW_UP_INTERVAL_S: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      // A response that drifts from its documented schema fails the test that provoked it.
      RESPONSE_VALIDATION: 'strict',
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      ...(external ? { MQTT_URL: external, INGEST_CLIENT_ID: ingestId, INGEST_SHARE_GROUP: `g${ingestId}` } : {}),
      ...extraEnv,
    },
  });
  const clients: MqttClient[] = [];
  const adminRow = (await platform.services.users.list())[0]!;
  const owner: Principal = {
    userId: adminRow.id,
    email: adminRow.email,
    name: adminRow.name,
    userRole: 'admin',
    role: 'admin',
    via: 'session',
  };
  const tokens = new Map<Role, Promise<string>>();
  const tokenOf = (role: Role) => {
    let t = tokens.get(role);
    if (!t) {
      t = platform.services.users
        .createToken(owner, { name: `test ${role}`, role }, systemActor('test'))
        .then((r) => r.token);
      tokens.set(role, t);
    }
    return t;
  };
  const people = new Map<string, Promise<string>>();
  const tokenOfPerson = (who: Person) => {
    let t = people.get(who.person);
    if (!t) {
      t = (async () => {
        const user = await platform.services.users.create(
          {
            email: `${who.person}@test.local`,
            name: who.person,
            role: who.role,
            password: randomBytes(12).toString('base64url'),
            ...(who.approvalLimitCents !== undefined ? { approvalLimitCents: who.approvalLimitCents } : {}),
          },
          systemActor('test'),
        );
        const principal: Principal = {
          userId: user.id,
          email: user.email,
          name: user.name,
          userRole: who.role,
          role: who.role,
          via: 'session',
        };
        return (
          await platform.services.users.createToken(principal, { name: 'test', role: who.role }, systemActor('test'))
        ).token;
      })();
      people.set(who.person, t);
    }
    return t;
  };
  const authHeaders = async (as: As = 'admin'): Promise<Record<string, string>> =>
    as === 'anonymous'
      ? {}
      : { authorization: `Bearer ${await (typeof as === 'string' ? tokenOf(as) : tokenOfPerson(as))}` };
  return Object.assign(platform, {
    db,
    admin,
    authHeaders,
    async connectTracker(id: string, secret: string, opts: mqtt.IClientOptions = {}) {
      if (!platform.mqttUrl) throw new Error('this test platform runs no ingest role');
      const c = await mqtt.connectAsync(platform.mqttUrl, {
        clientId: id,
        username: id,
        password: secret,
        clean: false,
        reconnectPeriod: 0,
        protocolVersion: 4,
        ...opts,
      });
      clients.push(c);
      return c;
    },
    async api<T>(path: string, init: RequestInit & { json?: unknown; as?: As } = {}) {
      const { json, as, headers, ...rest } = init;
      if (!platform.httpUrl) throw new Error('this test platform runs no api role');
      const res = await fetch(platform.httpUrl + path, {
        ...rest,
        headers: {
          ...(await authHeaders(as)),
          ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(headers as Record<string, string> | undefined),
        },
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      });
      const text = await res.text();
      // CSV and metrics answer with text; everything else with JSON.
      const isJson = (res.headers.get('content-type') ?? '').includes('json');
      return { status: res.status, body: (text ? (isJson ? JSON.parse(text) : text) : undefined) as T };
    },
    async product(sku: string, fields: Record<string, unknown> = {}) {
      const res = await this.api('/api/products', {
        method: 'POST',
        json: { sku, name: sku, unitCostCents: 1200, inventoryOnHand: 1000, ...fields },
      });
      if (res.status !== 201 && res.status !== 409) throw new Error(`product ${sku}: ${res.status}`);
    },
    async close() {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
      await platform.stop();
      if (!opts.db) await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
      if (external) {
        // Ends the persistent session on the shared broker (3.1.1: connect once with clean session).
        const c = await mqtt.connectAsync(external, { clientId: ingestId, clean: true, reconnectPeriod: 0 });
        await c.endAsync();
      }
    },
  });
}
