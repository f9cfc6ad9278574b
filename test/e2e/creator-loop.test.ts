import { createServer } from 'node:net';
import type { Browser } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FollowUpScheduler } from '../../workers/follow-up.scheduler.ts';
import { launchChromium } from '../browser/chromium.ts';
import { screenshotPage } from '../browser/screenshot.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';
import { dispatch, label, LEAD, programApi } from '../integration/sample-program.support.ts';

/**
 * Issue 12's loop end to end, with real parts: the platform dispatches a sample, the
 * scheduler renders the brief, the email worker sends it over SMTP to an in-process SMTP
 * server, Chromium (at phone size) opens the creator's link from that email, confirms
 * receipt with a photo and submits the post; the staff API and page show it, attributed
 * to the link, and the KPIs count the post.
 */

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

interface Mail {
  to: string[];
  raw: string;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/** Quoted-printable soft breaks and escapes undone, so the test reads what the creator reads. */
const readable = (raw: string) =>
  raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));

let p: TestPlatform;
let smtp: SMTPServer;
let browser: Browser;
const inbox: Mail[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, done) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as { port: number }).port;
  // The link in the email must open this platform: PUBLIC_URL is its own address.
  const httpPort = await freePort();
  p = await startTestPlatform({
    HTTP_PORT: String(httpPort),
    PUBLIC_URL: `http://127.0.0.1:${httpPort}`,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    SMTP_FROM: 'Glow Samples <samples@glow.test>',
    SMTP_POLL_MS: '50',
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await p?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

describe('the creator loop, end to end', () => {
  it(
    'dispatch → email with brief and link → receipt with a photo → post, attributed to the link and counted',
    { timeout: 120_000 },
    async () => {
      const api = programApi(p);
      await api.product('LOOP-SKU', { name: 'Glow Serum 30 ml', unitCostCents: 1800, inventoryOnHand: 20 });
      const created = await p.api('/api/campaigns', {
        method: 'POST',
        json: {
          id: 'glow-week',
          name: 'Glow week',
          skus: ['LOOP-SKU'],
          briefMd: 'Film your **morning routine** with the serum in daylight.',
          deliverables: [{ kind: 'video', count: 1, keepUpDays: 3 }],
          usageRights: { organicRepost: true, paidUsage: true, whitelisting: false, durationDays: 90 },
        },
      });
      expect(created.status).toBe(201);
      await api.creator('loop_ana', { contact: { email: 'ana@creators.test' } });
      const { sample } = await api.request({ creator: 'loop_ana', sku: 'LOOP-SKU', campaign: 'glow-week' });
      if (sample.status === 'requested') await api.event(sample.id, { type: 'approve' }, 200, LEAD);
      await api.event(sample.id, label('LOOP-TRK-1'));
      await api.event(sample.id, dispatch);

      // The scheduler fires the brief; the email worker sends it.
      await new FollowUpScheduler(p.pool, undefined, {
        creatorLinks: p.services.creatorLinks,
        messages: p.services.messages,
      }).runOnce(new Date());
      const brief = await waitFor(
        () => inbox.map((m) => ({ ...m, text: readable(m.raw) })).find((m) => m.text.includes('morning routine')),
        15_000,
        'the brief email',
      );
      expect(brief.to).toEqual(['ana@creators.test']);
      expect(brief.text).toContain('LOOP-TRK-1');
      const link = /http:\/\/127\.0\.0\.1:\d+\/c\/[A-Za-z0-9_.-]+/.exec(brief.text)?.[0];
      expect(link).toBeDefined();

      // The creator, on a phone, opens the link from the email.
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
      const page = await phone.newPage();
      await page.goto(link!);
      expect(await page.locator('h1').textContent()).toContain('@loop_ana');
      expect(await page.locator('body').textContent()).toContain('morning routine');
      await page.locator('input[name=condition][value=fine]').check();
      await page.locator('input[type=file][name=photos]').setInputFiles({
        name: 'parcel.png',
        mimeType: 'image/png',
        buffer: PNG,
      });
      await page.getByRole('button', { name: 'Confirm receipt' }).click();
      await page.waitForURL(/done=receipt/);
      expect(await page.getByRole('status').textContent()).toContain('receipt is recorded');
      expect(await page.locator('.photos img').count()).toBe(1);
      if (process.env.SCREENSHOTS) await screenshotPage(page, 'creator-page-390', true);

      // The sample shows the receipt by the creator's link and the photo.
      const timeline = async () =>
        (
          await p.api<{ status: string; transitions: { event: string; actor: { kind: string; id: string } }[] }>(
            `/api/samples/${sample.id}/timeline`,
          )
        ).body;
      const received = await timeline();
      expect(received.status).toBe('content_due');
      const receipt = received.transitions.find((t) => t.event === 'confirm_receipt')!;
      expect(receipt.actor.kind).toBe('creator');
      expect(receipt.actor.id).toMatch(/^link:/);
      const photos = (await p.api<{ id: string }[]>(`/api/samples/${sample.id}/photos`)).body;
      expect(photos).toHaveLength(1);

      // Staff see it on the sample page: signed in, the photo loads.
      const staff = await browser.newContext();
      const login = await staff.request.post(`${p.httpUrl}/api/auth/login`, {
        data: { email: p.admin.email, password: p.admin.password },
      });
      expect(login.status()).toBe(200);
      const staffPage = await staff.newPage();
      await staffPage.goto(`${p.httpUrl}/samples/${sample.id}`);
      const img = staffPage.locator('[data-photos] img');
      await img.waitFor();
      await waitFor(
        () => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth > 0),
        10_000,
        'photo',
      );
      await staff.close();

      // The creator submits the post.
      const postUrl = 'https://www.tiktok.com/@loop_ana/video/7400000000000000001';
      await page.locator('input[name=url]').first().fill(postUrl);
      await Promise.all([page.waitForURL(/done=post/), page.getByRole('button', { name: 'Submit post' }).click()]);
      expect(await page.getByRole('status').textContent()).toContain('post is recorded');
      await phone.close();

      const posted = await timeline();
      expect(posted.status).toBe('posted');
      expect(posted.transitions.at(-1)).toMatchObject({
        event: 'post',
        actor: { kind: 'creator', id: receipt.actor.id },
      });

      const from = new Date(Date.now() - 86_400_000).toISOString();
      const to = new Date(Date.now() + 86_400_000).toISOString();
      const kpis = await p.api<{
        groups: { key: string | null; kpis: { samplesSent: number; samplesPosted: number } }[];
      }>(`/api/kpis?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&groupBy=campaign`);
      expect(kpis.body.groups.find((g) => g.key === 'glow-week')?.kpis).toMatchObject({
        samplesSent: 1,
        samplesPosted: 1,
      });
    },
  );
});
