import { describe, expect, it } from 'vitest';
import { harness, openPath, screenshot, shownText, suffix } from './harness.ts';

/** The admin pages as an admin: users, API tokens, webhook subscriptions, the audit log. */
export function adminSuite(): void {
  describe('dashboard: admin', () => {
    it(
      'adds a user with an approval limit, issues a token shown once and revokes it, adds a webhook, and finds the user in the audit log',
      { timeout: 90_000 },
      async () => {
        const { page, errors } = await openPath('/admin/users', { ready: 'tr[data-user]' });
        expect(await page.locator('nav[aria-label="Main"] a[href="/admin/users"]').getAttribute('aria-current')).toBe(
          'page',
        );

        // A user with their own approval limit.
        const email = `lim-${suffix()}@test.local`;
        const form = page.getByRole('form', { name: 'Add a user' });
        await form.getByLabel('Email').fill(email);
        await form.getByLabel('Name').fill('Lim Approver');
        await form.getByLabel('Role').selectOption('ops');
        await form.getByLabel('Initial password').fill('a long enough passphrase');
        await form.getByLabel('Approval limit ($)').fill('250');
        await form.getByRole('button', { name: 'Add user' }).click();
        const userRow = page.locator(`tr[data-user="${email}"]`);
        await userRow.waitFor();
        expect(await shownText(userRow.locator('[data-limit]'))).toBe('$250.00');
        const users = (
          await harness.platform.api<{
            users: { id: number; email: string; approvalLimitCents: number | null; role: string }[];
          }>('/api/users')
        ).body.users;
        const added = users.find((u) => u.email === email)!;
        expect(added).toMatchObject({ role: 'ops', approvalLimitCents: 25_000 });
        await screenshot(page, 'admin-users');

        // A token: its value shown this once, then listed without it; revoked.
        await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'API tokens' }).click();
        await page.getByRole('form', { name: 'Create a token' }).waitFor();
        const tokenName = `ci ${suffix()}`;
        const tokenForm = page.getByRole('form', { name: 'Create a token' });
        await tokenForm.getByLabel('Name').fill(tokenName);
        await tokenForm.getByLabel('Role').selectOption('viewer');
        await tokenForm.getByRole('button', { name: 'Create token' }).click();
        const secret = page.locator('[data-once-secret] [data-secret]');
        await secret.waitFor();
        const token = await shownText(secret);
        expect(token.length).toBeGreaterThan(20);
        expect(await shownText(page.locator('[data-once-secret]'))).toMatch(/this once/);
        // The token works: the API knows it as a viewer's.
        const me = await fetch(`${harness.platform.httpUrl}/api/auth/me`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(((await me.json()) as { role: string }).role).toBe('viewer');
        const tokenRow = page.locator(`tr[data-token-name="${tokenName}"]`);
        await tokenRow.waitFor();
        await page.getByRole('button', { name: 'Done, hide it' }).click();
        await page.reload();
        await tokenRow.waitFor();
        expect(await page.locator('main').textContent()).not.toContain(token);
        await screenshot(page, 'admin-tokens');
        await tokenRow.getByRole('button', { name: 'Revoke' }).click();
        await page.locator(`tr[data-token-name="${tokenName}"][data-revoked="true"]`).waitFor();
        const revoked = await fetch(`${harness.platform.httpUrl}/api/auth/me`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(revoked.status).toBe(401);

        // A webhook subscription: its signing secret shown once.
        await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Webhooks' }).click();
        const hookForm = page.getByRole('form', { name: 'Add a webhook subscription' });
        await hookForm.waitFor();
        const url = `https://hooks.example.test/${suffix()}`;
        await hookForm.getByLabel('URL').fill(url);
        await hookForm.getByLabel('From severity').selectOption('critical');
        await hookForm.getByRole('button', { name: 'Add subscription' }).click();
        await page.locator('[data-once-secret] [data-secret]').waitFor();
        const hookRow = page.locator(`tr[data-url="${url}"]`);
        await hookRow.waitFor();
        expect(await shownText(hookRow)).toContain('Critical');
        await screenshot(page, 'admin-webhooks');

        // The audit log, narrowed to the user just added.
        await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Audit log' }).click();
        const filters = page.getByRole('form', { name: 'Audit filters' });
        await filters.waitFor();
        await filters.getByLabel('Entity type').selectOption('user');
        await filters.getByLabel('Entity id').fill(String(added.id));
        await filters.getByRole('button', { name: 'Apply' }).click();
        await page.waitForURL((u) => u.searchParams.get('id') === String(added.id));
        const entry = page.locator(`tr[data-entity="user:${added.id}"][data-action="user.create"]`);
        await entry.waitFor();
        expect(
          await page.locator('tr[data-audit]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-entity'))),
        ).toEqual(expect.arrayContaining([`user:${added.id}`]));
        expect(
          new Set(
            await page.locator('tr[data-audit]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-entity'))),
          ),
        ).toEqual(new Set([`user:${added.id}`]));
        await screenshot(page, 'admin-audit');
        expect(errors).toEqual([]);
        await page.close();
      },
    );
  });
}
