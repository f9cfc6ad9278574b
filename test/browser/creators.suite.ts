import { describe, expect, it } from 'vitest';
import { dispatch, label, programApi } from '../integration/sample-program.support.ts';
import { harness, openPath, screenshot, shownText, suffix } from './harness.ts';

/**
 * Creators: the operating record with history and standing, and "already sampled?" at a
 * glance, in the list, in a quick check and on the creator's page.
 */

export function creatorsSuite(): void {
  describe('dashboard: creators', () => {
    it('shows who was already sampled, their standing and their history', { timeout: 60_000 }, async () => {
      const p = programApi(harness.platform);
      const tag = suffix();
      const [posted, fresh, benched] = [`@poster.${tag}`, `@fresh.${tag}`, `@benched.${tag}`];
      const sku = `BAR-${tag}`;
      await p.product(sku, { unitCostCents: 900 });
      const creator = await p.creator(posted, { displayName: 'Pat Poster' });
      await p.creator(fresh);
      const benchedId = (await p.creator(benched)).id;
      await p.call(
        'PATCH',
        `/api/creators/${encodeURIComponent(benched)}`,
        { standing: 'restricted', standingReason: 'two missed posts' },
        200,
      );

      const { sample } = await p.request({ creator: posted, sku });
      await p.event(sample.id, label(`1ZCR${tag}`));
      await p.event(sample.id, dispatch);
      const receivedAt = Date.now() - 3 * 86_400_000;
      await p.event(sample.id, { type: 'deliver', data: { receivedAt, evidence: 'courier' } });
      await p.event(sample.id, {
        type: 'post',
        data: {
          postUrl: 'https://www.tiktok.com/@x/video/1',
          publishedAt: Date.now() - 86_400_000,
          usableForAds: true,
        },
      });

      const { page, errors } = await openPath('/creators', { ready: `tr[data-creator-row="${posted}"]` });
      const row = (h: string) => page.locator(`tr[data-creator-row="${h}"]`);
      expect(await shownText(row(posted).locator('[data-col="sampled"]'))).toBe('Yes · 1×');
      expect(await shownText(row(fresh).locator('[data-col="sampled"]'))).toBe('No');
      expect(await row(benched).getAttribute('data-standing')).toBe('restricted');
      expect(await shownText(row(benched))).toContain('Restricted');

      // Search and the "already sampled" filter.
      await page.getByLabel('Search creators').fill(tag);
      await expect.poll(() => page.locator('tr[data-creator-row]').count()).toBe(3);
      await page.locator('select[name="sampled"]').selectOption('yes');
      expect(await page.locator('tr[data-creator-row]').count()).toBe(1);
      await page.locator('select[name="sampled"]').selectOption('');

      // The quick check, with and without the SKU.
      await page.getByLabel('Creator handle').fill(posted);
      await page.getByLabel('SKU').fill(sku);
      await page.getByRole('button', { name: 'Check' }).click();
      const answer = page.locator('[data-sampled-answer]');
      await expect.poll(() => answer.getAttribute('data-sampled-answer')).toBe('yes');
      expect(await shownText(answer)).toContain(`${sku} 1×`);
      await page.getByLabel('Creator handle').fill(fresh);
      await page.getByRole('button', { name: 'Check' }).click();
      await expect.poll(() => answer.getAttribute('data-sampled-answer')).toBe('no');
      await screenshot(page, 'creators');

      // The creator's page: history, standing, per-SKU and their samples.
      await row(posted).getByRole('link', { name: posted }).click();
      const article = page.locator(`article[data-creator-id="${creator.id}"]`);
      await article.waitFor();
      expect(await shownText(page.locator('[data-field="alreadySampled"]'))).toContain('Already sampled');
      expect(await shownText(page.locator('[data-field="standing"]'))).toBe('Active');
      expect(await shownText(page.locator('[data-tile="sent"] dd').first())).toBe('1');
      expect(await shownText(page.locator('[data-tile="posted"] dd').first())).toBe('1');
      // The roll-up: one send, posted on time and usable; ops recorded it all, so no contact yet.
      const tile = (key: string) => shownText(page.locator(`[data-tile="${key}"] dd`).first());
      expect(await tile('postsPerSend')).toBe('1.00');
      expect(await tile('onTimeRate')).toBe('100 %');
      expect(await tile('usableForAds')).toBe('1');
      expect(await tile('damageFreeRate')).toBe('100 %');
      expect(await tile('lastContact')).toBe('—');
      expect(await shownText(page.locator(`tr[data-sku-row="${sku}"]`))).toContain('Posted');
      expect(await page.locator(`tr[data-sample-row="${sample.id}"]`).count()).toBe(1);
      await screenshot(page, 'creator-page');

      // By id: a handle ends in ".something" and a path like that is a file to the server.
      await page.goto(`${harness.platform.httpUrl}/creators/${benchedId}`);
      await page.locator('[data-field="standingReason"]').waitFor();
      expect(await shownText(page.locator('[data-field="standingReason"]'))).toContain('two missed posts');
      expect(await shownText(page.locator('[data-field="alreadySampled"]'))).toContain('Never sampled');
      expect(errors).toEqual([]);
      await page.close();
    });
  });
}
