import { z } from 'zod';
import { DAY_MS, contentDueAt } from './content-clock.ts';
import { AWAITING_CONTENT, RESHIPPABLE } from './lifecycle-events.ts';
import type { SampleState, SampleStatus } from './sample-state.ts';

/**
 * Follow-up automation: the brief's trigger → action table, as a pure function of the
 * sample's state and the clock. A scheduler calls `dueFollowUps` periodically and inserts
 * each result under its `key` with ON CONFLICT DO NOTHING; keys are stable for a given
 * trigger occurrence, so nothing fires twice however often the scheduler runs.
 *
 * A follow-up is returned only while its trigger still holds (a reminder is not sent
 * once the creator has posted) and before it is overtaken (a nudge is not sent after the
 * deadline it announces): a scheduler that was down skips what no longer makes sense.
 */

// Bounded so an edited policy cannot push a due date past what a Date holds.
const days = () => z.number().nonnegative().max(3650);

export const FollowUpPolicySchema = z.object({
  /** Ship within this many days of approval (TikTok Shop: 7). */
  shipWithinDays: days().default(7),
  /** Days from actual receipt to post (TikTok Shop: 14). */
  postingWindowDays: days().default(14),
  /** The one extension's length (TikTok Shop: 7). */
  extensionDays: days().default(7),
  /** The posting reminder, this long after delivery (TikTok Shop: one, at least 5 days after). */
  reminderAfterDeliveryDays: days().default(5),
  /** Deadline nudge, this long before content is due. */
  nudgeBeforeDueDays: days().default(2),
  /** The final reminder goes out when content falls due; this long after it, no post is recorded. */
  noPostAfterFinalReminderDays: days().default(3),
  /** Ask for orders and GMV this long after publication. */
  outcomeAfterPostDays: days().default(30),
  /**
   * Non-posting is a pattern, not one miss: the first miss puts a creator on watch, this
   * many within `noPostPatternDays` (this one included) restrict them.
   */
  noPostPatternMisses: z.number().int().min(2).max(100).default(2),
  /** How far back a miss still counts towards the pattern. */
  noPostPatternDays: days().default(180),
});
export type FollowUpPolicy = z.output<typeof FollowUpPolicySchema>;
export const DEFAULT_FOLLOW_UP_POLICY: FollowUpPolicy = FollowUpPolicySchema.parse({});

export type FollowUpAction =
  | 'mark_creator_pending_shipment'
  | 'escalate_shipping_delay'
  | 'send_shipment_confirmation'
  | 'send_brief'
  | 'request_receipt_and_condition_check'
  | 'send_posting_reminder'
  | 'assign_human_follow_up'
  | 'send_deadline_nudge'
  | 'send_final_reminder'
  | 'mark_no_post'
  | 'downgrade_creator'
  | 'log_post'
  | 'request_outcome'
  | 'review_exception'
  /** The creator asked for the extension and the campaign wants a manager to decide. */
  | 'review_extension_request';

export type FollowUpAudience = 'creator' | 'manager' | 'ops' | 'fulfilment' | 'system';

export interface FollowUp {
  /** `${sampleId}:${trigger}[:occurrence]`: the idempotency key. */
  key: string;
  sampleId: string;
  action: FollowUpAction;
  audience: FollowUpAudience;
  dueAt: number;
  data?: Record<string, unknown>;
}

/** What the follow-ups need to know beyond the sample. */
export interface CreatorHistory {
  /** Other samples this creator did not post for within the pattern window (noPostPatternSince). */
  priorNoPosts: number;
}

/** Where the pattern window starts: misses recorded before this no longer count. */
export const noPostPatternSince = (policy: FollowUpPolicy, now: number): number =>
  now - policy.noPostPatternDays * DAY_MS;

interface Candidate {
  trigger: string;
  action: FollowUpAction;
  audience: FollowUpAudience;
  dueAt: number | undefined;
  /** Exclusive: from this moment the follow-up is overtaken and no longer worth sending. */
  until?: number;
  data?: Record<string, unknown>;
}

/**
 * Which follow-ups are work for a person on our side, and so also a task someone owns and
 * completes (the work queue): those addressed to ops (a send overdue to ship), fulfilment
 * (review a delivery exception, damage or loss) or a manager (chase a creator who has not
 * confirmed receipt, record orders and GMV after a post). A message to the creator is sent
 * by the outbox, and a `system` follow-up changes records by itself: neither needs a person.
 */
export const HUMAN_AUDIENCES: readonly FollowUpAudience[] = ['ops', 'fulfilment', 'manager'];
export const isHumanFollowUp = (f: Pick<FollowUp, 'audience'>): boolean => HUMAN_AUDIENCES.includes(f.audience);

