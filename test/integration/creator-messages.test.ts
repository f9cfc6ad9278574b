import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FollowUpScheduler } from '../../workers/follow-up.scheduler.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';
import { MIA, dispatch, label, programApi } from './sample-program.support.ts';

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

/**
 * A real SMTP server in-process. It refuses `bounce@…` for good (550) and the first
 * recipient command of `slow@…` for now (451), and keeps every message it accepted.
 */
function smtp() {
  const mails: Mail[] = [];
  const seen = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, cb) {
      const n = (seen.get(address.address) ?? 0) + 1;
      seen.set(address.address, n);
      if (address.address.startsWith('bounce@')) {
        return cb(Object.assign(new Error('5.1.1 no such mailbox here'), { responseCode: 550 }));
      }
      if (address.address.startsWith('slow@') && n === 1) {
        return cb(Object.assign(new Error('4.7.1 greylisted, try again later'), { responseCode: 451 }));
      }
      cb();
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        cb();
      });
    },
  });
  return {
    mails,
    listen: () =>
      new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.server.address() as AddressInfo).port))),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

interface Message {
  id: number;
  key: string;
  action: string;
  channel: 'email' | 'dm';
  recipient: string | null;
  subject: string;
  body: string;
  status: string;
  attempts: number;
  lastError: string | null;
  providerId: string | null;
  sentAt: string | null;
  sentBy: string | null;
}

const mailServer = smtp();
let p: TestPlatform;
beforeAll(async () => {
  const port = await mailServer.listen();
  p = await startTestPlatform({
    SMTP_URL: `smtp://127.0.0.1:${port}`,
    SMTP_FROM: 'Glow Labs <samples@glow.test>',
    SMTP_MAX_ATTEMPTS: '3',
    SMTP_POLL_MS: '20',
    WEBHOOK_RETRY_BASE_MS: '30',
  });
});
afterAll(async () => {
  await p?.close();
  await mailServer.close();
});

const BRIEF = 'Film your morning routine with the serum in natural light.';

/** A dispatched sample of a creator with this contact, in a campaign with a brief. */
async function dispatched(handle: string, contact: Record<string, string>, windowDays: number | null = null) {
  const api = programApi(p);
  const sku = `MSG-${handle.replace(/\W/g, '').toUpperCase()}`;
  await api.creator(handle, { contact });
  await api.product(sku);
  const campaign = `msg-${sku.toLowerCase()}`;
  const { sample } = await api.request({ creator: handle, sku, campaign });
  // The campaign API is another part's; its row is written here as that API would.
  await p.pool.query(
    `update campaigns set name = 'Spring Glow', brief_md = $2, posting_window_days = $3,
       deliverables = '[{"kind":"video","count":2,"keepUpDays":30}]' where id = $1`,
    [campaign, BRIEF, windowDays],
  );
  await api.event(sample.id, label(`TRK-${sku}`));
  await api.event(sample.id, dispatch);
  await scheduler().runOnce(new Date());
  return { sample, campaign };
}

const scheduler = () =>
  new FollowUpScheduler(p.pool, undefined, { creatorLinks: p.services.creatorLinks, messages: p.services.messages });
const messagesOf = async (sampleId: string) =>
  (await p.api<{ messages: Message[] }>(`/api/samples/${sampleId}/messages`)).body.messages;

