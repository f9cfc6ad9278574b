import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONDITION_PRESETS } from '../../core/domain/condition/index.ts';
import { AlertRepository } from '../../core/storage/repositories/alert.repository.ts';
import { fanOutNotices } from '../../core/services/notification-fanout.ts';
import { withTransaction } from '../../core/storage/transaction.ts';
import { aProduct } from '../support/builders.ts';
import { startTestPlatform, type As, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

/** A real SMTP server in-process that keeps every message. */
function smtp() {
  const mails: { to: string[]; raw: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
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

/** A local receiver shaped like Slack's and Teams' incoming webhooks: it keeps each POST by path. */
function hooks() {
  const posts: { path: string; body: Record<string, unknown>; raw: string }[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', body: JSON.parse(raw) as Record<string, unknown>, raw });
      if (req.url?.startsWith('/down')) return res.writeHead(503).end('down for maintenance');
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  let base = '';
  return {
    posts,
    url: (path: string) => `${base}${path}`,
    listen: () =>
      new Promise<void>((r) =>
        server.listen(0, '127.0.0.1', () => {
          base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
          r();
        }),
      ),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const MIN = 60_000;
const suffix = () => Math.random().toString(36).slice(2, 8);
const mail = smtp();
const hook = hooks();
let p: TestPlatform;

const MIA: As = { person: 'mia', role: 'ops' };
const BOB: As = { person: 'bob', role: 'fulfillment' };
const QUINN: As = { person: 'quinn', role: 'ops' };

beforeAll(async () => {
  const port = await mail.listen();
  await hook.listen();
  p = await startTestPlatform({
    SMTP_URL: `smtp://127.0.0.1:${port}`,
    SMTP_FROM: 'Sampletrack <alerts@glow.test>',
    WEBHOOK_POLL_MS: '20',
    WEBHOOK_RETRY_BASE_MS: '50',
    WEBHOOK_MAX_ATTEMPTS: '3',
    ALERT_ESCALATE_AFTER_MIN: '15',
    PUBLIC_URL: 'https://ops.example.com',
  });
});
afterAll(async () => {
  await p?.close();
  await mail.close();
  await hook.close();
});

async function channel(as: As, json: object) {
  const r = await p.api<{ id: number; target: string }>('/api/notifications/channels', { method: 'POST', json, as });
  expect(r.status).toBe(201);
  return r.body;
}
async function subscribe(as: As, json: object) {
  const r = await p.api<{ id: number }>('/api/notifications/subscriptions', { method: 'POST', json, as });
  expect(r.status).toBe(201);
  return r.body;
}

/** A tracked sample whose tracker reports one hit of `shockG`: fragile → critical, chocolate → warning. */
async function shockedSample(preset: 'fragile' | 'chocolate', shockG: number) {
  const sku = `${preset.toUpperCase()}-${suffix()}`;
  await aProduct(p.pool, { sku, profile: CONDITION_PRESETS[preset] });
  const { id, secret } = await p.provisionDevice(`trk-notify-${suffix()}`);
  const sample = await p.api<{ id: string }>('/api/samples', {
    method: 'POST',
    json: { creator: '@glowwithmia', sku },
  });
  await p.api(`/api/samples/${sample.body.id}/tracker`, { method: 'PUT', json: { deviceId: id } });
  const client = await p.connectTracker(id, secret);
  const t0 = Date.now() - 60 * MIN;
  await client.publishAsync(
    `trackers/${id}/telemetry`,
    JSON.stringify({
      readings: [
        { seq: 0, ts: t0, lat: 35.2, lon: -101.8 },
        { seq: 1, ts: t0 + 20 * MIN, shockG, lat: 35.2, lon: -101.8 },
      ],
    }),
    { qos: 1 },
  );
  const exception = await waitFor(
    async () => {
      const { body } = await p.api<{ exceptions: { id: number; type: string; severity: string }[] }>(
        `/api/exceptions?sampleId=${sample.body.id}`,
      );
      return body.exceptions.find((e) => e.type === 'shock');
    },
    10_000,
    'the shock exception',
  );
  await client.endAsync();
  return { sampleId: sample.body.id, sku, exceptionId: exception.id, severity: exception.severity };
}

const hhmm = (d: Date) => d.toISOString().slice(11, 16);
const slackTexts = (path: string) => hook.posts.filter((x) => x.path === path).map((x) => String(x.body.text));

describe('notifications people choose', () => {
  let critical: Awaited<ReturnType<typeof shockedSample>>;

  it('a critical exception reaches the subscribed user by email and Slack, and nobody else', async () => {
    const email = await channel(MIA, { kind: 'email', name: 'my inbox', target: 'mia@test.local' });
    const slack = await channel(MIA, { kind: 'slack', name: 'my slack', target: hook.url('/slack/mia/SECRET') });
    expect(slack.target).toBe(hook.url('/slack/mia/SECRET')); // shown in full this once
    await subscribe(MIA, { channelId: email.id, minSeverity: 'critical' });
    await subscribe(MIA, { channelId: slack.id, minSeverity: 'critical' });
    // Bob has a channel but no subscription; a person may not point an email channel at someone else.
    await channel(BOB, { kind: 'email', name: 'bob', target: 'bob@test.local' });
    const other = await p.api('/api/notifications/channels', {
      method: 'POST',
      json: { kind: 'email', name: 'x', target: 'mia@test.local' },
      as: BOB,
    });
    expect(other.status).toBe(403);

    critical = await shockedSample('fragile', 14);
    expect(critical.severity).toBe('critical');

    const m = await waitFor(
      () => mail.mails.find((x) => x.raw.includes(critical.sampleId)),
      10_000,
      'the email at the SMTP server',
    );
    expect(m.to).toEqual(['mia@test.local']);
    const unfolded = m.raw.replace(/=\r?\n/g, '').replace(/\r?\n /g, ' ');
    expect(unfolded).toContain(`Dropped or hit`);
    expect(unfolded).toContain(`https://ops.example.com/samples/${critical.sampleId}`);

    const post = await waitFor(
      () => hook.posts.find((x) => x.path === '/slack/mia/SECRET' && x.raw.includes(critical.sampleId)),
      10_000,
      'the Slack POST',
    );
    const text = String(post.body.text);
    expect(text).toMatch(/^\[critical\] Dropped or hit · SMP-.* · @glowwithmia · FRAGILE-/);
    expect(text).toMatch(/14 g \(above the limit of 8\.0 g\)/); // how much
    expect(text).toContain('in transit near 35.200, -101.800'); // where
    expect(text).toContain(`Sample ${critical.sampleId} for @glowwithmia, SKU ${critical.sku}`);
    expect(text).toContain('Next: '); // what to do
    expect(post.body.blocks).toBeInstanceOf(Array);

    // A rerun of the opening fan-out writes nothing new.
    const { rows } = await p.pool.query<{ id: number }>(
      `select id from alerts where exception_id = $1 and kind = 'opened'`,
      [critical.exceptionId],
    );
    const again = await withTransaction(p.pool, async (tx) =>
      fanOutNotices(tx, {
        alertId: rows[0]!.id,
        facts: (await new AlertRepository(tx).facts(critical.exceptionId))!,
        tiers: [1, 1],
        publicUrl: 'https://ops.example.com',
        now: new Date(),
      }),
    );
    expect(again).toBe(0);
    expect(mail.mails.some((x) => x.to.includes('bob@test.local'))).toBe(false);
    const bobs = await p.api<{ notifications: unknown[] }>('/api/notifications', { as: BOB });
    expect(bobs.body.notifications).toEqual([]);
    const mine = await p.api<{ notifications: { status: string; kind: string; exceptionId: number }[] }>(
      '/api/notifications?status=sent',
      { as: MIA },
    );
    expect(
      mine.body.notifications
        .filter((n) => n.exceptionId === critical.exceptionId)
        .map((n) => n.kind)
        .sort(),
    ).toEqual(['email', 'slack']);
    // The webhook URL is a secret: listed, it shows its host only.
    const listed = await p.api<{ channels: { id: number; target: string }[] }>('/api/notifications/channels', {
      as: MIA,
    });
    expect(listed.body.channels.find((c) => c.id === slack.id)!.target).not.toContain('SECRET');
  });

  it('quiet hours hold a warning back and let a critical through', async () => {
    const slack = await channel(QUINN, { kind: 'slack', name: 'quinn', target: hook.url('/slack/quinn') });
    const now = Date.now();
    await subscribe(QUINN, {
      channelId: slack.id,
      minSeverity: 'warning',
      quietStart: hhmm(new Date(now - 60 * MIN)),
      quietEnd: hhmm(new Date(now + 90 * MIN)),
      tz: 'UTC',
    });
    const warning = await shockedSample('chocolate', 16);
    expect(warning.severity).toBe('warning');
    const crit = await shockedSample('fragile', 12);
    await waitFor(() => slackTexts('/slack/quinn').some((t) => t.includes(crit.sampleId)), 10_000, 'the critical');

    const { body } = await p.api<{
      notifications: { exceptionId: number; status: string; heldFor: string | null; nextAttemptAt: string }[];
    }>('/api/notifications', { as: QUINN });
    const held = body.notifications.find((n) => n.exceptionId === warning.exceptionId)!;
    expect(held).toMatchObject({ status: 'held', heldFor: 'quiet' });
    expect(Date.parse(held.nextAttemptAt)).toBeGreaterThan(now + 80 * MIN);
    expect(slackTexts('/slack/quinn').some((t) => t.includes(warning.sampleId))).toBe(false);
  });

  it('an unacknowledged critical escalates to tier 2 on Teams, an acknowledged one does not, and nothing fires twice', async () => {
    const teams = await channel('admin', {
      kind: 'teams',
      name: 'on call',
      target: hook.url('/teams/oncall'),
      team: 'oncall',
    });
    await subscribe('admin', { channelId: teams.id, team: 'oncall', minSeverity: 'critical', escalationTier: 2 });
    // Only an admin sets up a Teams channel.
    const refused = await p.api('/api/notifications/channels', {
      method: 'POST',
      json: { kind: 'teams', name: 't', target: hook.url('/teams/x') },
      as: MIA,
    });
    expect(refused.status).toBe(403);

    const acked = await shockedSample('fragile', 13);
    const ack = await p.api(`/api/exceptions/${acked.exceptionId}/acknowledge`, {
      method: 'POST',
      json: {},
      as: { person: 'sam', role: 'fulfillment' },
    });
    expect(ack.status).toBe(200);

    // Not yet due: tier 2 waits ALERT_ESCALATE_AFTER_MIN.
    expect(await p.services.notifications.escalate(new Date(Date.now() + 5 * MIN))).toBe(0);
    const later = new Date(Date.now() + 16 * MIN);
    expect(await p.services.notifications.escalate(later)).toBeGreaterThanOrEqual(1);
    expect(await p.services.notifications.escalate(later)).toBe(0);

    const post = await waitFor(
      () => hook.posts.find((x) => x.path === '/teams/oncall' && x.raw.includes(critical.sampleId)),
      10_000,
      'the Teams escalation',
    );
    expect(post.body).toMatchObject({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: {
            type: 'AdaptiveCard',
            actions: [{ type: 'Action.OpenUrl', url: `https://ops.example.com/samples/${critical.sampleId}` }],
          },
        },
      ],
    });
    expect(post.raw).toContain('Escalated to tier 2');

    await new Promise((r) => setTimeout(r, 300));
    expect(hook.posts.filter((x) => x.path === '/teams/oncall' && x.raw.includes(acked.sampleId))).toEqual([]);
    expect(hook.posts.filter((x) => x.path === '/teams/oncall' && x.raw.includes(critical.sampleId))).toHaveLength(1);
    expect(mail.mails.filter((x) => x.raw.includes(critical.sampleId))).toHaveLength(1);
    expect(slackTexts('/slack/mia/SECRET').filter((t) => t.includes(critical.sampleId))).toHaveLength(1);
  });

  it('"send a test" posts to the channel now, and a failing webhook is retried then marked failed', async () => {
    const slack = await channel(MIA, { kind: 'slack', name: 'test me', target: hook.url('/slack/mia-test') });
    const r = await p.api<{ ok: boolean }>(`/api/notifications/channels/${slack.id}/test`, {
      method: 'POST',
      as: MIA,
    });
    expect(r.body).toEqual({ ok: true, error: null });
    expect(hook.posts.some((x) => x.path === '/slack/mia-test' && String(x.body.text).includes('test notice'))).toBe(
      true,
    );
    // Someone else's channel is not found for another person.
    const notMine = await p.api(`/api/notifications/channels/${slack.id}/test`, { method: 'POST', as: BOB });
    expect(notMine.status).toBe(404);

    // A receiver that is down: retried from the outbox with back-off, then failed after the maximum.
    const down = await channel(MIA, { kind: 'slack', name: 'down', target: hook.url('/down/SECRET') });
    const sub = await subscribe(MIA, { channelId: down.id, minSeverity: 'critical' });
    const { rows } = await p.pool.query<{ id: number }>(
      `select id from alerts where exception_id = $1 and kind = 'opened'`,
      [critical.exceptionId],
    );
    await p.pool.query(
      `insert into notifications (alert_id, exception_id, subscription_id, channel_id, kind, tier, payload)
       values ($1, $2, $3, $4, 'slack', 1, '{"title": "t", "text": "x", "link": "https://ops.example.com/samples/x"}')`,
      [rows[0]!.id, critical.exceptionId, sub.id, down.id],
    );
    const failed = await waitFor(
      async () =>
        (
          await p.api<{ notifications: { channelId: number; attempts: number; lastError: string | null }[] }>(
            '/api/notifications?status=failed',
            { as: MIA },
          )
        ).body.notifications.find((n) => n.channelId === down.id),
      10_000,
      'the failed notice',
    );
    expect(failed.attempts).toBe(3);
    expect(failed.lastError).toContain('503');
    expect(failed.lastError).not.toContain('SECRET');
    expect(hook.posts.filter((x) => x.path === '/down/SECRET')).toHaveLength(3);

    const audit = await p.pool.query(`select action from audit_log where entity_type = 'notification_channel'`);
    expect(audit.rows.map((x) => x.action)).toContain('notification_channel.test');
  });
});
