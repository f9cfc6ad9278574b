import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FOLLOW_UP_POLICY,
  FollowUpPolicySchema,
  dueFollowUps,
  isHumanFollowUp,
  noPostPatternSince,
  type FollowUp,
} from './follow-up.ts';
import { applyEvent } from './lifecycle.ts';
import type { SampleState } from './sample-state.ts';
import { HOUR, day, exampleEvent, manager, sampleIn, walk } from './testing.ts';

const policy = DEFAULT_FOLLOW_UP_POLICY;
const id = 'SMP-25-000001';
const keys = (f: FollowUp[]) => f.map((x) => x.key.replace(`${id}:`, ''));
const due = (sample: SampleState, now: number) => keys(dueFollowUps(sample, policy, now));

/**
 * A scheduler running every hour: inserts each due follow-up by key (ON CONFLICT DO
 * NOTHING) and lets `react` turn an inserted follow-up into a lifecycle change.
 */
function runScheduler(
  start: SampleState,
  from: number,
  to: number,
  react: (f: FollowUp, s: SampleState, now: number) => SampleState = (_f, s) => s,
) {
  const inserted = new Map<string, FollowUp>();
  let sample = start;
  for (let now = from; now <= to; now += HOUR) {
    for (const f of dueFollowUps(sample, policy, now)) {
      if (inserted.has(f.key)) continue;
      inserted.set(f.key, f);
      sample = react(f, sample, now);
    }
  }
  return { fired: [...inserted.values()], sample };
}

describe('follow-up policy', () => {
  it('defaults to TikTok Shop rules', () => {
    expect(policy).toMatchObject({
      shipWithinDays: 7,
      postingWindowDays: 14,
      extensionDays: 7,
      reminderAfterDeliveryDays: 5,
    });
    expect(FollowUpPolicySchema.safeParse({ postingWindowDays: -1 }).success).toBe(false);
  });
});

describe('trigger → action', () => {
  it('label created → creator marked pending shipment; not shipped 7 days after approval → escalated', () => {
    const labelled = sampleIn('label_created'); // approved day 1, label day 2
    expect(dueFollowUps(labelled, policy, day(2))).toEqual([
      {
        key: `${id}:pending_shipment`,
        sampleId: id,
        action: 'mark_creator_pending_shipment',
        audience: 'system',
        dueAt: day(2),
      },
    ]);
    expect(due(labelled, day(8) - 1)).toEqual(['pending_shipment']);
    expect(due(labelled, day(8))).toEqual(['pending_shipment', 'ship_overdue']);
  });

  it('dispatched → shipment confirmation and brief', () => {
    expect(dueFollowUps(sampleIn('dispatched'), policy, day(3)).map((f) => [f.key, f.action, f.dueAt])).toEqual([
      [`${id}:brief`, 'send_brief', day(3)],
      [`${id}:shipment_confirmation`, 'send_shipment_confirmation', day(3)],
    ]);
  });

  it('delivered → receipt and condition check; no response → reminder and a human task', () => {
    const delivered = sampleIn('delivered'); // received day 4, recorded day 5
    expect(due(delivered, day(5))).toEqual(['brief', 'receipt_check']);
    expect(due(delivered, day(9) - 1)).toEqual(['brief', 'receipt_check']);
    const later = dueFollowUps(delivered, policy, day(9));
    expect(keys(later)).toEqual(['brief', 'receipt_check', 'human_follow_up:1', 'posting_reminder:1']);
    expect(later.find((f) => f.action === 'assign_human_follow_up')?.audience).toBe('manager');
  });

  it('a creator who confirmed receipt gets the reminder but no human task', () => {
    expect(due(sampleIn('content_due'), day(9))).toEqual(['brief', 'posting_reminder:1']);
  });

  it('content due approaching → deadline nudge, with the due date', () => {
    const nudge = dueFollowUps(sampleIn('content_due'), policy, day(16)).find(
      (f) => f.action === 'send_deadline_nudge',
    );
    expect(nudge).toEqual({
      key: `${id}:deadline_nudge:e0`,
      sampleId: id,
      action: 'send_deadline_nudge',
      audience: 'creator',
      dueAt: day(16),
      data: { dueAt: day(18) },
    });
  });

  it('content posted → URL logged, outcome asked for 30 days after publication; reminders stop', () => {
    const posted = sampleIn('posted'); // published day 9, recorded day 7
    expect(due(posted, day(16))).toEqual(['log_post']);
    expect(dueFollowUps(posted, policy, day(16))[0]?.data).toEqual({ postUrl: 'https://www.tiktok.com/@ana/video/1' });
    expect(due(posted, day(39))).toEqual(['log_post', 'request_outcome']);
    expect(due(walk(posted, exampleEvent('record_outcome', day(40))), day(41))).toEqual(['log_post']);
  });

  it('exceptions go to fulfilment once per occurrence, with the damage cause', () => {
    const damaged = applyEvent(sampleIn('content_due'), exampleEvent('report_damage', day(7))).next;
    expect(dueFollowUps(damaged, policy, day(30))).toEqual([
      {
        key: `${id}:review_exception:damaged:${day(7)}`,
        sampleId: id,
        action: 'review_exception',
        audience: 'fulfilment',
        dueAt: day(7),
        data: { status: 'damaged', suspectedCause: 'transit' },
      },
    ]);
    const first = sampleIn('delivery_exception'); // day 5
    const recurring = walk(first, exampleEvent('mark_in_transit', day(6)), exampleEvent('report_exception', day(7)));
    const review = (since: number) => [
      'brief',
      'shipment_confirmation',
      `review_exception:delivery_exception:${since}`,
    ];
    expect(due(first, day(8))).toEqual(review(day(5)));
    expect(due(recurring, day(8))).toEqual(review(day(7)));
  });
});

