import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { FollowUpScheduler } from '../../workers/follow-up.scheduler.ts';
import { DAY, programApi } from '../integration/sample-program.support.ts';
import { harness, screenshot, shownText, suffix } from './harness.ts';

/** A person with a password, signed in through the real sign-in page on a fresh page at `path`. */
export async function openAsPerson(
  role: 'ops' | 'fulfillment' | 'viewer' | 'admin',
  path: string,
  ready: string,
): Promise<{ page: Page; errors: string[]; user: { id: number; name: string; email: string } }> {
  const name = `${role}-${suffix()}`;
  const password = `pass-${suffix()}-${suffix()}-long`;
  const created = await harness.platform.api<{ id: number; name: string; email: string }>('/api/users', {
    method: 'POST',
    json: { email: `${name}@test.local`, name, role, password },
  });
  expect(created.status).toBe(201);
  const page = await harness.browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  await page.goto(`${harness.platform.httpUrl}/login?next=${encodeURIComponent(path)}`);
  await page.getByLabel('Email').fill(created.body.email);
  await page.getByLabel('Password').fill(password);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== '/login'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  await page.locator(ready).first().waitFor();
  return { page, errors, user: created.body };
}

/** A sample approved now whose shipping-delay follow-up the scheduler has fired: one open ops task. */
async function firedShippingTask(): Promise<{ sampleId: string; taskId: number }> {
  const api = programApi(harness.platform);
  const handle = `@queue.${suffix()}`;
  await harness.platform.product('WQ-WEB', { inventoryOnHand: 100 });
  await api.creator(handle);
  const { sample } = await api.request({ creator: handle, sku: 'WQ-WEB', campaign: 'queue' });
  // Not shipped within 7 days of approval: escalate_shipping_delay, addressed to ops (run as 8 days on).
  const later = new Date(Date.now() + 8 * DAY);
  const scheduler = new FollowUpScheduler(harness.platform.pool);
  await scheduler.runOnce(later);
  await scheduler.runOnce(later);
  const { rows } = await harness.platform.pool.query<{ id: string }>(
    `select id from follow_up_tasks where sample_id = $1 and action = 'escalate_shipping_delay'`,
    [sample.id],
  );
  expect(rows).toHaveLength(1);
  // The task fell due yesterday: overdue on the page.
  await harness.platform.pool.query(`update follow_up_tasks set due_at = now() - interval '1 day' where id = $1`, [
    rows[0]!.id,
  ]);
  return { sampleId: sample.id, taskId: Number(rows[0]!.id) };
}

