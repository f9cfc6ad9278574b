import { randomBytes } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { hashSecret } from '../../core/domain/device-secret.ts';
import { DeviceRepository } from '../../core/storage/repositories/device.repository.ts';
import type { TestPlatform } from '../support/platform.ts';
import { screenshotPage } from './screenshot.ts';

/**
 * What every browser suite shares: one real platform and one Chromium, started by
 * dashboard.browser.test.ts (one file, so the suites run one after another and the
 * timing measurements do not compete with another platform on the same cores).
 *
 * The tests run in Node without DOM types, so code that runs in the page is passed to
 * `page.evaluate` as source text.
 */
export interface Harness {
  platform: TestPlatform;
  browser: Browser;
  /** The 2,000-tracker fleet, once the parcels suite has made it: publish() moves every given tracker once. */
  fleet?: {
    ids: string[];
    publish(ids: readonly string[]): Promise<void>;
    /** The seq the last publish sent. */ seq(): number;
  };
}

export const harness = {} as Harness;

export interface OpenPage {
  page: Page;
  /** Uncaught exceptions and console errors in the page. */
  errors: string[];
  /** Main-frame navigations (same-document ones included) since the page was ready. */
  navigations(): number;
}

/** SCREENSHOTS=1 saves what the tests saw to screenshots/ (git-ignored). */
/**
 * The text as a reader sees it: runs of whitespace are one space (the formatter may wrap a
 * template's text across lines; the browser renders it the same).
 */
export const shownText = async (l: Locator): Promise<string> =>
  ((await l.textContent()) ?? '').replace(/\s+/g, ' ').trim();

export const screenshot = async (page: Page, name: string) => {
  if (process.env.SCREENSHOTS) await screenshotPage(page, name);
};

/** Opens `path` in a fresh browser context (fresh localStorage) and waits for the live feed. */
export async function openPath(
  path: string,
  options: { ready?: string; setup?: (page: Page) => Promise<unknown>; as?: Login } = {},
): Promise<OpenPage> {
  const page = await harness.browser.newPage({ viewport: { width: 1600, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  let navigations = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations += 1;
  });
  await options.setup?.(page);
  await signIn(page, path, options.as);
  await page
    .locator(options.ready ?? '[data-live="open"]')
    .first()
    .waitFor()
    .catch((cause: unknown) => {
      throw new Error(`${path} never got ready; page errors: ${JSON.stringify(errors)}`, { cause });
    });
  const ready = navigations;
  return { page, errors, navigations: () => navigations - ready };
}

/** Who signs in through the sign-in page. */
export interface Login {
  email: string;
  password: string;
}

const logins = new Map<string, Promise<Login>>();
/**
 * A person who signs in with a password (made through the admin API once per name):
 * `name@test.local`, with this role and approval limit.
 */
export function person(name: string, role: string, approvalLimitCents?: number): Promise<Login> {
  let login = logins.get(name);
  if (!login) {
    login = (async () => {
      const l = { email: `${name}@test.local`, password: randomBytes(12).toString('base64url') };
      const res = await harness.platform.api('/api/users', {
        method: 'POST',
        json: { ...l, name, role, ...(approvalLimitCents === undefined ? {} : { approvalLimitCents }) },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return l;
    })();
    logins.set(name, login);
  }
  return login;
}

/**
 * Signs in through the real sign-in page (as the platform's first admin unless `as` says
 * otherwise), which then loads `path` (a fresh context has no session: the dashboard would
 * send it to /login anyway).
 */
export async function signIn(page: Page, path: string, as: Login = harness.platform.admin): Promise<void> {
  const { httpUrl } = harness.platform;
  await page.goto(`${httpUrl}/login?next=${encodeURIComponent(path)}`);
  await page.getByLabel('Email').fill(as.email);
  await page.getByLabel('Password').fill(as.password);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== '/login'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
}

export function inPage<T>(page: Page, source: string): Promise<T> {
  return page.evaluate(source) as Promise<T>;
}

export async function waitInPage(page: Page, condition: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction(condition, undefined, { timeout });
}

/** A provisioned tracker packed into a new sample for `creator` and `sku`. */
export async function provisionInSample(
  creator: string,
  sku: string,
): Promise<{ id: string; secret: string; sampleId: string }> {
  const { platform } = harness;
  const id = `trk-web-${randomBytes(3).toString('hex')}`;
  const device = await platform.api<{ id: string; secret: string }>('/api/devices', { method: 'POST', json: { id } });
  expect(device.status).toBe(201);
  await platform.product(sku);
  const sample = await platform.api<{ id: string }>('/api/samples', { method: 'POST', json: { creator, sku } });
  expect(sample.status).toBe(201);
  const attached = await platform.api(`/api/samples/${sample.body.id}/tracker`, {
    method: 'PUT',
    json: { deviceId: id },
  });
  expect(attached.status).toBe(200);
  return { id, secret: device.body.secret, sampleId: sample.body.id };
}

/** Publishes readings through the real broker as the tracker (one message, batched if several). */
export async function trackerSender(id: string, secret: string) {
  const client = await harness.platform.connectTracker(id, secret);
  return {
    client,
    send: (readings: object[]) =>
      client.publishAsync(
        `trackers/${id}/telemetry`,
        JSON.stringify(readings.length === 1 ? readings[0] : { readings }),
        { qos: 1 },
      ),
  };
}

export const suffix = () => randomBytes(3).toString('hex');

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * A fleet of `size` trackers, made once and shared by the suites (parcels, map). Provisioning
 * 2,000 trackers and 2,000 MQTT logins would spend minutes in scrypt, which is not what they
 * measure: the devices share one secret hash, and readings enter where the broker hands an
 * authorized publish to ingest. From there on (validation, batching, storage, change notice,
 * live hub, WebSocket, page) it is the real path.
 */
export async function ensureFleet(size = 2000): Promise<NonNullable<typeof harness.fleet>> {
  if (harness.fleet) return harness.fleet;
  const prefix = `trk-fleet-${randomBytes(2).toString('hex')}`;
  const ids = Array.from({ length: size }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
  const devices = new DeviceRepository(harness.platform.pool);
  const sharedHash = await hashSecret(randomBytes(16).toString('hex'));
  for (let i = 0; i < ids.length; i += 50)
    await Promise.all(ids.slice(i, i + 50).map((id) => devices.insert(id, sharedHash, null)));
  let seq = 0;
  const publish = async (batch: readonly string[]) => {
    seq += 1;
    const ts = new Date().toISOString();
    await Promise.all(
      batch.map(
        (id, i) =>
          new Promise<void>((resolve, reject) => {
            const reading = {
              seq,
              ts,
              lat: 34 + i / 1000,
              lon: -118 - i / 1000,
              tempC: 4 + (seq % 10) / 2,
              humidityPct: 40,
              batteryPct: 90,
            };
            harness.platform.ingest.handle(
              {
                topic: `trackers/${id}/telemetry`,
                payload: Buffer.from(JSON.stringify(reading)),
                receivedAt: Date.now(),
              },
              (err) => (err ? reject(err) : resolve()),
            );
          }),
      ),
    );
  };
  await publish(ids);
  harness.fleet = { ids, publish, seq: () => seq };
  return harness.fleet;
}
