import { describe, expect, it } from 'vitest';
import { harness, openPath, shownText } from './harness.ts';

export function signInSuite(): void {
  describe('dashboard: sign-in', () => {
    it('sends a visitor without a session to /login, and back after signing in', { timeout: 30_000 }, async () => {
      const page = await harness.browser.newPage();
      await page.goto(`${harness.platform.httpUrl}/exceptions`);
      await page.waitForURL((url) => url.pathname === '/login');
      expect(new URL(page.url()).searchParams.get('next')).toBe('/exceptions');

      await page.getByLabel('Email').fill(harness.platform.admin.email);
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      expect(await shownText(page.getByRole('alert'))).toBe('email or password is wrong');

      await page.getByLabel('Password').fill(harness.platform.admin.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname === '/exceptions');
      await page.locator('[data-live="open"]').first().waitFor();
      await page.close();
    });

    it('shows who is signed in, and signing out ends the session', { timeout: 30_000 }, async () => {
      const { page, errors } = await openPath('/');
      const who = page.locator('[data-signed-in]');
      await who.waitFor();
      expect(await who.getAttribute('data-signed-in')).toBe(harness.platform.admin.email);
      expect(await shownText(who)).toContain('admin');
      const cookies = await page.context().cookies();
      expect(cookies.find((c) => c.name === 'st_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL((url) => url.pathname === '/login');
      expect(errors).toEqual([]);
      // The browser logs this 401 itself: checked after the page's own errors.
      const me = await page.evaluate("fetch('/api/auth/me').then((r) => r.status)");
      expect(me).toBe(401);
      await page.close();
    });
  });
}
