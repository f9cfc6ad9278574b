import { describe, expect, it } from 'vitest';
import { SimTracker } from '../../device-sim/tracker.ts';
import { harness, openPath, screenshot, shownText, suffix, trackerSender } from './harness.ts';

/**
 * The fleet: trackers with battery, last seen, firmware and the sample they ride in, kept
 * live; provisioning shows the new secret once, and that secret is what the tracker uses.
 */

export function fleetSuite(): void {
  describe('dashboard: fleet', () => {
    it(
      'provisions a tracker showing its secret once, then shows its status and sample live',
      { timeout: 60_000 },
      async () => {
        const id = `trk-fleet-${suffix()}`;
        const { page, errors, navigations } = await openPath('/fleet');
        await page.evaluate('window.__sameDocument = true');
        await page.getByLabel('Tracker id').fill(id);
        await page.getByLabel('Label').fill('bench unit');
        await page.getByRole('button', { name: 'Provision' }).click();
        const issued = page.locator(`[data-issued="${id}"]`);
        await issued.waitFor();
        const secret = (await shownText(issued.locator('[data-secret]')))!;
        expect(secret.length).toBeGreaterThanOrEqual(16);
        const row = page.locator(`tr[data-tracker="${id}"]`);
        await row.waitFor();
        // Among thousands, the list narrows to the new tracker.
        expect(await page.getByLabel('Search trackers').inputValue()).toBe(id);
        expect(await shownText(row)).toContain('bench unit');
        expect(await shownText(row.locator('[data-col="sample"]'))).toBe('free');
        await screenshot(page, 'fleet-provisioned');

        // Packed into a sample (the live feed carries trackers that are in a sample or have
        // reported), the secret shown is the one the broker accepts, and its readings arrive live.
        await harness.platform.product('TEA-SAMPLER');
        const sample = await harness.platform.api<{ id: string }>('/api/samples', {
          method: 'POST',
          json: { creator: '@fleet.test', sku: 'TEA-SAMPLER' },
        });
        await harness.platform.api(`/api/samples/${sample.body.id}/tracker`, { method: 'PUT', json: { deviceId: id } });
        const tracker = await trackerSender(id, secret);
        await tracker.client.publishAsync(
          `trackers/${id}/status`,
          JSON.stringify({ state: 'online', fw: '2.0.1', batteryPct: 15 }),
          { qos: 1, retain: true },
        );
        // (A status message alone is not announced on the live feed; the next reading is.)
        await tracker.send([{ seq: 1, ts: Date.now(), tempC: 21, batteryPct: 14, lat: 40, lon: -100 }]);
        await expect.poll(() => shownText(row.locator('[data-col="sample"]'))).toBe(sample.body.id);
        await expect.poll(() => shownText(row.locator('[data-col="fw"]'))).toBe('2.0.1');
        expect(await shownText(row.locator('[data-col="battery"]'))).toBe('14 %');
        expect(await row.locator('[data-col="battery"]').getAttribute('class')).toContain('low');
        expect(await shownText(row.locator('[data-col="link"]'))).toBe('Online');
        expect(await shownText(row.locator('[data-col="lastSeen"]'))).toMatch(/^\d+ s ago$/);

        // Filters: low battery lists it; search finds it by its sample.
        await page.locator('[data-fleet-count="low"]').click();
        expect(await row.count()).toBe(1);
        await page.locator('[data-fleet-count="low"]').click();
        await page.getByLabel('Search trackers').fill(sample.body.id);
        expect(await page.locator('tr[data-tracker]').count()).toBe(1);
        expect(navigations()).toBe(0);
        expect(await page.evaluate('window.__sameDocument === true')).toBe(true);

        // Once: gone after a reload, and the API never returns it again.
        await page.reload();
        await page.getByLabel('Search trackers').fill(id);
        await page.locator(`tr[data-tracker="${id}"]`).waitFor();
        expect(await page.locator('[data-secret]').count()).toBe(0);
        const listed = await harness.platform.api<{ devices: Record<string, unknown>[] }>('/api/devices');
        expect(JSON.stringify(listed.body)).not.toContain(secret);
        expect(errors).toEqual([]);
        await page.close();
      },
    );

    it(
      'rotates a secret (shown once) and disables and enables a tracker, each cutting its connection',
      { timeout: 60_000 },
      async () => {
        const { id, secret } = await harness.platform.provisionDevice(`trk-fleetsec-${suffix()}`);
        const tracker = await trackerSender(id, secret);
        const { page, errors } = await openPath('/fleet');
        page.on('dialog', (d) => void d.accept());
        await page.getByLabel('Search trackers').fill(id);
        const row = page.locator(`tr[data-tracker="${id}"]`);
        await row.waitFor();

        const cut = new Promise<void>((r) => tracker.client.once('close', () => r()));
        await row.locator('[data-action="rotate-secret"]').click();
        const banner = page.locator(`[data-rotated="${id}"]`);
        await banner.waitFor();
        const fresh = (await shownText(banner.locator('[data-secret]')))!;
        expect(fresh).not.toBe(secret);
        await cut;
        (await trackerSender(id, fresh)).client.end(true);

        await row.locator('[data-action="disable"]').click();
        await expect.poll(() => shownText(row.locator('[data-col="link"]'))).toBe('Disabled');
        expect((await harness.platform.services.devices.get(id)).disabledAt).not.toBeNull();
        await row.locator('[data-action="enable"]').click();
        await expect.poll(() => row.locator('[data-action="disable"]').count()).toBe(1);
        expect((await harness.platform.services.devices.get(id)).disabledAt).toBeNull();
        expect(errors).toEqual([]);
        await page.close();
      },
    );

    it(
      'sends a config to a tracker, which applies it; a viewer is not offered the action',
      { timeout: 60_000 },
      async () => {
        const { id, secret } = await harness.platform.provisionDevice(`trk-fleetcfg-${suffix()}`);
        const tracker = new SimTracker({
          url: harness.platform.mqttUrl,
          id,
          secret,
          seed: 3,
          intervalS: 300,
          mqttOptions: { reconnectPeriod: 0 },
        });
        await tracker.connect();
        try {
          const { page, errors } = await openPath('/fleet');
          await page.getByLabel('Search trackers').fill(id);
          const row = page.locator(`tr[data-tracker="${id}"]`);
          await row.waitFor();
          expect(await shownText(row.locator('[data-col="config"]'))).toBe('—');
          await row.locator('[data-action="config"]').click();
          await row.getByLabel('Report interval, s').fill('120');
          await row.getByLabel('Shock threshold, g').fill('3.5');
          await row.getByRole('button', { name: 'Send to tracker' }).click();
          await expect.poll(() => shownText(row.locator('[data-col="config"]'))).toBe('120 s · 3.5 g');
          await expect.poll(() => tracker.config.reportIntervalS).toBe(120);
          expect(tracker.config.shockThresholdG).toBe(3.5);
          // Out of the protocol's bounds: the form does not send it, the tracker keeps its config.
          await row.locator('[data-action="config"]').click();
          const field = row.getByLabel('Report interval, s');
          expect(await field.inputValue()).toBe('120');
          await field.fill('5');
          await row.getByRole('button', { name: 'Send to tracker' }).click();
          expect(await row.locator('input[aria-label="Report interval, s"]:invalid').count()).toBe(1);
          expect(await shownText(row.locator('[data-col="config"]'))).toBe('120 s · 3.5 g');
          expect((await harness.platform.services.devices.get(id)).config).toEqual({
            reportIntervalS: 120,
            shockThresholdG: 3.5,
          });
          expect(tracker.config.reportIntervalS).toBe(120);
          expect(errors).toEqual([]);
          await page.close();

          const viewer = { email: `viewer-${suffix()}@test.local`, password: 'viewer-password-123' };
          expect(
            (
              await harness.platform.api('/api/users', {
                method: 'POST',
                json: { ...viewer, name: 'Viewer', role: 'viewer' },
              })
            ).status,
          ).toBe(201);
          const asViewer = await harness.browser.newPage({ viewport: { width: 1600, height: 900 } });
          await asViewer.goto(`${harness.platform.httpUrl}/login?next=%2Ffleet`);
          await asViewer.getByLabel('Email').fill(viewer.email);
          await asViewer.getByLabel('Password').fill(viewer.password);
          await asViewer.getByRole('button', { name: 'Sign in' }).click();
          await asViewer.getByLabel('Search trackers').fill(id);
          const seen = asViewer.locator(`tr[data-tracker="${id}"]`);
          await seen.waitFor();
          // The viewer sees the config, but not the action.
          expect(await shownText(seen.locator('[data-col="config"]'))).toBe('120 s · 3.5 g');
          expect(await seen.locator('[data-action="config"]').count()).toBe(0);
          await asViewer.close();
        } finally {
          await tracker.stop({ timeoutMs: 1000 });
        }
      },
    );
  });
}
