import { describe, expect, it } from 'vitest';
import { dispatch, label, programApi } from '../integration/sample-program.support.ts';
import { harness, openPath, screenshot, shownText, suffix } from './harness.ts';

/** KPIs: numbers and trends for a period, per campaign, and the CSV export of the same. */

export function kpisSuite(): void {
  describe('dashboard: KPIs', () => {
    it('shows a campaign’s KPIs for the period, over time, and exports them', { timeout: 60_000 }, async () => {
      const p = programApi(harness.platform);
      const tag = suffix();
      const campaign = `kpi-${tag}`;
      const sku = `KPI-${tag}`;
      await p.product(sku, { unitCostCents: 1000 });
      const handles = [`@k1.${tag}`, `@k2.${tag}`];
      const sent: string[] = [];
      for (const h of handles) {
        await p.creator(h);
        const { sample } = await p.request({ creator: h, sku, campaign });
        await p.event(sample.id, label(`1ZK${tag}${sent.length}`, { shippingCostCents: 500 }));
        await p.event(sample.id, dispatch);
        sent.push(sample.id);
      }
      // One delivered, posted and converted: $120 GMV.
      await p.event(sent[0]!, {
        type: 'deliver',
        data: { receivedAt: Date.now() - 2 * 3600_000, evidence: 'courier' },
      });
      await p.event(sent[0]!, {
        type: 'post',
        data: {
          postUrl: 'https://www.tiktok.com/@k1/video/9',
          publishedAt: Date.now() - 3600_000,
          usableForAds: false,
        },
      });
      await p.event(sent[0]!, {
        type: 'record_outcome',
        data: { orders: 3, gmvCents: 12_000, classification: 'converted' },
      });

      const { page, errors, navigations } = await openPath('/kpis', { ready: '[data-kpi="samplesSent"]' });
      expect(Number(await shownText(page.locator('[data-kpi="samplesSent"] .value')))).toBeGreaterThanOrEqual(2);
      // The default period (12 weeks) charts week by week; this week has the sends.
      const bars = page.locator('[data-trend="samplesSent"] rect.bar');
      expect(await bars.count()).toBeGreaterThanOrEqual(1);
      expect(await shownText(page.locator('[data-trend="samplesSent"] strong'))).not.toBe('—');

      await page.locator('select[name="groupBy"]').selectOption('campaign');
      await page.getByRole('button', { name: 'Apply' }).click();
      const row = page.locator(`tr[data-group="${campaign}"]`);
      await row.waitFor();
      expect(await shownText(row.locator('[data-col="sent"]'))).toBe('2');
      expect(await shownText(row.locator('[data-col="delivered"]'))).toBe('1');
      expect(await shownText(row.locator('[data-col="posted"]'))).toBe('1');
      expect(await shownText(row.locator('[data-col="rate"]'))).toBe('100 %');
      // (2 × $10 product + 2 × $5 shipping) / 1 post; $120 GMV / 2 sends.
      expect(await shownText(row.locator('[data-col="cpp"]'))).toBe('$30.00');
      expect(await shownText(row.locator('[data-col="gmv"]'))).toBe('$60.00');
      expect(new URL(page.url()).searchParams.get('groupBy')).toBe('campaign');
      await screenshot(page, 'kpis');

      const href = await page.locator('a[data-export]').getAttribute('href');
      expect(href).toMatch(/^\/api\/kpis\.csv\?from=.+&to=.+&groupBy=campaign$/);
      const csv = await fetch(`${harness.platform.httpUrl}${href}`, { headers: await harness.platform.authHeaders() });
      expect(csv.status).toBe(200);
      expect(await csv.text()).toContain(campaign);
      expect(navigations()).toBeGreaterThan(0); // Apply navigates within the app…
      expect(errors).toEqual([]);
      await page.close();
    });
  });
}
