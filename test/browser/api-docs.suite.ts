import { describe, expect, it } from 'vitest';
import { harness, screenshot } from './harness.ts';

/** /docs: the API reference renders from our own OpenAPI document with no request leaving the server. */
export function apiDocsSuite(): void {
  describe('API docs', () => {
    it('renders the operations offline, from the platform alone', { timeout: 60_000 }, async () => {
      const { httpUrl } = harness.platform;
      const page = await harness.browser.newPage({ viewport: { width: 1440, height: 900 } });
      const outside: string[] = [];
      await page.route('**/*', async (route) => {
        const url = route.request().url();
        if (url.startsWith(httpUrl) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
        outside.push(url);
        return route.abort();
      });
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`${httpUrl}/docs`);
      await page.getByRole('heading', { name: 'Sampletrack API' }).first().waitFor({ timeout: 30_000 });
      // An operation's summary from a route definition, as the reference lists it.
      await page.getByText('Provision a tracker; the secret is returned this once').first().waitFor();
      await screenshot(page, 'api-docs');
      expect(outside).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    });
  });
}
