import { describe, expect, it } from 'vitest';
import { harness, openPath, screenshot, shownText } from './harness.ts';

/** Settings → Policy: an admin sees the values with units, edits, sees a refused value named, saves. */
export function policySuite(): void {
  describe('dashboard: policy', () => {
    it("shows the policy with units and saves an admin's change as a new version", { timeout: 60_000 }, async () => {
      const before = (
        await harness.platform.api<{ version: number; approval: { autoApproveUnitCostUnderCents: number } }>(
          '/api/policy',
        )
      ).body;
      const { page, errors } = await openPath('/settings/policy', { ready: '[data-policy-version]' });
      // An admin reaches it from the nav.
      expect(await page.locator('nav a[href="/settings/policy"]').getAttribute('aria-current')).toBe('page');
      const threshold = page.getByLabel('Auto-approve under');
      expect(await threshold.inputValue()).toBe((before.approval.autoApproveUnitCostUnderCents / 100).toFixed(2));
      expect(await shownText(page.locator('tr[data-field="followUp.postingWindowDays"]'))).toContain('days');

      await threshold.fill('30');
      await page.getByLabel('Posting window').fill('soon');
      await page.getByRole('button', { name: 'Save' }).click();
      const refused = page.locator('tr[data-field="followUp.postingWindowDays"] .error');
      await refused.waitFor();
      expect(await page.getByLabel('Posting window').getAttribute('aria-invalid')).toBe('true');
      await screenshot(page, 'policy-refused');

      await page.getByLabel('Posting window').fill('14');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator(`[data-policy-version="${before.version + 1}"]`).waitFor();
      const after = (await harness.platform.api<{ approval: { autoApproveUnitCostUnderCents: number } }>('/api/policy'))
        .body;
      expect(after.approval.autoApproveUnitCostUnderCents).toBe(3000);
      // The refused save is logged by the browser as a failed request; nothing else may be.
      expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([]);

      // Later suites share this platform: put the threshold back.
      await harness.platform.api('/api/policy', {
        method: 'PATCH',
        json: { approval: { autoApproveUnitCostUnderCents: before.approval.autoApproveUnitCostUnderCents } },
      });
    });
  });
}
