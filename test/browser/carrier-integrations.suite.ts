import { describe, expect, it } from 'vitest';
import { harness, openPath, screenshot, shownText, suffix } from './harness.ts';

/** Admin → Integrations → Carrier tracking: set up a vendor, send a test, see the event. */
export function carrierIntegrationsSuite(): void {
  describe('dashboard: carrier tracking', () => {
    it(
      'enables EasyPost with a generated secret shown once, sends a test that moves a sample, and lists the event',
      { timeout: 90_000 },
      async () => {
        const p = harness.platform;
        const handle = `@cw${suffix()}`;
        const sku = `CW-${suffix()}`.toUpperCase();
        const trackingId = `1ZCW${suffix()}`.toUpperCase();
        await p.product(sku);
        await p.api('/api/creators', { method: 'POST', json: { handle } });
        const sample = (
          await p.api<{ sample: { id: string } }>('/api/sample-requests', {
            method: 'POST',
            json: { creator: handle, sku, campaign: 'spring', source: 'form' },
          })
        ).body.sample;
        const labelled = await p.api(`/api/samples/${sample.id}/events`, {
          method: 'POST',
          json: {
            type: 'create_label',
            data: { carrier: 'ups', serviceLevel: 'ground', trackingId, shippingCostCents: 600, packaging: 'mailer' },
          },
        });
        expect(labelled.status).toBe(200);

        const { page, errors } = await openPath('/admin/integrations', { ready: '[data-carrier-vendor="easypost"]' });
        const vendor = page.locator('[data-carrier-vendor="easypost"]');
        expect(await shownText(vendor.locator('[data-webhook-url]'))).toMatch(
          /\/api\/integrations\/carriers\/easypost\/webhook$/,
        );
        await vendor.getByRole('button', { name: 'Enable' }).click();
        const secret = page.locator('[data-once-secret] [data-secret]');
        await secret.waitFor();
        expect((await shownText(secret)).length).toBeGreaterThan(20);
        await page.getByRole('button', { name: 'Done, hide it' }).click();

        const test = vendor.getByRole('form', { name: 'Send a test for EasyPost' });
        await test.getByLabel('Tracking id').fill(trackingId);
        await test.getByRole('button', { name: 'Send a test' }).click();
        await vendor.locator('[data-test-result="applied"]').waitFor();
        const row = vendor.locator('tr[data-outcome="applied"]').first();
        await row.waitFor();
        expect(await shownText(row)).toContain('in_transit');
        expect((await p.api<{ status: string }>(`/api/samples/${sample.id}`)).body.status).toBe('in_transit');
        await screenshot(page, 'admin-integrations-carriers');
        expect(errors).toEqual([]);
        await page.close();
      },
    );
  });
}
