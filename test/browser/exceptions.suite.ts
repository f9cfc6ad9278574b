import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CONDITION_PRESETS } from '../../core/domain/condition/index.ts';
import { aProduct } from '../support/builders.ts';
import { harness, inPage, openPath, provisionInSample, screenshot, suffix, trackerSender } from './harness.ts';

/**
 * The exceptions inbox: a tracker in a chocolate parcel heats up, the rules raise an
 * exception, and it appears in the open inbox live; fulfilment acknowledges and resolves
 * it from there. A new critical exception lights the badge in the top bar until the inbox
 * is opened.
 */

const MIN = 60_000;
const rowOf = (page: Page, sampleId: string, type?: string) =>
  page.locator(`li[data-exception-id]${type ? `[data-type="${type}"]` : ''}`, {
    has: page.locator('[data-field="sample"]', { hasText: sampleId }),
  });

export function exceptionsSuite(): void {
  describe('dashboard: exceptions inbox', () => {
    it('shows a chocolate parcel’s heat exception live, and it can be acknowledged and resolved', { timeout: 60_000 }, async () => {
      const sku = `CHOC-${suffix()}`;
      await aProduct(harness.platform.pool, { sku, profile: CONDITION_PRESETS.chocolate });
      const { id, secret, sampleId } = await provisionInSample('@mia.bakes', sku);
      const tracker = await trackerSender(id, secret);

      const { page, errors, navigations } = await openPath('/exceptions');
      await inPage(page, 'window.__sameDocument = true');
      expect(await rowOf(page, sampleId).count()).toBe(0);

      // Packed 55 min ago (the first 15 min are not judged), cool, then 30–31 °C from
      // t0+30 min: past the profile's 28 °C for longer than its 20 min by t0+50, 5 min ago.
      const t0 = Date.now() - 55 * MIN;
      const temps = [20, 20, 20, 20, 20, 20, 30, 31, 30.5, 30, 31];
      for (const [i, tempC] of temps.entries()) {
        await tracker.send([{ seq: i, ts: t0 + i * 5 * MIN, tempC, humidityPct: 50, lat: 39.1, lon: -94.6 }]);
      }

      const row = rowOf(page, sampleId, 'too_hot');
      await row.waitFor({ timeout: 10_000 });
      expect(await row.getAttribute('data-status')).toBe('open');
      expect(await row.getAttribute('data-severity')).toBe('warning');
      expect(await row.locator('strong').textContent()).toBe('Too hot');
      expect(await row.locator('[data-field="magnitude"]').textContent()).toBe('peak 31.0 °C · limit 28.0 °C');
      expect(await row.locator('[data-field="duration"]').textContent()).toMatch(/^ongoing for 2\d min$/);
      expect(await row.locator('[data-field="creator"]').textContent()).toBe('@mia.bakes');
      expect(await row.locator('[data-field="sku"]').textContent()).toBe(sku);
      expect(await row.locator('[data-field="where"]').textContent()).toContain('39.100, -94.600');
      expect(await row.locator('[data-field="sample"]').getAttribute('href')).toBe(`/samples/${sampleId}`);
      await screenshot(page, 'exceptions-inbox');

      // Acknowledge: the name is asked for once, then kept.
      await row.getByRole('button', { name: 'Acknowledge' }).click();
      await page.getByLabel('Your name').fill('dana@fulfilment');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect.poll(() => row.getAttribute('data-status')).toBe('acknowledged');
      expect(await row.locator('[data-field="status"]').textContent()).toBe('acknowledged');
      expect(await row.textContent()).toContain('by dana@fulfilment');
      expect(await inPage<string>(page, `localStorage.getItem('sampletrack.actor')`)).toBe('dana@fulfilment');
      const stored = await harness.platform.api<{ status: string; acknowledgedBy: string }>(
        `/api/exceptions/${await row.getAttribute('data-exception-id')}`,
      );
      expect(stored.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'dana@fulfilment' });

      // Resolve with a disposition: it leaves the open inbox and is listed as resolved.
      await row.getByRole('button', { name: 'Resolve…' }).click();
      await row.locator('select[name="disposition"]').selectOption('reship');
      await row.locator('input[name="note"]').fill('bloomed; reship with ice pack');
      await row.getByRole('button', { name: 'Resolve', exact: true }).click();
      await expect.poll(() => rowOf(page, sampleId, 'too_hot').count()).toBe(0);
      await page.getByRole('link', { name: 'Resolved' }).click();
      const resolved = rowOf(page, sampleId, 'too_hot');
      await resolved.waitFor();
      expect(await resolved.getAttribute('data-status')).toBe('resolved');
      expect(await resolved.textContent()).toContain('reship by dana@fulfilment');

      expect(navigations()).toBeGreaterThan(0); // the Resolved link is a client-side navigation…
      expect(await inPage<boolean>(page, 'window.__sameDocument === true')).toBe(true); // …never a reload
      expect(errors).toEqual([]);
      await page.close();
    });

    it('lights a badge for a new critical exception until the inbox is opened', { timeout: 60_000 }, async () => {
      const sku = `GLASS-${suffix()}`;
      await aProduct(harness.platform.pool, { sku, profile: CONDITION_PRESETS.fragile });
      const { id, secret, sampleId } = await provisionInSample('@leo.home', sku);
      const tracker = await trackerSender(id, secret);

      const { page, errors } = await openPath('/');
      const badge = page.locator('[data-critical-badge]');
      expect(await badge.count()).toBe(0);

      const t0 = Date.now() - 3600_000;
      await tracker.send([{ seq: 0, ts: t0 }, { seq: 1, ts: t0 + 20 * MIN, shockG: 12 }]);
      await badge.waitFor({ timeout: 10_000 });
      expect(await badge.textContent()).toMatch(/^\s*1 critical\s*$/);
      // Stays while elsewhere, and across a reload.
      await page.reload();
      await badge.waitFor();

      await page.getByRole('link', { name: /^Exceptions/ }).click();
      await rowOf(page, sampleId, 'shock').waitFor();
      expect(await rowOf(page, sampleId, 'shock').getAttribute('data-severity')).toBe('critical');
      await expect.poll(() => badge.count()).toBe(0);
      await page.getByRole('link', { name: 'Parcels' }).click();
      await page.locator('table.parcels').waitFor();
      expect(await badge.count()).toBe(0);
      expect(errors).toEqual([]);
      await page.close();
    });
  });
}
