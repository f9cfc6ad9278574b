import { describe, expect, it } from 'vitest';
import { inPage, openPath, provisionInSample, screenshot } from './harness.ts';

/**
 * The shell every page shares: on a 390 px phone the nav wraps instead of clipping and no
 * page scrolls sideways (tables scroll inside their own box); a skip link leads past the
 * nav; keyboard focus is visible; ids link to their pages.
 */
export function layoutSuite(): void {
  describe('dashboard: layout and accessibility basics', () => {
    it(
      'fits a 390 px phone on every list page: nav wrapped, nothing clipped, no sideways scrolling',
      { timeout: 90_000 },
      async () => {
        const { page, errors } = await openPath('/');
        await page.setViewportSize({ width: 390, height: 844 });
        for (const path of [
          '/',
          '/fleet',
          '/samples',
          '/creators',
          '/exceptions',
          '/kpis',
          '/follow-ups',
          '/outbox',
          '/admin/users',
          '/admin/tokens',
          '/admin/webhooks',
          '/admin/audit',
          '/products',
          '/samples/new',
          '/approvals',
          '/creators/import',
        ]) {
          await page.goto(new URL(path, page.url()).href);
          await page.locator('nav[aria-label="Main"] a').first().waitFor();
          await page.locator('main h1').first().waitFor();
          const links = await page.locator('nav[aria-label="Main"] a').evaluateAll((els) =>
            els.map((el) => {
              const r = el.getBoundingClientRect();
              return { text: el.textContent?.trim(), left: r.left, right: r.right, top: r.top, bottom: r.bottom };
            }),
          );
          expect(links.length, path).toBeGreaterThanOrEqual(7);
          for (const l of links) {
            expect(l.left, `${path}: ${l.text}`).toBeGreaterThanOrEqual(0);
            expect(l.right, `${path}: ${l.text}`).toBeLessThanOrEqual(390);
            expect(l.bottom, `${path}: ${l.text}`).toBeGreaterThan(l.top);
          }
          // The header holds its links: none is cut off below it.
          const header = (await page.locator('header.app-bar').boundingBox())!;
          for (const l of links)
            expect(l.bottom, `${path}: ${l.text}`).toBeLessThanOrEqual(header.y + header.height + 0.5);
          const overflow = await inPage<{ doc: number; main: number }>(
            page,
            `({
            doc: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            main: (() => { const m = document.querySelector('main'); return m.scrollWidth - m.clientWidth; })(),
          })`,
          );
          expect(overflow, path).toEqual({ doc: 0, main: 0 });
        }
        await screenshot(page, 'phone-fleet');
        expect(errors).toEqual([]);
        await page.close();
      },
    );

    it(
      'starts the tab order with a skip link to the content, and shows where focus is',
      { timeout: 60_000 },
      async () => {
        const { page, errors } = await openPath('/fleet');
        await page.keyboard.press('Tab');
        const first = await inPage<{ text: string; href: string | null; outline: string }>(
          page,
          `(() => { const a = document.activeElement; const s = getComputedStyle(a);
          return { text: a.textContent.trim(), href: a.getAttribute('href'), outline: s.outlineStyle + ' ' + s.outlineWidth }; })()`,
        );
        expect(first.text).toBe('Skip to main content');
        expect(first.href).toBe('#main');
        expect(first.outline).toBe('solid 2px');
        await page.keyboard.press('Enter');
        expect(await inPage<string>(page, `document.activeElement.id`)).toBe('main');
        // The next stop is inside the content, past the nav.
        await page.keyboard.press('Tab');
        expect(await inPage<boolean>(page, `!!document.activeElement.closest('main')`)).toBe(true);
        expect(errors).toEqual([]);
        await page.close();
      },
    );

    it(
      'links parcel rows: tracker to the fleet, sample and creator to their pages; states read from the one vocabulary',
      { timeout: 60_000 },
      async () => {
        // A tracker of its own, packed in a sample: listed at once, never heard from.
        const { id, sampleId } = await provisionInSample('@lin.layout', 'CHOC-70-BAR');
        const { page, errors } = await openPath('/');
        await page.getByLabel('Filter parcels').fill(id);
        const row = page.locator(`tr[data-device-id="${id}"]`);
        await row.waitFor();
        expect(await row.locator('[data-col="deviceId"] a').getAttribute('href')).toBe(
          `/fleet?q=${encodeURIComponent(id)}`,
        );
        expect(await row.locator('[data-col="sampleId"] a').getAttribute('href')).toBe(
          `/samples/${encodeURIComponent(sampleId)}`,
        );
        expect(await row.locator('[data-col="creator"] a').getAttribute('href')).toBe(
          `/creators/${encodeURIComponent('@lin.layout')}`,
        );
        expect(await row.locator('[data-col="state"] [data-chip="parcel"]').textContent()).toBe('No data');
        // The fleet opened from that link lists the tracker.
        await row.locator('[data-col="deviceId"] a').click();
        await page.locator(`tr[data-tracker="${id}"]`).waitFor();
        expect(await page.getByLabel('Search trackers').inputValue()).toBe(id);
        expect(errors).toEqual([]);
        await page.close();
      },
    );
  });
}
