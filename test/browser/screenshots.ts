import { systemActor, type Principal } from '../../core/domain/auth/principal.ts';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Page } from 'playwright-core';
import { startDemoFleet } from '../../platform/demo-fleet.ts';
import { seedDemoHistory } from '../../platform/demo-history.ts';
import { FollowUpScheduler } from '../../workers/follow-up.scheduler.ts';
import { startPlatform, type Platform } from '../../platform/start-platform.ts';
import { freePort } from '../support/free-port.ts';
import { launchChromium } from './chromium.ts';
import { ensureDashboardBuilt } from './dashboard-build.ts';
import { screenshotPage } from './screenshot.ts';

/**
 * `npm run screenshots`: the platform on random ports with an embedded database in a temp
 * folder, a small demo fleet and a demo sample programme, and a PNG of every dashboard page
 * in screenshots/ (git-ignored) for a reviewer to look at.
 *
 * Sign-in: when the dashboard sends the browser to /login, the script signs in with
 * SCREENSHOT_USER / SCREENSHOT_PASSWORD.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

let adminToken: Promise<string> | undefined;

/** An admin API token of the throwaway platform, made once. */
async function tokenOf(platform: Platform): Promise<string> {
  adminToken ??= (async () => {
    const admin = (await platform.services.users.list())[0]!;
    const owner: Principal = {
      userId: admin.id,
      email: admin.email,
      name: admin.name,
      userRole: 'admin',
      role: 'admin',
      via: 'session',
    };
    return (
      await platform.services.users.createToken(
        owner,
        { name: 'screenshots', role: 'admin' },
        systemActor('screenshots'),
      )
    ).token;
  })();
  return adminToken;
}

