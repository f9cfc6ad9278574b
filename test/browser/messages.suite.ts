import { describe, expect, it } from 'vitest';
import { FollowUpScheduler } from '../../workers/follow-up.scheduler.ts';
import { dispatch, label, programApi } from '../integration/sample-program.support.ts';
import { harness, screenshot, shownText, suffix } from './harness.ts';
import { openAsPerson } from './work-queues.suite.ts';

/** A dispatched sample of a creator with no email: its brief waits as a DM for a person. */
async function queuedDm(): Promise<{ sampleId: string; messageId: number }> {
  const p = harness.platform;
  const api = programApi(p);
  const handle = `@dm.${suffix()}`;
  await p.product('MSG-WEB', { inventoryOnHand: 100 });
  await api.creator(handle);
  const { sample } = await api.request({ creator: handle, sku: 'MSG-WEB', campaign: 'dm-web' });
  await api.event(sample.id, label(`TRK-${suffix()}`));
  await api.event(sample.id, dispatch);
  await new FollowUpScheduler(p.pool, undefined, {
    creatorLinks: p.services.creatorLinks,
    messages: p.services.messages,
  }).runOnce(new Date());
  const { rows } = await p.pool.query<{ id: string }>(
    `select id from creator_messages where sample_id = $1 and action = 'send_brief' and channel = 'dm'`,
    [sample.id],
  );
  expect(rows).toHaveLength(1);
  return { sampleId: sample.id, messageId: Number(rows[0]!.id) };
}

/** Messages to creators: the DM queue on /follow-ups, the sample's messages, the template editor. */
export function messagesSuite(): void {
  describe('dashboard: messages to creators', () => {
    it(
      'ops copy a queued DM and mark it sent; the sample page shows it sent by them',
      { timeout: 90_000 },
      async () => {
        const { sampleId, messageId } = await queuedDm();
        const { page, errors, user } = await openAsPerson('ops', '/follow-ups', 'h1');
        const item = page.locator(`[data-creator-messages="dm"] [data-message="${messageId}"]`);
        await item.waitFor();
        expect(await shownText(item.locator('[data-chip="creatorMessage"]'))).toBe('Queued');
        await item.locator('[data-copy]').click();
        // Either the clipboard took it, or the text is shown selected to copy by hand.
        await page
          .locator(`[data-message="${messageId}"] textarea, [data-message="${messageId}"] :text("Copied.")`)
          .first()
          .waitFor();
        await screenshot(page, 'follow-ups-dm-queue');
        await item.locator('[data-mark-sent]').click();
        await item.waitFor({ state: 'detached' });

        await page.goto(`${harness.platform.httpUrl}/samples/${sampleId}`);
        const sent = page.locator(`[data-creator-messages="sample"] [data-message="${messageId}"]`);
        await sent.waitFor();
        expect(await shownText(sent.locator('[data-chip="creatorMessage"]'))).toBe('Sent');
        expect(await shownText(sent)).toContain(`by ${user.email}`);
        expect(errors).toEqual([]);
        await page.close();
      },
    );

    it('an admin edits a template: an unknown variable is shown and cannot be saved', { timeout: 90_000 }, async () => {
      const { page, errors } = await openAsPerson('admin', '/messages', '[data-page="message-templates"]');
      await page.locator('[data-action="send_posting_reminder"]').click();
      await page.locator('[data-body]').fill('Hi {{creator.name}}, due {{dueDat}}. {{link}}');
      await page.locator('[data-unknown]').waitFor();
      expect(await shownText(page.locator('[data-unknown]'))).toContain('dueDat');
      expect(await page.locator('[data-save]').isDisabled()).toBe(true);
      // Saved for one campaign: the action reads as the campaign's own.
      await page.locator('[data-campaign-select]').selectOption('dm-web');
      await page.waitForURL((url) => url.searchParams.get('campaign') === 'dm-web');
      await page.locator('[data-action="send_posting_reminder"]').click();
      await page.locator('[data-body]').fill('Hi {{creator.name}}, due {{dueDate}}. {{link}}');
      await page.locator('[data-preview] pre:text("Hi Ava, due")').waitFor();
      await page.locator('[data-save]').click();
      await page.locator('[data-reset]').waitFor();
      expect(await shownText(page.locator('[data-action="send_posting_reminder"]'))).toContain("This campaign's own");
      await screenshot(page, 'message-templates');
      await page.locator('[data-reset]').click();
      await page.locator('[data-reset]').waitFor({ state: 'detached' });
      expect(errors).toEqual([]);
      await page.close();
    });
  });
}
