import type { AlertFacts } from '../domain/alerts/alert-message.ts';
import { subscriptionWants } from '../domain/notifications/matching.ts';
import { noticeOf } from '../domain/notifications/notice.ts';
import { schedule } from '../domain/notifications/timing.ts';
import { NotificationRepository } from '../storage/repositories/notification.repository.ts';
import type { Sql } from '../storage/sql.ts';

/**
 * Writes one notice per matching subscription at the tiers `tiers` in the caller's transaction (the
 * alert's, for tier 1): the durable outbox the delivery worker sends from. Returns how
 * many new notices it wrote; a rerun writes none.
 */
export async function fanOutNotices(
  sql: Sql,
  a: { alertId: number; facts: Omit<AlertFacts, 'kind'>; tiers: [number, number]; publicUrl: string; now: Date },
): Promise<number> {
  const repo = new NotificationRepository(sql);
  const subs = await repo.activeSubscriptions(a.tiers);
  if (subs.length === 0) return 0;
  const campaign = await repo.campaignOf(a.facts.sampleId);
  let written = 0;
  for (const s of subs) {
    if (!subscriptionWants(s, { ...a.facts, campaign })) continue;
    const tier = s.escalationTier;
    const when = schedule(a.now, a.facts.severity, s);
    const payload = noticeOf({ ...a.facts, kind: 'opened', campaign }, tier, a.publicUrl);
    const fresh = await repo.enqueue({
      alertId: a.alertId,
      exceptionId: a.facts.exceptionId,
      subscriptionId: s.id,
      channelId: s.channelId,
      kind: s.kind,
      tier,
      status: when.status,
      heldFor: when.status === 'held' ? when.heldFor : null,
      at: when.at,
      payload,
    });
    if (fresh) written++;
  }
  return written;
}
