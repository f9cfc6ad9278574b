import { describe, expect, it } from 'vitest';
import { harness, openPath, person, screenshot, shownText, suffix } from './harness.ts';

/**
 * Running the programme from the dashboard: creators (create, CSV import with a preview),
 * products, a new request with the policy's decision before submitting, the approvals
 * queue for an approver who is not the requester, and a viewer's read-only pages.
 */

interface CreatorSummary {
  id: string;
  handle: string;
  displayName: string | null;
}
/** Every button of these pages that changes something. */
const ACTIONS =
  /^(Create creator|Save changes|Merge…|Confirm merge|Add product|Save product|Edit .*|Request sample|Preview|Confirm import|Approve|Reject…|Confirm reject)$/;

const creatorsLike = async (q: string) =>
  (await harness.platform.api<{ creators: CreatorSummary[] }>(`/api/creators?q=${encodeURIComponent(q)}`)).body
    .creators;

export function programSuite(): void {
  describe('dashboard: running the programme', () => {
    const tag = suffix();
    const ops = () => person(`ops-${tag}`, 'ops');

    it('ops create a creator from the list', { timeout: 60_000 }, async () => {
      const { page, errors } = await openPath('/creators', { as: await ops(), ready: '[data-panel="new-creator"]' });
      await page.locator('[data-panel="new-creator"] summary').click();
      const form = page.locator('[data-panel="new-creator"]');
      await form.getByLabel('Handle').fill(`@made.${tag}`);
      await form.getByLabel('Display name').fill('Made Here');
      await form.getByLabel('Email').fill(`made.${tag}@example.com`);
      await form.getByRole('button', { name: 'Create creator' }).click();
      await page.waitForURL((url) => /\/creators\/CRT-/.test(url.pathname));
      await page.locator('article[data-creator-id]').waitFor();
      expect(await shownText(page.locator('h1'))).toBe(`@made.${tag}`);
      const [made] = await creatorsLike(`made.${tag}`);
      expect(made).toMatchObject({ handle: `@made.${tag}`, displayName: 'Made Here' });
      expect(errors).toEqual([]);
      await page.close();
    });

    it(
      'ops edit a creator (standing needs a reason) and merge a duplicate into them',
      { timeout: 60_000 },
      async () => {
        const [made] = await creatorsLike(`made.${tag}`);
        const dup = `@made.dup.${tag}`;
        const dupId = (
          await harness.platform.api<{ id: string }>('/api/creators', { method: 'POST', json: { handle: dup } })
        ).body.id;
        const { page, errors } = await openPath(`/creators/${made!.id}`, {
          as: await ops(),
          ready: '[data-panel="edit-creator"]',
        });
        await page.locator('[data-panel="edit-creator"] summary').click();
        const edit = page.locator('[data-panel="edit-creator"]');
        await edit.getByLabel('City').fill('Austin');
        await edit.getByLabel('Line 1').fill('1 Main St');
        await edit.getByLabel('Postal code').fill('78701');
        await edit.getByLabel('Country').fill('US');
        await edit.locator('select[name="standing"]').selectOption('watch');
        const save = edit.getByRole('button', { name: 'Save changes' });
        expect(await save.isDisabled()).toBe(true);
        await edit.getByLabel('Reason for the change').fill('late post in spring');
        await save.click();
        await page.locator('[data-field="standingReason"]').waitFor();
        expect(await shownText(page.locator('[data-field="standingReason"]'))).toContain('late post in spring');
        const stored = (
          await harness.platform.api<{ standing: string; addresses: { city: string }[] }>(`/api/creators/${made!.id}`)
        ).body;
        expect(stored).toMatchObject({ standing: 'watch', addresses: [{ city: 'Austin' }] });

        await page.locator('[data-panel="merge-creator"] summary').click();
        const merge = page.locator('[data-panel="merge-creator"]');
        await merge.getByLabel('Duplicate (handle or id)').fill(dup);
        await merge.getByRole('button', { name: 'Merge…' }).click();
        await merge.getByRole('button', { name: 'Confirm merge' }).click();
        await page.locator(`[data-merge-result="${dupId}"]`).waitFor();
        expect(await shownText(page.locator(`[data-merge-result="${dupId}"]`))).toContain('0 samples moved');
        expect((await creatorsLike(`made.dup.${tag}`)).map((c) => c.id)).not.toContain(dupId);
        expect(errors).toEqual([]);
        await page.close();
      },
    );

    it(
      'imports creators from CSV: a bad row is previewed, nothing written until the fixed file is confirmed',
      {
        timeout: 60_000,
      },
      async () => {
        const { page, errors } = await openPath('/creators/import', {
          as: await ops(),
          ready: '[data-csv-import="creators"]',
        });
        const bad = `handle,display_name,email\n@csv1.${tag},Csv One,one.${tag}@example.com\n@csv2.${tag},Csv Two,not-an-email\n`;
        const csv = page.getByLabel('CSV of creators');
        const confirm = page.getByRole('button', { name: 'Confirm import' });
        await csv.fill(bad);
        await page.getByRole('button', { name: 'Preview' }).click();
        await page.locator('[data-import-bad="1"]').waitFor();
        expect(await shownText(page.locator('tr[data-import-line="2"]'))).toContain(`create @csv1.${tag}`);
        expect(await shownText(page.locator('tr[data-import-line="3"]'))).toContain('email');
        expect(await confirm.isDisabled()).toBe(true);
        await screenshot(page, 'creators-import-preview');
        const imported = async () =>
          (await creatorsLike(`.${tag}`))
            .filter((c) => c.handle.startsWith('@csv'))
            .map((c) => c.handle)
            .sort();
        expect(await imported()).toEqual([]);

        await csv.fill(bad.replace('not-an-email', `two.${tag}@example.com`));
        // Changed text must be previewed again before it can be confirmed.
        expect(await confirm.isDisabled()).toBe(true);
        await page.getByRole('button', { name: 'Preview' }).click();
        await page.locator('[data-import-ok="2"]').waitFor();
        expect(await imported()).toEqual([]);
        await confirm.click();
        await page.locator('[data-import-done]').waitFor();
        expect(await shownText(page.locator('[data-import-done]'))).toBe('Imported: 2 created, 0 updated.');
        expect(await imported()).toEqual([`@csv1.${tag}`, `@csv2.${tag}`]);
        expect(errors).toEqual([]);
        await page.close();
      },
    );

    it('ops add a product that needs a tracker, and edit it', { timeout: 60_000 }, async () => {
      const sku = `PRD-${tag}`;
      const { page, errors } = await openPath('/products', { as: await ops(), ready: '[data-panel="new-product"]' });
      await page.locator('[data-panel="new-product"] summary').click();
      const form = page.locator('[data-product-form="new"]');
      await form.getByLabel('SKU').fill(sku);
      await form.getByLabel('Name').fill('Truffle box');
      await form.getByLabel('Unit cost ($)').fill('18.50');
      await form.getByLabel('On hand').fill('40');
      await form.getByLabel('Condition profile').selectOption('chocolate');
      await form.getByLabel('Needs a tracker').check();
      await form.getByRole('button', { name: 'Add product' }).click();
      const row = page.locator(`tr[data-product-row="${sku}"]`);
      await row.waitFor();
      expect(await shownText(row)).toContain('$18.50');
      expect(await shownText(row.locator('[data-col="tracker"]'))).toBe('Yes');
      expect(await shownText(row)).toContain('chocolate');

      await row.getByRole('button', { name: `Edit ${sku}` }).click();
      const edit = page.locator(`[data-product-form="${sku}"]`);
      await edit.getByLabel('On hand').fill('35');
      await edit.getByLabel('Needs a tracker').uncheck();
      await edit.getByRole('button', { name: 'Save product' }).click();
      await expect.poll(() => row.getAttribute('data-needs-tracker')).toBe('false');
      const stored = (
        await harness.platform.api<{ inventoryOnHand: number; needsTracker: boolean; unitCostCents: number }>(
          `/api/products/${sku}`,
        )
      ).body;
      expect(stored).toMatchObject({ inventoryOnHand: 35, needsTracker: false, unitCostCents: 1850 });
      await screenshot(page, 'products');
      // What the viewer's check counts is there for ops.
      expect(await page.getByRole('button', { name: ACTIONS }).count()).toBeGreaterThan(0);
      // What the viewer's check counts is there for ops.
      expect(await page.getByRole('button', { name: ACTIONS }).count()).toBeGreaterThan(0);
      expect(errors).toEqual([]);
      await page.close();
    });

    it(
      'ops see the policy decide before submitting; another person approves it in the queue',
      {
        timeout: 90_000,
      },
      async () => {
        const sku = `PRICEY-${tag}`;
        // Above the auto-approval line ($50), within the approver's limit.
        await harness.platform.product(sku, { unitCostCents: 12_000, inventoryOnHand: 10 });
        const handle = `@asker.${tag}`;
        await harness.platform.api('/api/creators', { method: 'POST', json: { handle } });

        const { page, errors } = await openPath('/samples/new', { as: await ops(), ready: 'form [name="creator"]' });
        await page.getByLabel('Creator').fill(handle);
        await page.getByLabel('SKU').fill(sku);
        await page.locator('select[name="campaign"]').selectOption({ label: 'Other key…' });
        await page.locator('input[name="campaign-key"]').fill('Spring drop');
        const verdict = page.locator('[data-verdict]');
        await verdict.waitFor();
        expect(await verdict.getAttribute('data-verdict')).toBe('needs_approver');
        // Four eyes: the requester may not approve their own request above the line.
        expect(await page.locator('[data-you-may-approve]').getAttribute('data-you-may-approve')).toBe('false');
        expect(await shownText(verdict)).toContain('Needs an approver');
        await screenshot(page, 'sample-new');
        await page.getByRole('button', { name: 'Request sample' }).click();
        const created = page.locator('[data-created-sample]');
        await created.waitFor();
        const sampleId = (await created.getAttribute('data-created-sample'))!;
        expect(await created.getByRole('link', { name: sampleId }).getAttribute('href')).toBe(`/samples/${sampleId}`);
        expect(errors).toEqual([]);
        await page.close();

        // The requester sees it waiting, with why they may not decide, and no buttons.
        const own = await openPath('/approvals', { as: await ops(), ready: `li[data-approval="${sampleId}"]` });
        const ownItem = own.page.locator(`li[data-approval="${sampleId}"]`);
        expect(await ownItem.getAttribute('data-may-approve')).toBe('false');
        expect(await shownText(ownItem.locator('[data-why-not]'))).toContain('another approver must decide');
        expect(await ownItem.getByRole('button').count()).toBe(0);
        expect(own.errors).toEqual([]);
        await own.page.close();

        const approver = await person(`lead-${tag}`, 'ops', 100_000);
        const queue = await openPath('/approvals', { as: approver, ready: `li[data-approval="${sampleId}"]` });
        const item = queue.page.locator(`li[data-approval="${sampleId}"]`);
        expect(await item.getAttribute('data-may-approve')).toBe('true');
        expect(await shownText(item.locator('[data-fact="cost"]'))).toContain('$120.00');
        expect(await shownText(item.locator('[data-fact="stock"]'))).toBe('10');
        expect(await shownText(item.locator('[data-fact="reasons"]'))).not.toBe('');
        await screenshot(queue.page, 'approvals');
        await item.getByRole('button', { name: 'Approve' }).click();
        await item.waitFor({ state: 'detached' });
        const sample = (await harness.platform.api<{ status: string }>(`/api/samples/${sampleId}`)).body;
        expect(sample.status).toBe('approved');

        // A second request, rejected with a reason.
        await harness.platform.api('/api/creators', { method: 'POST', json: { handle: `@asker2.${tag}` } });
        const second = await harness.platform.api<{ sample: { id: string } }>('/api/sample-requests', {
          method: 'POST',
          // Another creator: the same SKU to the same one again would be refused as a duplicate.
          json: { creator: `@asker2.${tag}`, sku, campaign: 'Summer', source: 'form' },
          as: { person: `ops-api-${tag}`, role: 'ops' },
        });
        expect(second.status).toBe(201);
        const secondId = second.body.sample.id;
        await queue.page.reload();
        const next = queue.page.locator(`li[data-approval="${secondId}"]`);
        await next.getByRole('button', { name: 'Reject…' }).click();
        const confirmReject = next.getByRole('button', { name: 'Confirm reject' });
        expect(await confirmReject.isDisabled()).toBe(true);
        await next.getByLabel('Reason').fill('one send per season');
        await confirmReject.click();
        await next.waitFor({ state: 'detached' });
        expect((await harness.platform.api<{ status: string }>(`/api/samples/${secondId}`)).body.status).toBe(
          'rejected',
        );
        expect(queue.errors).toEqual([]);
        await queue.page.close();
      },
    );

    it(
      'offers an override with a reason for a restricted creator, and the policy says what it changes',
      {
        timeout: 60_000,
      },
      async () => {
        const sku = `CHEAP-${tag}`;
        await harness.platform.product(sku, { unitCostCents: 900, inventoryOnHand: 10 });
        const handle = `@barred.${tag}`;
        await harness.platform.api('/api/creators', { method: 'POST', json: { handle, standing: 'restricted' } });
        const { page, errors } = await openPath('/samples/new', { as: await ops(), ready: 'form [name="creator"]' });
        await page.getByLabel('Creator').fill(handle);
        await page.getByLabel('SKU').fill(sku);
        await page.locator('select[name="campaign"]').selectOption({ label: 'Other key…' });
        await page.locator('input[name="campaign-key"]').fill('Spring drop');
        const verdict = page.locator('[data-verdict]');
        await expect.poll(() => verdict.getAttribute('data-rule')).toBe('restricted_creator');
        expect(await verdict.getAttribute('data-verdict')).toBe('rejected');
        await page.getByLabel('Override the restriction').check();
        await page.getByLabel('Reason for the override').fill('converted well last time');
        await expect.poll(() => verdict.getAttribute('data-rule')).toBe('restricted_override');
        expect(await verdict.getAttribute('data-verdict')).toBe('needs_approver');
        expect(errors).toEqual([]);
        await page.close();
      },
    );

    it(
      'requests samples in bulk from CSV: refused rows previewed, the fixed file confirmed',
      { timeout: 60_000 },
      async () => {
        const sku = `BULK-${tag}`;
        await harness.platform.product(sku, { unitCostCents: 900, inventoryOnHand: 10 });
        for (const handle of [`@bulk1.${tag}`, `@bulk2.${tag}`])
          await harness.platform.api('/api/creators', { method: 'POST', json: { handle } });
        const { page, errors } = await openPath('/samples/new', {
          as: await ops(),
          ready: '[data-csv-import="sample requests"]',
        });
        const csv = page.getByLabel('CSV of sample requests');
        const confirm = page.getByRole('button', { name: 'Confirm import' });
        const file = (second: string) =>
          `creator,sku,campaign,source\n@bulk1.${tag},${sku},Bulk,form\n@bulk2.${tag},${second},Bulk,form\n`;
        await csv.fill(file('NO-SUCH-SKU'));
        await page.getByRole('button', { name: 'Preview' }).click();
        await page.locator('[data-import-bad="1"]').waitFor();
        expect(await shownText(page.locator('tr[data-import-line="3"]'))).toContain('NO-SUCH-SKU');
        expect(await confirm.isDisabled()).toBe(true);
        const mine = async () =>
          (
            await harness.platform.api<{ samples: { creator: string }[] }>(`/api/samples?limit=1000`)
          ).body.samples.filter((s) => s.creator.startsWith('@bulk')).length;
        expect(await mine()).toBe(0);

        await csv.fill(file(sku));
        await page.getByRole('button', { name: 'Preview' }).click();
        await page.locator('[data-import-ok="2"]').waitFor();
        expect(await shownText(page.locator('tr[data-import-line="2"]'))).toContain('approved');
        expect(await mine()).toBe(0);
        await confirm.click();
        await page.locator('[data-import-done]').waitFor();
        expect(await shownText(page.locator('[data-import-done]'))).toBe('Requested 2 samples.');
        expect(await mine()).toBe(2);
        // The refused preview is the server's 400, logged by the browser as a failed request.
        expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
        await page.close();
      },
    );

    it('gives a viewer read-only pages with no action buttons', { timeout: 90_000 }, async () => {
      const viewer = await person(`viewer-${tag}`, 'viewer');
      const [someone] = await creatorsLike(`made.${tag}`);
      const pages: { path: string; ready: string }[] = [
        { path: '/creators', ready: 'tr[data-creator-row]' },
        { path: `/creators/${someone!.id}`, ready: 'article[data-creator-id]' },
        { path: '/creators/import', ready: '[data-read-only]' },
        { path: '/products', ready: 'tr[data-product-row]' },
        { path: '/samples/new', ready: '[data-read-only]' },
        { path: '/approvals', ready: '[data-read-only]' },
      ];
      const { page, errors } = await openPath(pages[0]!.path, { as: viewer, ready: pages[0]!.ready });
      for (const p of pages) {
        await page.goto(harness.platform.httpUrl + p.path);
        await page.locator(p.ready).first().waitFor();
        for (const panel of ['new-creator', 'edit-creator', 'merge-creator', 'new-product'])
          expect(await page.locator(`[data-panel="${panel}"]`).count(), `${p.path} ${panel}`).toBe(0);
        expect(await page.locator('[data-action="import-creators"]').count(), p.path).toBe(0);
        expect(await page.locator('[data-csv-import], [data-product-form], li[data-approval]').count(), p.path).toBe(0);
        // Reading stays (sorting, the "already sampled?" check); nothing that changes anything.
        const actions = page.getByRole('button', { name: ACTIONS });
        expect(await actions.count(), p.path).toBe(0);
      }
      // The queue's refusal was the server's answer, logged by the browser as a failed request.
      expect(errors.filter((e) => !e.includes('status of 403'))).toEqual([]);
      await page.close();
    });
  });
}