describe('messages to creators', () => {
  it('emails the brief over SMTP with the brief, the due date and the creator link; the outbox carries the text', async () => {
    const { sample } = await dispatched('@msg.ava', { email: 'ava@example.com' });
    const sent = await waitFor(
      async () => {
        const rows = await messagesOf(sample.id);
        return rows.length === 2 && rows.every((m) => m.status === 'sent') && rows;
      },
      10_000,
      'both emails sent',
    );
    expect(sent.map((m) => m.action).sort()).toEqual(['send_brief', 'send_shipment_confirmation']);
    expect(sent.every((m) => m.channel === 'email' && m.recipient === 'ava@example.com' && m.providerId)).toBe(true);

    const brief = mailServer.mails.find((m) => m.to.includes('ava@example.com') && m.raw.includes('Your brief for'));
    expect(brief).toBeDefined();
    const text = brief!.raw.replace(/=\r?\n/g, '');
    expect(brief!.from).toBe('samples@glow.test');
    expect(text).toContain(BRIEF);
    expect(text).toContain('- 2 videos (kept up at least 30 days)');
    expect(text).toContain('Please post by 14 days after it arrives.');
    expect(text).toMatch(/http:\/\/[^\s]+\/c\/[\w.-]+/);
    expect(text).toContain('Glow Labs');
    const messageId = sent.find((m) => m.action === 'send_brief')!.providerId!;
    expect(text).toContain(`Message-ID: ${messageId}`);

    // The signed webhook's payload carries the same rendered text, never the address.
    const outbox = (
      await p.api<{ messages: { kind: string; payload: Record<string, unknown> }[] }>(
        `/api/outbox?sampleId=${sample.id}`,
      )
    ).body.messages;
    const row = outbox.find((m) => m.kind === 'send_brief')!;
    const message = row.payload.message as { channel: string; text: string; link: string };
    expect(message.channel).toBe('email');
    expect(message.text).toContain(BRIEF);
    expect(message.text).toContain(message.link);
    expect(message.link).toMatch(/\/c\//);
    expect(JSON.stringify(outbox)).not.toContain('ava@example.com');
  });

  it('a creator without an email gets a DM that a person copies and marks sent', async () => {
    // This campaign's own posting window (10 days) is the one the brief announces.
    const { sample } = await dispatched('@msg.bo', {}, 10);
    const queued = (await p.api<{ messages: Message[] }>('/api/creator-messages?status=queued&channel=dm')).body
      .messages;
    const dm = queued.find((m) => m.key.startsWith(sample.id) && m.action === 'send_brief');
    expect(dm).toMatchObject({ channel: 'dm', recipient: '@msg.bo', status: 'queued' });
    expect(dm!.body).toContain(BRIEF);
    expect(dm!.body).toContain('Please post by 10 days after it arrives.');

    const res = await p.api<Message>(`/api/creator-messages/${dm!.id}/sent`, { method: 'POST', as: MIA });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'sent', sentBy: 'mia@test.local' });
    expect(res.body.sentAt).not.toBeNull();
    const again = await p.api<{ code: string }>(`/api/creator-messages/${dm!.id}/sent`, { method: 'POST', as: MIA });
    expect(again.status).toBe(409);
    const audit = await p.pool.query<{ actor_label: string }>(
      `select actor_label from audit_log where action = 'creator_message.sent' and entity_id = $1`,
      [sample.id],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]!.actor_label).toMatch(/^mia@test\.local/);
    // A viewer sees the message but not the creator's contact.
    const viewer = await p.api<{ messages: Message[] }>(`/api/samples/${sample.id}/messages`, { as: 'viewer' });
    expect(viewer.body.messages.every((m) => m.recipient === null)).toBe(true);
  });

  it("a 550 bounces the email at once with the server's reply; ops can queue it again", async () => {
    const { sample } = await dispatched('@msg.cy', { email: 'bounce@example.com' });
    const bounced = await waitFor(
      async () => {
        const rows = await messagesOf(sample.id);
        return rows.length === 2 && rows.every((m) => m.status === 'bounced') && rows;
      },
      10_000,
      'both emails bounced',
    );
    expect(bounced.every((m) => m.attempts === 1 && m.lastError?.includes('550'))).toBe(true);
    expect(bounced[0]!.lastError).toContain('no such mailbox');

    const sent = await p.api<{ code: string }>(`/api/creator-messages/${bounced[0]!.id}/sent`, {
      method: 'POST',
      as: MIA,
    });
    expect(sent.status).toBe(409);
    const retried = await p.api<Message>(`/api/creator-messages/${bounced[0]!.id}/retry`, { method: 'POST', as: MIA });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ attempts: 0 });
    await waitFor(
      async () => (await messagesOf(sample.id)).find((m) => m.id === bounced[0]!.id)?.status === 'bounced',
      10_000,
      'bounced again',
    );
    const audit = await p.pool.query(
      `select 1 from audit_log where action = 'creator_message.retry' and entity_id = $1`,
      [sample.id],
    );
    expect(audit.rowCount).toBe(1);
  });

  it('a 451 is retried and the email then goes out', async () => {
    const { sample } = await dispatched('@msg.di', { email: 'slow@example.com' });
    const sent = await waitFor(
      async () => {
        const rows = await messagesOf(sample.id);
        return rows.length === 2 && rows.every((m) => m.status === 'sent') && rows;
      },
      10_000,
      'both emails sent after the retry',
    );
    // The server refused the first recipient command only: one of the two took a second attempt.
    expect(sent.map((m) => m.attempts).sort()).toEqual([1, 2]);
    expect(sent.every((m) => m.lastError === null)).toBe(true);
    expect(mailServer.mails.filter((m) => m.to.includes('slow@example.com'))).toHaveLength(2);
  });
});

