import { dueFollowUps, isHumanFollowUp, type FollowUp } from '../core/domain/sample/follow-up.ts';
import { applyEvent } from '../core/domain/sample/lifecycle.ts';
import type { SampleState } from '../core/domain/sample/sample-state.ts';
import type { Logger } from '../core/observability/logger.ts';
import type { Pool } from '../core/storage/database.ts';
import { FollowUpRepository } from '../core/storage/repositories/follow-up.repository.ts';
import { FollowUpTaskRepository } from '../core/storage/repositories/follow-up-task.repository.ts';
import { OutboxRepository } from '../core/storage/repositories/outbox.repository.ts';
import type { SampleRow } from '../core/storage/repositories/sample.repository.ts';
import type { Sql } from '../core/storage/sql.ts';
import { withTransaction } from '../core/storage/transaction.ts';
import { DEFAULT_PROGRAM_CONFIG, type SampleProgramConfig } from '../core/services/sample-program.config.ts';
import { PolicyService } from '../core/services/policy.service.ts';
import type { FollowUpPolicy } from '../core/domain/sample/follow-up.ts';
import { auditTransitions, lifecycleRepos, type LifecycleRepos } from '../core/services/sample-state.store.ts';
import { systemActor } from '../core/domain/auth/principal.ts';
import { campaignFollowUpPolicy } from '../core/domain/campaign/policy.ts';
import { isCreatorMessageAction } from '../core/domain/messages/templates.ts';
import { contentDueAt } from '../core/domain/sample/content-clock.ts';
import { CreatorLinkService } from '../core/services/creator-link.service.ts';
import { MessageService } from '../core/services/message.service.ts';
import { CampaignRepository } from '../core/storage/repositories/campaign.repository.ts';
import { CreatorMessageRepository } from '../core/storage/repositories/creator-message.repository.ts';

/** What the scheduler renders creators' messages with; defaults serve tests and scripts. */
export interface FollowUpSchedulerOptions {
  creatorLinks?: CreatorLinkService;
  messages?: MessageService;
}

/** The rendered message an outbox payload carries, so the signed webhook has the text. */
interface OutboxText {
  channel: 'email' | 'dm';
  subject: string;
  text: string;
  link: string;
}

const SCHEDULER = { kind: 'scheduler', id: 'follow-up' } as const;
// Follow-ups that change records instead of sending a message.
const STATE_ACTIONS = new Set(['mark_no_post', 'downgrade_creator', 'mark_creator_pending_shipment', 'log_post']);
// A state change can make another follow-up due at once (no post → downgrade).
const MAX_ROUNDS = 4;

/**
 * Runs the follow-up table (dueFollowUps) against the database. Durable and exactly-once
 * per key: each sample is handled in one transaction that records the follow-up under its
 * key (ON CONFLICT DO NOTHING), applies its effect (a `mark_no_post` transition, a creator
 * downgrade) and enqueues its outbox message. A key that exists already did all of that,
 * so a restart, a rerun with the same `now` or a second scheduler fires nothing again;
 * a follow-up for a person also opens its task on the work queue (follow_up_tasks);
 * a sample another scheduler holds is skipped (it is being handled).
 *
 * Each run reads the policy in force once (an admin's change applies from the next run); a
 * sample's campaign adjusts it (campaignFollowUpPolicy). A message to the creator is rendered
 * from its template with the live creator link and recorded per channel (creator_messages).
 */
export class FollowUpScheduler {
  private readonly policy: PolicyService;
  private readonly links: CreatorLinkService;
  private readonly messages: MessageService;

  constructor(
    private readonly pool: Pool,
    config: SampleProgramConfig = DEFAULT_PROGRAM_CONFIG,
    opts: FollowUpSchedulerOptions = {},
  ) {
    this.policy = new PolicyService({ pool, pinned: config });
    const publicUrl = 'http://127.0.0.1:3000';
    this.links = opts.creatorLinks ?? new CreatorLinkService({ pool }, { publicUrl, ttlDays: 90 });
    this.messages =
      opts.messages ??
      new MessageService({ pool, policy: this.policy, creatorLinks: this.links, brand: 'our team', publicUrl });
  }

  async runOnce(now: Date): Promise<{ fired: FollowUp[] }> {
    const { followUp } = await this.policy.inForce();
    const ids = await lifecycleRepos(this.pool).samples.followUpCandidates();
    const fired: FollowUp[] = [];
    for (const id of ids) fired.push(...(await withTransaction(this.pool, (tx) => this.handle(tx, id, now, followUp))));
    return { fired };
  }

