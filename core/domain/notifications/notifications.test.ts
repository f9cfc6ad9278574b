import { describe, expect, it } from 'vitest';
import { highestDueTier, tierDueAt } from './escalation.ts';
import { subscriptionWants } from './matching.ts';
import { digestOf, maskTarget, noticeOf, slackOf, teamsOf } from './notice.ts';
import { inQuietHours, nextDigestAt, quietEndsAt, schedule, validTimeZone } from './timing.ts';

const MIN = 60_000;
const all = { minSeverity: 'warning' as const, exceptionTypes: [], campaigns: [], stages: [] };
const ex = { severity: 'critical' as const, type: 'shock', campaign: 'spring-glow', stage: 'in_transit' };

describe('matching', () => {
  it('wants what is at or above its severity, empty lists meaning all', () => {
    expect(subscriptionWants(all, ex)).toBe(true);
    expect(subscriptionWants(all, { ...ex, severity: 'info' })).toBe(false);
    expect(subscriptionWants({ ...all, minSeverity: 'critical' }, { ...ex, severity: 'warning' })).toBe(false);
  });
  it('filters by type, campaign and stage', () => {
    expect(subscriptionWants({ ...all, exceptionTypes: ['too_hot'] }, ex)).toBe(false);
    expect(subscriptionWants({ ...all, exceptionTypes: ['shock', 'too_hot'] }, ex)).toBe(true);
    expect(subscriptionWants({ ...all, campaigns: ['fall'] }, ex)).toBe(false);
    expect(subscriptionWants({ ...all, campaigns: ['spring-glow'] }, { ...ex, campaign: null })).toBe(false);
    expect(subscriptionWants({ ...all, stages: ['destination'] }, ex)).toBe(false);
    expect(subscriptionWants({ ...all, stages: ['in_transit'] }, ex)).toBe(true);
  });
});