/** The follow-up work queue and the outbox, as the roles that work them and as a viewer. */
export function workQueuesSuite(): void {
  describe('dashboard: follow-ups and outbox', () => {
    it(
      'ops take a fired follow-up, see it overdue, and complete it with a note recorded as done by them',
      { timeout: 90_000 },
      async () => {
        const { sampleId, taskId } = await firedShippingTask();
        const { page, errors, user } = await openAsPerson('ops', '/follow-ups', 'h1');
        expect(await page.locator('nav a[href="/follow-ups"]').getAttribute('aria-current')).toBe('page');
        const row = page.locator(`tr[data-task="${taskId}"]`);
        await row.waitFor();
        expect(await row.getAttribute('data-overdue')).toBe('true');
        expect(await shownText(row.locator('[data-chip="task"]'))).toBe('Overdue');
        expect(await shownText(row.locator('[data-todo]'))).toMatch(/Not shipped in time/);
        expect(await row.locator(`a[href="/samples/${sampleId}"]`).count()).toBe(1);
        expect(await shownText(row.locator('[data-owner]'))).toBe('Unassigned');
        await screenshot(page, 'follow-ups');

        await row.getByRole('button', { name: 'Assign to me' }).click();
        await page.waitForFunction(
          `document.querySelector('tr[data-task="${taskId}"] [data-owner]')?.textContent.trim() === ${JSON.stringify(user.name)}`,
        );
        // Mine: the task is there; unassigned: it is not.
        await page.getByRole('group', { name: 'Owner' }).getByRole('button', { name: /Mine/ }).click();
        await page.waitForURL((url) => url.searchParams.get('owner') === 'mine');
        await row.waitFor();
        await page
          .getByRole('group', { name: 'Owner' })
          .getByRole('button', { name: /Unassigned/ })
          .click();
        await page.waitForURL((url) => url.searchParams.get('owner') === 'unassigned');
        await row.waitFor({ state: 'detached' });
        await page
          .getByRole('group', { name: 'Owner' })
          .getByRole('button', { name: /Unassigned/ })
          .click();
        await row.waitFor();

        await row.getByRole('button', { name: 'Done…' }).click();
        await row.getByLabel(`What was done (task ${taskId})`).fill('chased the warehouse');
        await row.getByRole('button', { name: 'Mark done' }).click();
        await row.waitFor({ state: 'detached' });

        await page.locator('a[data-status-tab="done"]').click();
        const done = page.locator(`tr[data-task="${taskId}"]`);
        await done.waitFor();
        expect(await shownText(done.locator('[data-note]'))).toBe('chased the warehouse');
        expect(await shownText(done)).toContain(`by ${user.name}`);
        const task = await harness.platform.api<{ doneBy: number; ownerId: number; note: string }>(
          `/api/follow-up-tasks/${taskId}`,
        );
        expect(task.body).toMatchObject({ doneBy: user.id, ownerId: user.id, note: 'chased the warehouse' });
        expect(errors).toEqual([]);
        await page.close();
      },
    );

    it('retries a failed outbox message from the page (ops)', { timeout: 60_000 }, async () => {
      const key = `web-retry-${suffix()}`;
      const { rows } = await harness.platform.pool.query<{ id: string }>(
        `insert into outbox (idempotency_key, kind, recipient, payload, status, attempts, last_error)
         values ($1, 'send_brief', 'creator', $2, 'failed', 3, 'receiver answered 503') returning id`,
        [key, JSON.stringify({ note: 'the brief', key })],
      );
      const id = Number(rows[0]!.id);
      const { page, errors } = await openAsPerson('ops', '/outbox?status=failed', 'h1');
      const row = page.locator(`tr[data-message="${id}"]`);
      await row.waitFor();
      expect(await row.getAttribute('data-status')).toBe('failed');
      expect(await shownText(row.locator('[data-last-error]'))).toBe('receiver answered 503');
      await row.getByText('Content').click();
      expect(await shownText(row.locator('[data-payload]'))).toContain(key);
      await screenshot(page, 'outbox');

      await row.getByRole('button', { name: 'Retry' }).click();
      // Queued again: no longer among the failed ones.
      await row.waitFor({ state: 'detached', timeout: 20_000 });
      const message = (
        await harness.platform.api<{ messages: { id: number; status: string }[] }>('/api/outbox?limit=1000')
      ).body.messages.find((m) => m.id === id);
      expect(message?.status).not.toBe('failed');
      expect(errors).toEqual([]);
      await page.close();
    });

    it(
      'a viewer reads the follow-ups without actions, and has no outbox or admin pages',
      { timeout: 60_000 },
      async () => {
        await firedShippingTask();
        const { page, errors } = await openAsPerson('viewer', '/follow-ups', 'tr[data-task]');
        await page.locator('[data-read-only]').waitFor();
        expect(await page.getByRole('button', { name: 'Assign to me' }).count()).toBe(0);
        expect(await page.getByRole('button', { name: 'Done…' }).count()).toBe(0);
        const nav = page.locator('nav[aria-label="Main"]');
        expect(await nav.locator('a[href="/follow-ups"]').count()).toBe(1);
        expect(await nav.locator('a[href="/outbox"]').count()).toBe(0);
        expect(await nav.locator('a[href^="/admin"]').count()).toBe(0);

        await page.goto(`${harness.platform.httpUrl}/admin/users`);
        expect(await shownText(page.locator('[data-denied]'))).toMatch(/^Admins only/);
        await page.goto(`${harness.platform.httpUrl}/outbox`);
        expect(await shownText(page.locator('[data-denied]'))).toMatch(/^Ops and admins only/);
        expect(errors).toEqual([]);
        await page.close();
      },
    );
  });
}