describe('the no-post sequence', () => {
  const scheduler = { kind: 'scheduler', id: 'follow-up' } as const;
  const markNoPost = (f: FollowUp, s: SampleState, now: number) =>
    f.action === 'mark_no_post'
      ? applyEvent(s, {
          type: 'mark_no_post',
          at: now,
          actor: scheduler,
          reason: 'no post after final reminder',
          data: {},
        }).next
      : s;

  it('reminder, nudge, final reminder, then no post and the creator on watch (a first miss): each once', () => {
    const { fired, sample } = runScheduler(sampleIn('delivered'), day(5), day(40), markNoPost);
    expect(fired.map((f) => [f.key.replace(`${id}:`, ''), (f.dueAt - day(0)) / (24 * HOUR)])).toEqual([
      ['brief', 3],
      ['receipt_check', 5],
      ['human_follow_up:1', 9],
      ['posting_reminder:1', 9],
      ['deadline_nudge:e0', 16],
      ['final_reminder:e0', 18],
      ['no_post:e0', 21],
      ['downgrade_creator', 21],
    ]);
    expect(sample.status).toBe('no_post');
    expect(fired.at(-1)).toMatchObject({ action: 'downgrade_creator', data: { toStanding: 'watch', misses: 1 } });
  });

  it('is stable: the same state and time give the same keys, so nothing fires twice', () => {
    const s = sampleIn('delivered');
    expect(dueFollowUps(s, policy, day(19))).toEqual(dueFollowUps(s, policy, day(19)));
    let calls = 0;
    const inserted = new Set<string>();
    for (let now = day(5); now <= day(20); now += HOUR) {
      for (const f of dueFollowUps(s, policy, now)) {
        calls++;
        inserted.add(f.key);
      }
    }
    expect(calls).toBeGreaterThan(inserted.size); // offered on every run…
    const expected = [
      'brief',
      'receipt_check',
      'human_follow_up:1',
      'posting_reminder:1',
      'deadline_nudge:e0',
      'final_reminder:e0',
    ];
    expect([...inserted].sort()).toEqual(expected.map((k) => `${id}:${k}`).sort()); // …but under the same keys.
  });

  it('an extension moves the nudge and the final reminder: new keys, old ones kept', () => {
    const grant = (f: FollowUp, s: SampleState, now: number) =>
      f.action === 'send_final_reminder' && s.status === 'content_due' && !s.contentClock.extensionGranted
        ? applyEvent(s, { type: 'grant_extension', at: now, actor: manager, reason: 'creator asked', data: {} }).next
        : markNoPost(f, s, now);
    const { fired } = runScheduler(sampleIn('content_due'), day(6), day(40), grant);
    expect(keys(fired)).toEqual([
      'brief',
      'posting_reminder:1',
      'deadline_nudge:e0',
      'final_reminder:e0',
      'deadline_nudge:e1',
      'final_reminder:e1',
      'no_post:e1',
      'downgrade_creator',
    ]);
    expect(fired.find((f) => f.key.endsWith('final_reminder:e1'))?.dueAt).toBe(day(25));
  });

  it('a damage pauses the sequence; resolving it shifts every date by the pause', () => {
    const damaged = walk(sampleIn('content_due'), exampleEvent('report_damage', day(8)));
    expect(due(damaged, day(30)).some((k) => k.startsWith('final_reminder'))).toBe(false);
    const resolved = walk(damaged, exampleEvent('resolve_damage', day(11)));
    const { fired } = runScheduler(resolved, day(11), day(40), markNoPost);
    expect(fired.filter((f) => f.audience === 'creator').map((f) => [keys([f])[0], f.dueAt])).toEqual([
      ['brief', day(3)],
      ['posting_reminder:1', day(12)],
      ['deadline_nudge:e0', day(19)],
      ['final_reminder:e0', day(21)],
    ]);
  });

  it('skips what a down scheduler can no longer send in time', () => {
    // Back at day 19: the nudge announced a deadline already past; the final reminder still makes sense.
    expect(due(sampleIn('content_due'), day(19))).toEqual(['brief', 'final_reminder:e0']);
    // Back at day 22: straight to recording no post.
    expect(due(sampleIn('content_due'), day(22))).toEqual(['brief', 'no_post:e0']);
  });

  describe('non-posting is a pattern, not one miss', () => {
    const noPost = sampleIn('no_post');
    const downgrade = (priorNoPosts: number, policy = DEFAULT_FOLLOW_UP_POLICY) =>
      dueFollowUps(noPost, policy, day(8), { priorNoPosts }).find((f) => f.action === 'downgrade_creator')?.data;
    // What the scheduler's query counts: earlier misses from the window's start on.
    const inWindow = (missesAt: number[], now: number) =>
      missesAt.filter((at) => at >= noPostPatternSince(DEFAULT_FOLLOW_UP_POLICY, now)).length;

    it('defaults: 2 misses within 180 days', () => {
      expect(DEFAULT_FOLLOW_UP_POLICY).toMatchObject({ noPostPatternMisses: 2, noPostPatternDays: 180 });
    });

    it('one miss puts the creator on watch', () => {
      expect(downgrade(0)).toEqual({ toStanding: 'watch', misses: 1 });
    });

    it('a second miss within 180 days restricts', () => {
      const now = day(400);
      expect(downgrade(inWindow([day(400 - 179)], now))).toEqual({ toStanding: 'restricted', misses: 2 });
    });

    it('two misses 200 days apart: the earlier is out of the window, so watch again', () => {
      const now = day(400);
      expect(inWindow([day(200)], now)).toBe(0);
      expect(downgrade(inWindow([day(200)], now))).toEqual({ toStanding: 'watch', misses: 1 });
    });

    it('the count is configurable', () => {
      const patient = FollowUpPolicySchema.parse({ noPostPatternMisses: 3 });
      expect(downgrade(1, patient)).toEqual({ toStanding: 'watch', misses: 2 });
      expect(downgrade(2, patient)).toEqual({ toStanding: 'restricted', misses: 3 });
      expect(FollowUpPolicySchema.safeParse({ noPostPatternMisses: 1 }).success).toBe(false);
    });
  });

  it('a late post stops the downgrade if it had not fired yet', () => {
    expect(due(walk(sampleIn('no_post'), exampleEvent('post', day(7, 1))), day(8))).toEqual(['log_post']);
  });
});

describe('which follow-ups are work for a person (the work queue)', () => {
  it('those for ops, fulfilment and managers; not messages to the creator nor record changes', () => {
    expect(isHumanFollowUp({ audience: 'ops' })).toBe(true);
    expect(isHumanFollowUp({ audience: 'fulfilment' })).toBe(true);
    expect(isHumanFollowUp({ audience: 'manager' })).toBe(true);
    expect(isHumanFollowUp({ audience: 'creator' })).toBe(false);
    expect(isHumanFollowUp({ audience: 'system' })).toBe(false);
  });
});