/** Returns the follow-ups due at `now`, ordered by due time then key. */
export function dueFollowUps(
  sample: SampleState,
  policy: FollowUpPolicy,
  now: number,
  creator: CreatorHistory = { priorNoPosts: 0 },
): FollowUp[] {
  return candidates(sample, policy, creator)
    .flatMap(({ trigger, action, audience, dueAt, until, data }) =>
      dueAt === undefined || dueAt > now || (until !== undefined && now >= until)
        ? []
        : [{ key: `${sample.id}:${trigger}`, sampleId: sample.id, action, audience, dueAt, ...(data ? { data } : {}) }],
    )
    .sort((a, b) => a.dueAt - b.dueAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Every follow-up the sample's current status calls for, due or not. */
function candidates(sample: SampleState, policy: FollowUpPolicy, creator: CreatorHistory): Candidate[] {
  const out: Candidate[] = [];
  const is = (...statuses: SampleStatus[]) => statuses.includes(sample.status);
  const entered = sample.firstEnteredAt;

  // Before and during shipping.
  if (is('approved', 'label_created')) {
    const dueAt = plusDays(entered.approved, policy.shipWithinDays);
    out.push({ trigger: 'ship_overdue', action: 'escalate_shipping_delay', audience: 'ops', dueAt });
  }
  if (is('label_created')) {
    out.push({
      trigger: 'pending_shipment',
      action: 'mark_creator_pending_shipment',
      audience: 'system',
      dueAt: entered.label_created,
    });
  }
  if (is('dispatched', 'in_transit', 'delivery_exception')) {
    out.push({
      trigger: 'shipment_confirmation',
      action: 'send_shipment_confirmation',
      audience: 'creator',
      dueAt: sample.shippedAt,
    });
  }
  // The brief stays useful until content is made.
  if (is('dispatched', 'in_transit', 'delivery_exception', ...AWAITING_CONTENT)) {
    out.push({ trigger: 'brief', action: 'send_brief', audience: 'creator', dueAt: sample.shippedAt });
  }

  // Exceptions go to fulfilment, once per occurrence (an exception may recur).
  if (is('delivery_exception', ...RESHIPPABLE)) {
    const damage = sample.status === 'damaged' ? sample.exceptions.at(-1) : undefined;
    out.push({
      trigger: `review_exception:${sample.status}:${sample.statusSince}`,
      action: 'review_exception',
      audience: 'fulfilment',
      dueAt: sample.statusSince,
      data: { status: sample.status, ...(damage?.suspectedCause ? { suspectedCause: damage.suspectedCause } : {}) },
    });
  }

  // After delivery: the content sequence, on the content clock (paused while damaged).
  if (is('delivered')) {
    out.push({
      trigger: 'receipt_check',
      action: 'request_receipt_and_condition_check',
      audience: 'creator',
      dueAt: entered.delivered,
    });
  }
  const dueAt = contentDueAt(sample, policy);
  if (is(...AWAITING_CONTENT) && dueAt !== undefined && sample.delivery) {
    // Occurrence suffix: an extension moves the deadline, so its nudge and final
    // reminder are new follow-ups, while the ones already sent keep their keys.
    const ext = `e${sample.contentClock.extensionGranted ? 1 : 0}`;
    const noPostAt = plusDays(dueAt, policy.noPostAfterFinalReminderDays);
    const reminderAt = plusDays(
      sample.delivery.receivedAt + sample.contentClock.pausedMs,
      policy.reminderAfterDeliveryDays,
    );
    out.push({
      trigger: 'posting_reminder:1',
      action: 'send_posting_reminder',
      audience: 'creator',
      dueAt: reminderAt,
      until: dueAt,
    });
    // "No response after delivery": the creator has not even confirmed receipt.
    if (is('delivered')) {
      out.push({
        trigger: 'human_follow_up:1',
        action: 'assign_human_follow_up',
        audience: 'manager',
        dueAt: reminderAt,
        until: noPostAt,
      });
    }
    out.push(
      {
        trigger: `deadline_nudge:${ext}`,
        action: 'send_deadline_nudge',
        audience: 'creator',
        dueAt: plusDays(dueAt, -policy.nudgeBeforeDueDays),
        until: dueAt,
        data: { dueAt },
      },
      {
        trigger: `final_reminder:${ext}`,
        action: 'send_final_reminder',
        audience: 'creator',
        dueAt,
        until: noPostAt,
        data: { dueAt },
      },
      { trigger: `no_post:${ext}`, action: 'mark_no_post', audience: 'system', dueAt: noPostAt },
    );
  }
  if (is('no_post')) {
    const misses = creator.priorNoPosts + 1;
    const toStanding = misses >= policy.noPostPatternMisses ? 'restricted' : 'watch';
    const data = { toStanding, misses };
    out.push({
      trigger: 'downgrade_creator',
      action: 'downgrade_creator',
      audience: 'system',
      dueAt: entered.no_post,
      data,
    });
  }

  // Content posted.
  if (is('posted', 'outcome_recorded') && sample.post) {
    const data = { postUrl: sample.post.postUrl };
    out.push({ trigger: 'log_post', action: 'log_post', audience: 'system', dueAt: entered.posted, data });
  }
  if (is('posted') && sample.post) {
    const askAt = plusDays(sample.post.publishedAt, policy.outcomeAfterPostDays);
    out.push({ trigger: 'request_outcome', action: 'request_outcome', audience: 'manager', dueAt: askAt });
  }
  return out;
}

function plusDays(from: number, dayCount: number): number;
function plusDays(from: number | undefined, dayCount: number): number | undefined;
function plusDays(from: number | undefined, dayCount: number): number | undefined {
  return from === undefined ? undefined : from + dayCount * DAY_MS;
}
