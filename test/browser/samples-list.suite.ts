import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DAY, dispatch, label, programApi } from '../integration/sample-program.support.ts';
import { harness, openPath, screenshot, shownText, suffix } from './harness.ts';

/**
 * The samples list: filters (status, creator, SKU, campaign, exception), search by sample
 * id, tracking id or creator, sorting, counts per status, and the CSV export.
 */

const ids = (page: Page) =>
  page.locator('tr[data-sample-row]').evaluateAll((els) => els.map((e) => e.getAttribute('data-sample-row')));
const countOf = (page: Page, status: string) => shownText(page.locator(`[data-status-count="${status}"] .value`));

export function samplesListSuite(): void {
  describe('dashboard: samples list', () => {
    it(
      'filters by campaign and status, searches by tracking id, sorts, and exports CSV',
      { timeout: 60_000 },
      async () => {
        const p = programApi(harness.platform);
        const tag = suffix();
        const campaign = `list-${tag}`;
        const [ann, bo] = [`@ann.${tag}`, `@bo.${tag}`];
        await p.creator(ann);
        await p.creator(bo);
        await p.product(`CHEAP-${tag}`, { unitCostCents: 800 });
        await p.product(`DEAR-${tag}`, { unitCostCents: 12_000 });
        const a1 = (await p.request({ creator: ann, sku: `CHEAP-${tag}`, campaign })).sample; // auto-approved
        const a2 = (await p.request({ creator: ann, sku: `DEAR-${tag}`, campaign })).sample; // waits for a person
        const b1 = (await p.request({ creator: bo, sku: `CHEAP-${tag}`, campaign })).sample;
        const trackingId = `1ZLIST${tag.toUpperCase()}`;
        await p.event(b1.id, label(trackingId));

        const { page, errors } = await openPath(`/samples?campaign=${campaign}`);
        await expect.poll(() => ids(page)).toHaveLength(3);
        // Newest first by default.
        expect(await ids(page)).toEqual([b1.id, a2.id, a1.id]);
        // Print labels: exactly the listed samples, in list order; the sheet opens in this session.
        const labels = await page.locator('a[data-print-labels]').getAttribute('href');
        expect(labels).toBe(`/api/samples/labels?ids=${[b1.id, a2.id, a1.id].join(',')}`);
        expect(await page.evaluate(async (href) => (await fetch(href)).status, labels!)).toBe(200);
        expect(await countOf(page, 'all')).toBe('3');
        expect(await countOf(page, 'approved')).toBe('1');
        expect(await countOf(page, 'requested')).toBe('1');
        expect(await countOf(page, 'label_created')).toBe('1');

        // A status count filters the list.
        await page.locator('[data-status-count="requested"]').click();
        expect(await ids(page)).toEqual([a2.id]);
        await page.locator('[data-status-count="requested"]').click();
        expect(await ids(page)).toHaveLength(3);

        // Creator filter, then sort by SKU ascending.
        await page.locator('select[name="creator"]').selectOption(ann);
        expect(await ids(page)).toEqual([a2.id, a1.id]);
        await page.locator('[data-sort="sku"]').click();
        expect(await ids(page)).toEqual([a1.id, a2.id]); // CHEAP before DEAR
        await page.locator('[data-sort="sku"]').click();
        expect(await ids(page)).toEqual([a2.id, a1.id]);
        await page.locator('select[name="creator"]').selectOption('');

        // Search by tracking id, by sample id, by creator.
        await page.getByLabel('Search samples').fill(trackingId.toLowerCase());
        expect(await ids(page)).toEqual([b1.id]);
        expect(await shownText(page.locator(`tr[data-sample-row="${b1.id}"] [data-col="tracking"]`))).toContain(
          trackingId,
        );
        await page.getByLabel('Search samples').fill(a2.id);
        expect(await ids(page)).toEqual([a2.id]);
        await page.getByLabel('Search samples').fill(bo);
        expect(await ids(page)).toEqual([b1.id]);
        // The filters live in the URL: a reload keeps them.
        expect(new URL(page.url()).searchParams.get('q')).toBe(bo);
        await page.reload();
        await expect.poll(() => ids(page)).toEqual([b1.id]);
        await page.getByLabel('Search samples').fill('');

        // Nothing here has an open exception.
        await page.locator('select[name="exception"]').selectOption('open');
        expect(await ids(page)).toEqual([]);
        await page.locator('select[name="exception"]').selectOption('none');
        expect(await ids(page)).toHaveLength(3);
        await screenshot(page, 'samples-list');

        expect(await page.locator('a[data-export]').getAttribute('href')).toBe('/api/samples.csv');
        // The row links to its sample page.
        await page.locator(`tr[data-sample-row="${a2.id}"] a`).first().click();
        await page.locator(`article[data-sample-id="${a2.id}"]`).waitFor();

        const csv = await fetch(`${harness.platform.httpUrl}/api/samples.csv`, {
          headers: await harness.platform.authHeaders(),
        });
        expect(csv.status).toBe(200);
        expect(await csv.text()).toContain(b1.id);
        expect(errors).toEqual([]);
        await page.close();
      },
    );

    it('sorts by content due date, marks an extension, and the sample page shows it', { timeout: 60_000 }, async () => {
      const p = programApi(harness.platform);
      const tag = suffix();
      const campaign = `due-${tag}`;
      await p.product(`DUE-${tag}`, { unitCostCents: 800 });
      // Received 2 and 6 days ago; the earlier one gets the extension, so it is due last.
      const delivered: string[] = [];
      for (const [i, daysAgo] of [2, 6].entries()) {
        await p.creator(`@due${i}.${tag}`);
        const { sample } = await p.request({ creator: `@due${i}.${tag}`, sku: `DUE-${tag}`, campaign });
        await p.event(sample.id, label(`1ZDUE${i}${tag.toUpperCase()}`));
        await p.event(sample.id, {
          ...dispatch,
          data: { ...dispatch.data, packedItems: [{ skuId: `DUE-${tag}`, quantity: 1 }] },
        });
        const receivedAt = new Date(Date.now() - daysAgo * DAY).toISOString();
        await p.event(sample.id, { type: 'deliver', data: { receivedAt, evidence: 'courier' } });
        await p.event(sample.id, { type: 'confirm_receipt', data: {} });
        delivered.push(sample.id);
      }
      const [recent, extended] = delivered as [string, string];
      await p.event(extended, { type: 'grant_extension', reason: 'travelling', data: {} });
      await p.creator(`@due2.${tag}`);
      const waiting = (await p.request({ creator: `@due2.${tag}`, sku: `DUE-${tag}`, campaign })).sample.id;

      const { page, errors } = await openPath(`/samples?campaign=${campaign}`);
      await expect.poll(() => ids(page)).toHaveLength(3);
      await page.locator('[data-sort="contentDueAt"]').click();
      // Due in 12 days, then in 15 (6 days ago + 14 + 7); no due date last.
      expect(await ids(page)).toEqual([recent, extended, waiting]);
      await page.locator('[data-sort="contentDueAt"]').click();
      expect(await ids(page)).toEqual([extended, recent, waiting]);
      expect(await shownText(page.locator(`tr[data-sample-row="${extended}"] [data-col="content-due"]`))).toContain(
        '+ext',
      );
      expect(await shownText(page.locator(`tr[data-sample-row="${waiting}"] [data-col="content-due"]`))).toBe('—');

      await page.locator(`tr[data-sample-row="${extended}"] a`).first().click();
      await page.locator(`article[data-sample-id="${extended}"]`).waitFor();
      expect(await shownText(page.locator('[data-field="content-clock"]'))).toContain('extension granted');
      expect(errors).toEqual([]);
      await page.close();
    });
  });
}