  private async handle(tx: Sql, id: string, now: Date, program: FollowUpPolicy): Promise<FollowUp[]> {
    const r = lifecycleRepos(tx);
    const stored = await r.samples.load(id, { forUpdate: true, skipLocked: true });
    if (!stored?.state) return [];
    // The policy can differ per campaign (its posting window and extension).
    const campaign = await new CampaignRepository(tx).ofSample(id);
    const policy = campaignFollowUpPolicy(program, campaign);
    const followUps = new FollowUpRepository(tx);
    const outbox = new OutboxRepository(tx);
    const tasks = new FollowUpTaskRepository(tx);
    const fired: FollowUp[] = [];
    let state = stored.state;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const priorNoPosts = stored.row.creatorId
        ? await r.samples.noPostsOfCreator(
            stored.row.creatorId,
            id,
            new Date(now.getTime() - policy.noPostPatternDays * 86_400_000),
          )
        : 0;
      let changed = false;
      for (const f of dueFollowUps(state, policy, now.getTime(), { priorNoPosts })) {
        if (!(await followUps.insert(f, now))) continue;
        fired.push(f);
        const next = await this.effect(r, state, stored.row, f, now);
        if (next !== state) [state, changed] = [next, true];
        if (!STATE_ACTIONS.has(f.action)) {
          const text =
            f.audience === 'creator' ? await this.creatorMessage(tx, state, f, campaign, policy, now) : undefined;
          await outbox.enqueue(message(stored.row, f, now, text));
        }
        // Work for a person also goes on the work queue, under the same key (once).
        if (isHumanFollowUp(f)) await tasks.insertFor(f, now);
      }
      if (!changed) break;
    }
    return fired;
  }

  /**
   * The creator's message of a follow-up: rendered from the template in force, carrying the
   * live link, and recorded (creator_messages, under the follow-up's key) on the creator's
   * channel: email when the contact has one (the mail worker sends it), else a DM a person
   * copies and marks sent.
   */
  private async creatorMessage(
    tx: Sql,
    state: SampleState,
    f: FollowUp,
    campaign: Awaited<ReturnType<CampaignRepository['ofSample']>>,
    policy: FollowUpPolicy,
    now: Date,
  ): Promise<OutboxText | undefined> {
    if (!isCreatorMessageAction(f.action)) return undefined;
    const { link, url } = await this.links.liveWithin(tx, f.sampleId, systemActor('follow-up'));
    const due = typeof f.data?.dueAt === 'number' ? f.data.dueAt : contentDueAt(state, policy);
    const m = await this.messages.composeWithin(tx, {
      sampleId: f.sampleId,
      action: f.action,
      campaign,
      policy,
      link: url,
      ...(due !== undefined ? { dueAt: new Date(due) } : {}),
    });
    const email = m.about.contact.email?.trim();
    const channel = email ? 'email' : 'dm';
    const dm = m.about.contact.dm?.trim() || (m.about.handle.startsWith('@') ? m.about.handle : `@${m.about.handle}`);
    await new CreatorMessageRepository(tx).insert({
      key: f.key,
      sampleId: f.sampleId,
      creatorId: m.about.creatorId,
      action: f.action,
      channel,
      recipient: email || dm,
      subject: m.subject,
      body: m.text,
      linkId: link.id,
      at: now,
    });
    return { channel, subject: m.subject, text: m.text, link: url };
  }

  /** The follow-up's effect on records; returns the new state when the sample changed. */
  private async effect(
    r: LifecycleRepos,
    state: SampleState,
    row: SampleRow,
    f: FollowUp,
    now: Date,
  ): Promise<SampleState> {
    if (f.action === 'mark_no_post') {
      const { next, transition } = applyEvent(state, {
        type: 'mark_no_post',
        at: now.getTime(),
        actor: SCHEDULER,
        reason: 'no post after the final reminder',
        data: {},
      });
      await r.samples.saveState(next, now);
      await auditTransitions(r, undefined, [await r.transitions.append(transition)]);
      return next;
    }
    if (f.action === 'downgrade_creator' && row.creatorId) {
      const to = f.data?.toStanding === 'restricted' ? 'restricted' : 'watch';
      await r.creators.downgrade(row.creatorId, to, `no post for ${row.id} (${String(f.data?.misses)} missed)`, now);
    }
    return state;
  }
}

/** The outbox message of a follow-up. Creators are addressed by id: their contact (PII) stays on their record. */
function message(row: SampleRow, f: FollowUp, at: Date, text?: OutboxText) {
  const recipient = f.audience === 'creator' ? `creator:${row.creatorId ?? row.creator}` : f.audience;
  return {
    idempotencyKey: f.key,
    kind: f.action,
    recipient,
    sampleId: row.id,
    at,
    payload: {
      sampleId: row.id,
      creatorId: row.creatorId,
      sku: row.sku,
      campaign: row.campaign,
      dueAt: new Date(f.dueAt).toISOString(),
      ...f.data,
      ...(text ? { message: text } : {}),
    },
  };
}

/**
 * Runs the scheduler every `intervalMs` (runs never overlap) until stopped; with `runIf`,
 * only the rounds it allows (platform/leaders.ts: the `jobs` process leading follow-ups).
 */
export function startFollowUpScheduler(opts: {
  pool: Pool;
  log: Logger;
  intervalMs?: number;
  config?: SampleProgramConfig;
  services?: FollowUpSchedulerOptions;
  runIf?: () => boolean;
}): { stop(): Promise<void> } {
  const scheduler = new FollowUpScheduler(opts.pool, opts.config, opts.services);
  const intervalMs = opts.intervalMs ?? 60_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = () => {
    running = (opts.runIf && !opts.runIf() ? Promise.resolve({ fired: [] }) : scheduler.runOnce(new Date()))
      .then(
        ({ fired }) => {
          if (fired.length) opts.log.info({ fired: fired.length }, 'follow-ups fired');
        },
        (err: Error) => opts.log.error({ err: err.message }, 'follow-up run failed'),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
