import { describe, expect, it } from 'vitest';
import { harness, openPath, person, screenshot, shownText, suffix } from './harness.ts';

/**
 * Campaigns: a manager creates one from the list, writes its brief in Markdown and sees it
 * rendered before and after saving; a viewer reads it and cannot change it.
 */

interface Campaign {
  id: string;
  briefMd: string;
  deliverables: { kind: string; count: number; minMinutes?: number }[];
  usageRights: { paidUsage: boolean };
  approvalPolicy: Record<string, unknown>;
}

export function campaignsSuite(): void {
  describe('dashboard: campaigns', () => {
    const tag = suffix();
    // A key with a space, like the keys typed before campaigns were records.
    const key = `glow ${tag}`;
    const stored = async () => (await harness.platform.api<Campaign>(`/api/campaigns/${encodeURIComponent(key)}`)).body;

    it('ops create a campaign, write its brief and see it rendered', { timeout: 60_000 }, async () => {
      const { page, errors } = await openPath('/campaigns', {
        as: await person(`camp-ops-${tag}`, 'ops'),
        ready: '[data-panel="new-campaign"]',
      });
      await page.locator('[data-panel="new-campaign"] summary').click();
      const form = page.locator('[data-panel="new-campaign"]');
      await form.getByLabel('Key').fill(key);
      await form.getByLabel('Name').fill(`Glow ${tag}`);
      await form.locator('select[name="bucket"]').selectOption('affiliate');
      await form.getByRole('button', { name: 'Create campaign' }).click();
      await page.waitForURL((url) => decodeURIComponent(url.pathname) === `/campaigns/${key}`);
      await page.locator('[data-campaign-form]').waitFor();
      expect(await shownText(page.locator('h1'))).toBe(`Glow ${tag}`);

      // The preview follows the textarea as it is typed, HTML in it shown as text.
      await page.locator('textarea[name="briefMd"]').fill('## Morning routine\n\nShow the **glow**.\n\n- one <b>x</b>');
      const preview = page.locator('[data-preview="briefMd"]');
      await expect.poll(() => preview.locator('h2').textContent()).toBe('Morning routine');
      expect(await preview.locator('strong').textContent()).toBe('glow');
      expect(await preview.locator('li').textContent()).toBe('one <b>x</b>');
      expect(await preview.locator('b').count()).toBe(0);

      await page.getByRole('button', { name: 'Add deliverable' }).click();
      const row = page.locator('[data-deliverable="0"]');
      await row.locator('select').selectOption('live');
      await row.getByLabel('Min. minutes').fill('10');
      await page.getByLabel('Paid usage').check();
      await page.getByLabel('Auto-approve under ($)').fill('5.00');
      await page.getByRole('button', { name: 'Save campaign' }).click();
      await expect.poll(async () => (await stored()).briefMd).toContain('## Morning routine');
      expect(await stored()).toMatchObject({
        deliverables: [{ kind: 'live', count: 1, minMinutes: 10 }],
        usageRights: { paidUsage: true },
        approvalPolicy: { autoApproveUnitCostUnderCents: 500 },
      });
      await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
      // The summary shows the saved record once the page has reloaded it (it may lag the "Saved").
      await expect.poll(() => shownText(page.locator('.summary')), { timeout: 10_000 }).toContain('1 LIVE (10+ min)');
      expect(await shownText(page.locator('.summary'))).toContain('auto-approve under $5.00');
      await screenshot(page, 'campaign-edit');
      expect(errors).toEqual([]);
      await page.close();
    });

    it(
      'lists it with its bucket and deliverables; a viewer reads the rendered brief only',
      { timeout: 60_000 },
      async () => {
        const viewer = await person(`camp-viewer-${tag}`, 'viewer');
        const list = await openPath('/campaigns', { as: viewer, ready: `tr[data-campaign-row="${key}"]` });
        const row = list.page.locator(`tr[data-campaign-row="${key}"]`);
        expect(await shownText(row)).toContain('affiliate');
        expect(await shownText(row)).toContain('1 LIVE (10+ min)');
        expect(await list.page.locator('[data-panel="new-campaign"]').count()).toBe(0);
        await list.page.close();

        const { page, errors } = await openPath(`/campaigns/${encodeURIComponent(key)}`, {
          as: viewer,
          ready: '[data-brief]',
        });
        expect(await page.locator('[data-brief] h2', { hasText: 'Morning routine' }).count()).toBe(1);
        expect(await page.locator('[data-campaign-form]').count()).toBe(0);
        expect(await page.getByRole('button', { name: 'Archive' }).count()).toBe(0);
        expect(await page.locator('[data-read-only]').count()).toBe(1);
        expect(errors).toEqual([]);
        await page.close();
      },
    );
  });
}