async function api<T>(platform: Platform, method: string, path: string, json?: unknown): Promise<T> {
  const res = await fetch(platform.httpUrl + path, {
    method,
    headers: {
      authorization: `Bearer ${await tokenOf(platform)}`,
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

interface Seeded {
  tracked: string;
  pending: string;
  posted: string;
  creatorId: string;
}

/** A small programme: creators, products, samples at every stage, a hot parcel with an exception. */
async function seed(platform: Platform): Promise<Seeded> {
  const handles = ['@ava.cooks', '@glowwithmia', '@techtariq', '@snackqueen.jo', '@fitwithleo', '@matcha.mornings'];
  const creators: Record<string, string> = {};
  for (const h of handles) {
    // The demo programme may have made some already: a creator is found by handle, else added.
    const existing = await api<{ id: string }>(platform, 'GET', `/api/creators/${encodeURIComponent(h)}`).catch(
      () => null,
    );
    creators[h] = existing?.id ?? (await api<{ id: string }>(platform, 'POST', '/api/creators', { handle: h })).id;
  }
  await api(platform, 'PATCH', `/api/creators/${creators['@fitwithleo']}`, {
    standing: 'watch',
    standingReason: 'missed the spring post',
  });
  const products = [
    { sku: 'CHOC-TRUFFLE-12', unitCostCents: 1800, conditionProfile: 'chocolate' },
    { sku: 'SERUM-GLOW-30', unitCostCents: 2400, conditionProfile: null },
    { sku: 'SPEAKER-MINI', unitCostCents: 8900, conditionProfile: 'fragile' },
  ];
  for (const p of products) {
    await api(platform, 'POST', '/api/products', { ...p, name: p.sku, inventoryOnHand: 200 }).catch(() => {});
  }
  const request = async (creator: string, sku: string, campaign: string) =>
    (
      await api<{ sample: { id: string; status: string } }>(platform, 'POST', '/api/sample-requests', {
        creator,
        sku,
        campaign,
        source: 'tiktok_affiliate',
      })
    ).sample;
  const event = (id: string, type: string, data: Record<string, unknown> = {}, reason?: string) =>
    api(platform, 'POST', `/api/samples/${id}/events`, { type, data, ...(reason ? { reason } : {}) });

  let n = 0;
  const ship = async (id: string) => {
    n += 1;
    await event(id, 'create_label', {
      carrier: n % 2 ? 'ups' : 'usps',
      serviceLevel: 'ground',
      trackingId: `1ZDEMO${1000 + n}`,
      shippingCostCents: 550,
      packaging: n % 3 ? 'mailer' : 'box',
    });
    await event(id, 'dispatch', { packedItems: [{ skuId: 'x', quantity: 1 }], warehouseConfirmation: `WH-${n}` });
  };
  let posted = '';
  for (const [i, h] of handles.entries()) {
    const sku = products[i % 2]!.sku;
    const s = await request(h, sku, i % 2 ? 'Glow week' : 'Spring drop');
    if (s.status !== 'approved') continue;
    await ship(s.id);
    if (i < 4) {
      await event(s.id, 'deliver', { receivedAt: Date.now() - (6 - i) * DAY, evidence: i % 2 ? 'courier' : 'creator' });
      if (i < 3) {
        await event(s.id, 'post', {
          postUrl: `https://www.tiktok.com/${h}/video/${7000 + i}`,
          publishedAt: Date.now() - (4 - i) * DAY,
          usableForAds: i !== 1,
        });
        await event(
          s.id,
          'record_outcome',
          i === 2
            ? { orders: 0, gmvCents: 0, classification: 'content_only' }
            : { orders: 4 + i, gmvCents: 9_600 + i * 4_100, classification: 'converted' },
        );
        posted = s.id;
      }
    }
  }
  // Waiting for a named approver: expensive.
  const pending = await request('@techtariq', 'SPEAKER-MINI', 'Spring drop');

  // A tracked chocolate parcel that got too hot on the road.
  const device = await api<{ id: string; secret: string }>(platform, 'POST', '/api/devices', {
    label: 'demo: hot parcel',
  });
  const choc = await request('@snackqueen.jo', 'CHOC-TRUFFLE-12', 'Glow week');
  await api(platform, 'PUT', `/api/samples/${choc.id}/tracker`, { deviceId: device.id });
  if (choc.status === 'approved') await ship(choc.id);
  const client = await mqtt.connectAsync(platform.mqttUrl, {
    clientId: device.id,
    username: device.id,
    password: device.secret,
    reconnectPeriod: 0,
  });
  const t0 = Date.now() - 30 * HOUR;
  const readings = Array.from({ length: 180 }, (_, i) => {
    const hot = i >= 110 && i < 122;
    return {
      seq: i,
      ts: t0 + i * 10 * MIN,
      tempC: hot ? 30.5 + (i % 3) * 0.4 : 19 + 3 * Math.sin(i / 14),
      humidityPct: 48 + 6 * Math.sin(i / 30),
      shockG: i === 64 ? 6.2 : i % 17 === 0 ? 1.4 : 0.3,
      lightLux: i < 2 ? 120 : 0,
      batteryPct: 96 - i * 0.12,
      lat: 34.05 + (i / 180) * (41.88 - 34.05),
      lon: -118.24 + (i / 180) * (-87.63 + 118.24),
    };
  });
  for (let i = 0; i < readings.length; i += 60) {
    await client.publishAsync(
      `trackers/${device.id}/telemetry`,
      JSON.stringify({ readings: readings.slice(i, i + 60) }),
      { qos: 1 },
    );
  }
  await client.endAsync();

  // The work queue: the follow-ups due over the next days fire now (not shipped in time:
  // tasks for ops), one taken by the admin; one outgoing message the receiver kept refusing.
  await new FollowUpScheduler(platform.pool).runOnce(new Date(Date.now() + 9 * DAY));
  const admin = (await platform.services.users.list())[0]!;
  await platform.pool.query(
    `update follow_up_tasks set owner_id = $1 where id = (select min(id) from follow_up_tasks)`,
    [admin.id],
  );
  await platform.pool.query(
    `insert into outbox (idempotency_key, kind, recipient, payload, status, attempts, last_error)
     values ('demo-failed-brief', 'send_brief', 'creator', '{"brief": "Spring drop"}', 'failed', 5, 'receiver answered 503')
     on conflict do nothing`,
  );
  return { tracked: choc.id, pending: pending.id, posted, creatorId: creators['@ava.cooks']! };
}

const SHOTS_USER = 'screenshots@local.test';
const SHOTS_PASSWORD = randomBytes(12).toString('base64url');

async function signInIfNeeded(page: Page): Promise<void> {
  if (!new URL(page.url()).pathname.startsWith('/login')) return;
  const user = process.env.SCREENSHOT_USER ?? SHOTS_USER;
  const password = process.env.SCREENSHOT_PASSWORD ?? SHOTS_PASSWORD;
  await page
    .locator('input[type="email"], input[name="email"], input[name="username"], input[name="user"]')
    .first()
    .fill(user);
  await page.locator('input[type="password"]').first().fill(password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/login')),
    page.locator('button[type="submit"]').first().click(),
  ]);
}

async function main(): Promise<void> {
  console.log('building the dashboard…', await ensureDashboardBuilt());
  const dataDir = await mkdtemp(join(tmpdir(), 'sampletrack-shots-'));
  // Run as root, embedded PostgreSQL initialises its folder as another user.
  await chmod(dataDir, 0o777);
  const platform = await startPlatform({
    env: {
      ...process.env,
      DATABASE_URL: undefined,
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(await freePort()),
      HTTP_PORT: '0',
      MQTT_PORT: '0',
      MQTT_WS_PORT: '0',
      DEMO_FLEET: process.env.DEMO_FLEET ?? '24',
      DEMO_INTERVAL_S: '2',
      FOLLOW_UP_INTERVAL_S: '0',
      LOG_LEVEL: 'warn',
      // The first admin of this throwaway platform, whom the script signs in as.
      ADMIN_EMAIL: SHOTS_USER,
      ADMIN_PASSWORD: SHOTS_PASSWORD,
    },
  });
  console.log(`platform at ${platform.httpUrl}`);
  // As on a first `npm start`: 90 days of program history under the live fleet.
  const history = await seedDemoHistory(platform);
  console.log(`demo history: ${history?.samples ?? 0} samples`);
  const fleet = await startDemoFleet(platform);
  const browser = await launchChromium();
  try {
    const seeded = await seed(platform);
    // The demo fleet reports every 2 s; give it a few rounds and the condition monitor a moment.
    await new Promise((r) => setTimeout(r, 8000));
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(`${page.url()}: ${err.message}`));
    // The app scrolls inside its main area: a tall page gets a tall window instead of fullPage.
    const shots: { name: string; path: string; ready: string; height?: number }[] = [
      { name: 'parcels', path: '/', ready: 'tr[data-device-id]' },
      { name: 'map', path: '/map', ready: '[data-map][data-map-loaded="true"]' },
      { name: 'exceptions', path: '/exceptions', ready: 'li[data-exception-id]' },
      { name: 'samples', path: '/samples', ready: 'tr[data-sample-row]' },
      {
        name: 'sample-tracked',
        path: `/samples/${seeded.tracked}`,
        ready: '[data-chart="temperature"] svg',
        height: 1900,
      },
      { name: 'sample-pending', path: `/samples/${seeded.pending}`, ready: '[data-action]' },
      { name: 'sample-posted', path: `/samples/${seeded.posted}`, ready: 'li[data-event="record_outcome"]' },
      { name: 'creators', path: '/creators', ready: 'tr[data-creator-row]' },
      { name: 'creator', path: `/creators/${seeded.creatorId}`, ready: '[data-tile="sent"]' },
      // The first screen as a new user sees it: the default period over the seeded history.
      { name: 'kpis', path: '/kpis', ready: '[data-kpi="samplesSent"]' },
      { name: 'kpis-by-creator', path: '/kpis?groupBy=creator', ready: 'tr[data-group]', height: 1300 },
      { name: 'fleet', path: '/fleet', ready: 'tr[data-tracker]' },
      { name: 'products', path: '/products', ready: 'tr[data-product-row]' },
      { name: 'sample-new', path: '/samples/new', ready: 'form [name="creator"]' },
      { name: 'approvals', path: '/approvals', ready: 'li[data-approval]' },
      { name: 'creators-import', path: '/creators/import', ready: '[data-csv-import]' },
    ];
    // The work queue and admin pages.
    shots.push(
      { name: 'follow-ups', path: '/follow-ups', ready: 'tr[data-task]' },
      { name: 'outbox', path: '/outbox', ready: 'tr[data-message]' },
      { name: 'admin-users', path: '/admin/users', ready: 'tr[data-user]' },
      { name: 'admin-tokens', path: '/admin/tokens', ready: 'tr[data-token]' },
      { name: 'admin-webhooks', path: '/admin/webhooks', ready: 'form[aria-label="Add a webhook subscription"]' },
      { name: 'admin-audit', path: '/admin/audit', ready: 'tr[data-audit]' },
    );
    // Sign in once through the real page; the session cookie carries every shot after it.
    await page.goto(`${platform.httpUrl}/login`);
    await page.locator('input[type="password"]').first().waitFor();
    await signInIfNeeded(page);
    // Every page on a laptop (1440×900; a tall page gets a tall window) and on a phone (390×844).
    const viewports = [
      { suffix: '', width: 1440, height: 900 },
      { suffix: '-phone', width: 390, height: 844 },
    ];
    for (const viewport of viewports) {
      for (const shot of shots) {
        const height = viewport.suffix ? viewport.height : Math.max(viewport.height, shot.height ?? 0);
        await page.setViewportSize({ width: viewport.width, height });
        await page.goto(platform.httpUrl + shot.path);
        await page.locator(shot.ready).first().waitFor({ timeout: 20_000 });
        await page.waitForTimeout(1500);
        console.log(await screenshotPage(page, shot.name + viewport.suffix));
      }
    }
    if (errors.length) console.warn('page errors:', errors);
  } finally {
    await browser.close();
    await fleet?.stop();
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