describe('quiet hours and digests', () => {
  const night = { quietStart: '22:00', quietEnd: '07:00', tz: 'Europe/Berlin' };
  // 2026-01-15 is winter: Berlin is UTC+1.
  const at = (iso: string) => new Date(iso);

  it('knows a window that crosses midnight, in the subscriber’s time zone', () => {
    expect(inQuietHours(at('2026-01-15T22:30:00Z'), night)).toBe(true); // 23:30 Berlin
    expect(inQuietHours(at('2026-01-15T05:30:00Z'), night)).toBe(true); // 06:30
    expect(inQuietHours(at('2026-01-15T06:00:00Z'), night)).toBe(false); // 07:00 sharp: over
    expect(inQuietHours(at('2026-01-15T12:00:00Z'), night)).toBe(false);
    expect(inQuietHours(at('2026-01-15T12:00:00Z'), { quietStart: '09:00', quietEnd: '17:00', tz: 'UTC' })).toBe(true);
    expect(inQuietHours(at('2026-01-15T12:00:00Z'), { quietStart: null, quietEnd: null, tz: 'UTC' })).toBe(false);
  });

  it('releases a held notice when the window ends', () => {
    expect(quietEndsAt(at('2026-01-15T22:30:20Z'), night).toISOString()).toBe('2026-01-16T06:00:00.000Z');
  });

  it('holds a warning in quiet hours and lets a critical through', () => {
    const t = { ...night, digest: 'none' as const };
    const now = at('2026-01-15T22:30:00Z');
    expect(schedule(now, 'warning', t)).toEqual({ status: 'held', heldFor: 'quiet', at: at('2026-01-16T06:00:00Z') });
    expect(schedule(now, 'critical', t)).toEqual({ status: 'queued', at: now });
    expect(schedule(at('2026-01-15T12:00:00Z'), 'warning', t)).toEqual({
      status: 'queued',
      at: at('2026-01-15T12:00:00Z'),
    });
  });

  it('folds a warning into the next digest, after quiet hours if the digest falls in them', () => {
    expect(nextDigestAt(at('2026-01-15T12:34:00Z'), 'hourly', 'UTC').toISOString()).toBe('2026-01-15T13:00:00.000Z');
    // Daily: the next local midnight (23:00 UTC in Berlin's winter).
    expect(nextDigestAt(at('2026-01-15T12:34:00Z'), 'daily', 'Europe/Berlin').toISOString()).toBe(
      '2026-01-15T23:00:00.000Z',
    );
    expect(schedule(at('2026-01-15T12:34:00Z'), 'warning', { ...night, digest: 'daily' })).toEqual({
      status: 'held',
      heldFor: 'digest',
      at: at('2026-01-16T06:00:00Z'),
    });
    expect(schedule(at('2026-01-15T12:34:00Z'), 'critical', { ...night, digest: 'daily' }).status).toBe('queued');
  });

  it('checks time zones', () => {
    expect(validTimeZone('America/Chicago')).toBe(true);
    expect(validTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('escalation tiers', () => {
  const opened = new Date('2026-01-15T12:00:00Z');
  it('tier n is due (n-1) periods after the opening', () => {
    expect(tierDueAt(opened, 1, 15 * MIN)).toEqual(opened);
    expect(tierDueAt(opened, 3, 15 * MIN).toISOString()).toBe('2026-01-15T12:30:00.000Z');
    expect(highestDueTier(opened, new Date(opened.getTime() + 14 * MIN), 15 * MIN)).toBe(1);
    expect(highestDueTier(opened, new Date(opened.getTime() + 15 * MIN), 15 * MIN)).toBe(2);
    expect(highestDueTier(opened, new Date(opened.getTime() + 31 * MIN), 15 * MIN)).toBe(3);
  });
});

describe('the notice', () => {
  const facts = {
    kind: 'opened' as const,
    exceptionId: 7,
    type: 'too_hot',
    severity: 'critical' as const,
    peak: 31,
    limit: 28,
    durationMs: 25 * MIN,
    startedAt: Date.parse('2026-01-15T12:00:00Z'),
    endedAt: null,
    stage: 'in_transit',
    lat: 35.2,
    lon: -101.8,
    sampleId: 'SMP-1',
    creator: '@glowwithmia',
    sku: 'CHOC-1',
    campaign: 'spring-glow',
  };
  it('says what, how much, how long, where, which sample, creator and SKU, what to do, with a link', () => {
    const n = noticeOf(facts, 1, 'https://ops.example.com/');
    expect(n.title).toBe('[critical] Too hot · SMP-1 · @glowwithmia · CHOC-1');
    expect(n.text).toMatch(
      /^Too hot: 31 °C \(above the limit of 28 °C\), for 25 min, since 2026-01-15T12:00:00Z, in transit near 35\.200, -101\.800\. Sample SMP-1 for @glowwithmia, SKU CHOC-1\. Next: .+ Campaign spring-glow\.$/,
    );
    expect(n.link).toBe('https://ops.example.com/samples/SMP-1');
  });
  it('says an escalation is one', () => {
    const n = noticeOf(facts, 2, 'https://ops.example.com');
    expect(n.text).toMatch(/^Escalated to tier 2: nobody has acknowledged it yet\./);
    expect(n.title).toContain('ESCALATED');
  });
  it('renders Slack blocks, a Teams Adaptive Card and a digest', () => {
    const n = noticeOf(facts, 1, 'https://ops.example.com');
    expect(slackOf(n).blocks[2]).toMatchObject({ type: 'actions' });
    const t = teamsOf(n);
    expect(t.type).toBe('message');
    expect(t.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(t.attachments[0]!.content.type).toBe('AdaptiveCard');
    const d = digestOf([n, { ...n, sampleId: 'SMP-2', title: 'other' }]);
    expect(d.title).toBe('Sampletrack digest: 2 exceptions');
    expect(d.text).toContain('other');
  });
  it('shows only the host of a webhook URL', () => {
    expect(maskTarget('slack', 'https://hooks.slack.com/services/T0/B0/secret')).toBe('hooks.slack.com/…');
    expect(maskTarget('email', 'mia@example.com')).toBe('mia@example.com');
  });
});