describe('message templates', () => {
  it('only an admin saves one, and a template naming an unknown variable is refused with that name', async () => {
    const body = { subject: 'Brief', body: 'Hi {{creator.name}}, {{link}}' };
    const byOps = await p.api('/api/message-templates/send_brief', { method: 'PUT', json: body, as: 'ops' });
    expect(byOps.status).toBe(403);
    const unknown = await p.api<{
      error: { code: string; message: string; details: { unknown: string[]; known: string[] } };
    }>('/api/message-templates/send_brief', {
      method: 'PUT',
      json: { subject: 'Brief', body: 'Due {{dueDat}} {{link}}' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('VALIDATION_FAILED');
    expect(unknown.body.error.message).toContain('dueDat');
    expect(unknown.body.error.details.unknown).toEqual(['dueDat']);
    expect(unknown.body.error.details.known).toContain('dueDate');
  });

  it("a campaign's template overrides the built-in one, previews against a sample, and resets", async () => {
    const { sample, campaign } = await dispatched('@msg.ed', {});
    const saved = await p.api<{ source: string }>(`/api/message-templates/send_posting_reminder?campaign=${campaign}`, {
      method: 'PUT',
      json: {
        subject: 'Post soon, {{creator.handle}}',
        body: '{{campaign.name}}: {{product.sku}} by {{dueDate}}. {{link}}',
      },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.source).toBe('campaign');
    const list = await p.api<{
      templates: { action: string; source: string }[];
      variables: { name: string }[];
      campaigns: { id: string; name: string }[];
    }>(`/api/message-templates?campaign=${campaign}`);
    expect(list.body.templates.find((t) => t.action === 'send_posting_reminder')?.source).toBe('campaign');
    expect(list.body.templates.find((t) => t.action === 'send_brief')?.source).toBe('default');
    expect(list.body.variables.map((v) => v.name)).toContain('campaign.deliverables');
    expect(list.body.campaigns).toContainEqual({ id: campaign, name: 'Spring Glow' });

    const preview = await p.api<{ subject: string; text: string; unknown: string[] }>(
      '/api/message-templates/preview',
      {
        method: 'POST',
        json: { action: 'send_posting_reminder', sampleId: sample.id },
      },
    );
    expect(preview.status).toBe(200);
    expect(preview.body.subject).toBe('Post soon, @msg.ed');
    expect(preview.body.text).toMatch(/^Spring Glow: MSG-MSGED by 14 days after it arrives\. http:\/\/\S+\/c\/\S+$/);
    const edited = await p.api<{ text: string; unknown: string[] }>('/api/message-templates/preview', {
      method: 'POST',
      json: { action: 'send_brief', body: 'Hi {{creator.name}} {{nope}}' },
    });
    expect(edited.body).toMatchObject({ text: 'Hi Ava ', unknown: ['nope'] });

    const reset = await p.api<{ source: string }>(`/api/message-templates/send_posting_reminder?campaign=${campaign}`, {
      method: 'DELETE',
    });
    expect(reset.body.source).toBe('default');
    const audit = await p.pool.query<{ action: string }>(
      `select action from audit_log where entity_type = 'message_template' and entity_id = $1 order by id`,
      [`${campaign}:send_posting_reminder`],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['message_template.update', 'message_template.reset']);
  });
});
