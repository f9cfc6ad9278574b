import type { AuditActor } from '../domain/auth/principal.ts';
import { campaignFollowUpPolicy } from '../domain/campaign/policy.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { renderTemplate, unknownVariables } from '../domain/messages/render.ts';
import {
  ACTION_LABELS,
  CREATOR_MESSAGE_ACTIONS,
  DEFAULT_TEMPLATES,
  isCreatorMessageAction,
  type CreatorMessageAction,
  type MessageTemplate,
} from '../domain/messages/templates.ts';
import { messageValues, type MessageFacts } from '../domain/messages/values.ts';
import { MESSAGE_VARIABLE_NAMES, MESSAGE_VARIABLES } from '../domain/messages/variables.ts';
import { contentDueAt } from '../domain/sample/content-clock.ts';
import type { FollowUpPolicy } from '../domain/sample/follow-up.ts';
import type { Pool } from '../storage/database.ts';
import { AuditRepository } from '../storage/repositories/audit.repository.ts';
import { CampaignRepository, type CampaignRow } from '../storage/repositories/campaign.repository.ts';
import {
  CreatorMessageRepository,
  type CreatorMessageRow,
  type MessageSubject,
} from '../storage/repositories/creator-message.repository.ts';
import { MessageTemplateRepository } from '../storage/repositories/message-template.repository.ts';
import { SampleRepository } from '../storage/repositories/sample.repository.ts';
import type { Sql } from '../storage/sql.ts';
import { withTransaction } from '../storage/transaction.ts';
import type { CreatorLinkService } from './creator-link.service.ts';
import { wallClock, type ServiceDeps } from './deps.ts';
import type { PolicyService } from './policy.service.ts';

export type TemplateSource = 'campaign' | 'program' | 'default';

export interface EffectiveTemplate extends MessageTemplate {
  action: CreatorMessageAction;
  label: string;
  source: TemplateSource;
  updatedAt: Date | null;
  updatedBy: string | null;
}

export interface ComposedMessage {
  subject: string;
  text: string;
  /** The sample, creator and product it was rendered from (the channel is chosen from the contact). */
  about: MessageSubject;
}

export interface MessageServiceDeps extends ServiceDeps {
  policy: PolicyService;
  creatorLinks: CreatorLinkService;
  /** Who messages are from ({{brand}}): SMTP_FROM's display name, else 'our team'. */
  brand: string;
  /** For the example link of a preview. */
  publicUrl: string;
}

/**
 * Messages to creators (issue 12): the templates admins edit (a campaign's override, else
 * the program's, else the built-in one), their rendering into the message a follow-up
 * sends, and the messages' delivery as people see and act on it (a DM marked sent by the
 * person who sent it, a failed email queued again).
 */
export class MessageService {
  private readonly pool: Pool;
  private readonly now: () => Date;

  constructor(private readonly d: MessageServiceDeps) {
    this.pool = d.pool;
    this.now = d.now ?? wallClock;
  }

  variables() {
    return MESSAGE_VARIABLES;
  }

  /** The live campaigns, for the template editor's picker. */
  campaigns(): Promise<{ id: string; name: string }[]> {
    return new MessageTemplateRepository(this.pool).campaigns();
  }

  /** Every creator action's template in force for the campaign (or the program's when none). */
  async templates(campaignId: string | null): Promise<EffectiveTemplate[]> {
    if (campaignId !== null) await this.campaign(this.pool, campaignId);
    const stored = await new MessageTemplateRepository(this.pool).forCampaign(campaignId);
    return CREATOR_MESSAGE_ACTIONS.map((action) => {
      const own =
        campaignId !== null ? stored.find((t) => t.campaignId === campaignId && t.action === action) : undefined;
      const program = stored.find((t) => t.campaignId === null && t.action === action);
      const row = own ?? program;
      return {
        action,
        label: ACTION_LABELS[action],
        subject: row?.subject ?? DEFAULT_TEMPLATES[action].subject,
        body: row?.body ?? DEFAULT_TEMPLATES[action].body,
        source: own ? 'campaign' : program ? 'program' : 'default',
        updatedAt: row?.updatedAt ?? null,
        updatedBy: row?.updatedBy ?? null,
      };
    });
  }

  /** Saves the campaign's (or, campaign null, the program's) template of an action. Admin only; audited. */
  async saveTemplate(
    t: { campaignId: string | null; action: string; subject: string; body: string },
    by: AuditActor,
  ): Promise<EffectiveTemplate> {
    assertAdmin(by);
    const action = assertAction(t.action);
    const unknown = unknownVariables(`${t.subject}\n${t.body}`, MESSAGE_VARIABLE_NAMES);
    if (unknown.length) {
      throw new DomainError('VALIDATION_FAILED', `unknown template variable(s): ${unknown.join(', ')}`, {
        unknown,
        known: MESSAGE_VARIABLE_NAMES,
      });
    }
    await withTransaction(this.pool, async (tx) => {
      if (t.campaignId !== null) await this.campaign(tx, t.campaignId);
      const templates = new MessageTemplateRepository(tx);
      const before = await templates.get(t.campaignId, action);
      await templates.save({ ...t, action, at: this.now(), by: by.label });
      await new AuditRepository(tx).record(by, {
        action: 'message_template.update',
        entityType: 'message_template',
        entityId: `${t.campaignId ?? '*'}:${action}`,
        detail: {
          campaign: t.campaignId,
          action,
          before: before ? { subject: before.subject, body: before.body } : null,
          after: { subject: t.subject, body: t.body },
        },
      });
    });
    return this.effective(t.campaignId, action);
  }

  /** Removes the override: the program's (or the built-in) template applies again. Admin only; audited. */
  async resetTemplate(campaignId: string | null, actionName: string, by: AuditActor): Promise<EffectiveTemplate> {
    assertAdmin(by);
    const action = assertAction(actionName);
    await withTransaction(this.pool, async (tx) => {
      const removed = await new MessageTemplateRepository(tx).delete(campaignId, action);
      if (!removed) throw notFound('message template override', `${campaignId ?? '*'}:${action}`);
      await new AuditRepository(tx).record(by, {
        action: 'message_template.reset',
        entityType: 'message_template',
        entityId: `${campaignId ?? '*'}:${action}`,
        detail: { campaign: campaignId, action, removed: { subject: removed.subject, body: removed.body } },
      });
    });
    return this.effective(campaignId, action);
  }

  /**
   * Renders a template (the one given, else the one in force) against a real sample (its
   * live link when it has one; none is issued) or example values. Unknown variables are
   * listed, not refused: the editor shows them while the admin types.
   */
  async preview(p: {
    action: string;
    campaignId?: string;
    subject?: string;
    body?: string;
    sampleId?: string;
  }): Promise<{ subject: string; text: string; unknown: string[]; sampleId: string | null }> {
    const action = assertAction(p.action);
    let facts: MessageFacts;
    let campaignId = p.campaignId ?? null;
    if (p.sampleId) {
      const { followUp } = await this.d.policy.inForce();
      const stored = await new SampleRepository(this.pool).load(p.sampleId);
      if (!stored) throw notFound('sample', p.sampleId);
      const campaign = await new CampaignRepository(this.pool).ofSample(p.sampleId);
      campaignId ??= campaign?.id ?? null;
      const policy = campaignFollowUpPolicy(followUp, campaign);
      const live = (await this.d.creatorLinks.ofSample(p.sampleId)).live;
      const due = stored.state ? contentDueAt(stored.state, policy) : undefined;
      facts = await this.factsOf(this.pool, p.sampleId, {
        campaign,
        policy,
        link: live?.url ?? `${this.d.publicUrl.replace(/\/$/, '')}/c/…`,
        ...(due !== undefined ? { dueAt: new Date(due) } : {}),
      }).then((f) => f.facts);
    } else {
      const campaign = campaignId !== null ? await this.campaign(this.pool, campaignId) : undefined;
      facts = this.exampleFacts(campaign);
    }
    const stored = await this.effective(campaignId, action);
    const subject = p.subject ?? stored.subject;
    const body = p.body ?? stored.body;
    const values = messageValues(facts);
    return {
      subject: renderTemplate(subject, values),
      text: renderTemplate(body, values),
      unknown: unknownVariables(`${subject}\n${body}`, MESSAGE_VARIABLE_NAMES),
      sampleId: p.sampleId ?? null,
    };
  }

  /**
   * The message a follow-up sends, rendered inside the scheduler's transaction from the
   * template in force for the sample's campaign.
   */
  async composeWithin(
    tx: Sql,
    m: {
      sampleId: string;
      action: CreatorMessageAction;
      campaign: CampaignRow | undefined;
      policy: FollowUpPolicy;
      link: string;
      dueAt?: Date;
    },
  ): Promise<ComposedMessage> {
    const { facts, about } = await this.factsOf(tx, m.sampleId, m);
    const template = await this.effectiveWithin(tx, m.campaign?.id ?? null, m.action);
    const values = messageValues(facts);
    return { subject: renderTemplate(template.subject, values), text: renderTemplate(template.body, values), about };
  }

  ofSample(sampleId: string): Promise<CreatorMessageRow[]> {
    return new CreatorMessageRepository(this.pool).ofSample(sampleId);
  }

  list(f: { status?: string; channel?: string; limit: number; offset: number }): Promise<CreatorMessageRow[]> {
    return new CreatorMessageRepository(this.pool).list(f);
  }

  /** A DM a person sent by hand: sent now, by them (their email). Audited. */
  markSent(id: number, by: AuditActor): Promise<CreatorMessageRow> {
    return withTransaction(this.pool, async (tx) => {
      const messages = new CreatorMessageRepository(tx);
      const m = await messages.get(id, { forUpdate: true });
      if (!m) throw notFound('creator message', String(id));
      if (m.channel !== 'dm' || m.status !== 'queued') {
        throw new DomainError(
          'CONFLICT',
          m.channel !== 'dm'
            ? `creator message ${id} is an email: it is sent by the mail worker`
            : `creator message ${id} is ${m.status} already`,
          { id, channel: m.channel, status: m.status },
        );
      }
      const sentBy = by.person?.email ?? by.label;
      await messages.markSent(id, this.now(), { sentBy });
      await new AuditRepository(tx).record(by, {
        action: 'creator_message.sent',
        entityType: 'sample',
        entityId: m.sampleId,
        detail: { messageId: id, action: m.action, channel: m.channel },
      });
      return (await messages.get(id))!;
    });
  }

  /** Queues a failed or bounced email again, attempts reset. Audited. */
  retry(id: number, by: AuditActor): Promise<CreatorMessageRow> {
    return withTransaction(this.pool, async (tx) => {
      const messages = new CreatorMessageRepository(tx);
      const m = await messages.get(id, { forUpdate: true });
      if (!m) throw notFound('creator message', String(id));
      if (!(await messages.requeue(id, this.now()))) {
        throw new DomainError(
          'CONFLICT',
          `creator message ${id} is a ${m.status} ${m.channel}; only a failed or bounced email is retried`,
          { id, channel: m.channel, status: m.status },
        );
      }
      await new AuditRepository(tx).record(by, {
        action: 'creator_message.retry',
        entityType: 'sample',
        entityId: m.sampleId,
        detail: { messageId: id, status: m.status, attempts: m.attempts, lastError: m.lastError },
      });
      return (await messages.get(id))!;
    });
  }

  private effective(campaignId: string | null, action: CreatorMessageAction): Promise<EffectiveTemplate> {
    return this.effectiveWithin(this.pool, campaignId, action);
  }

  private async effectiveWithin(
    sql: Sql,
    campaignId: string | null,
    action: CreatorMessageAction,
  ): Promise<EffectiveTemplate> {
    const repo = new MessageTemplateRepository(sql);
    const own = campaignId !== null ? await repo.get(campaignId, action) : undefined;
    const row = own ?? (await repo.get(null, action));
    return {
      action,
      label: ACTION_LABELS[action],
      subject: row?.subject ?? DEFAULT_TEMPLATES[action].subject,
      body: row?.body ?? DEFAULT_TEMPLATES[action].body,
      source: own ? 'campaign' : row ? 'program' : 'default',
      updatedAt: row?.updatedAt ?? null,
      updatedBy: row?.updatedBy ?? null,
    };
  }

  private async factsOf(
    sql: Sql,
    sampleId: string,
    o: { campaign: CampaignRow | undefined; policy: FollowUpPolicy; link: string; dueAt?: Date },
  ): Promise<{ facts: MessageFacts; about: MessageSubject }> {
    const about = await new CreatorMessageRepository(sql).subject(sampleId);
    if (!about) throw notFound('sample', sampleId);
    const facts: MessageFacts = {
      sampleId,
      creator: { handle: about.handle, name: about.displayName },
      product: { sku: about.sku, name: about.productName, variant: about.variant },
      quantity: about.quantity,
      ...(o.campaign ? { campaign: o.campaign } : {}),
      tracking: { carrier: about.carrier, number: about.trackingId },
      postingWindowDays: o.policy.postingWindowDays,
      link: o.link,
      brand: this.d.brand,
      ...(o.dueAt ? { dueAt: o.dueAt } : {}),
    };
    return { facts, about };
  }

  private exampleFacts(campaign: CampaignRow | undefined): MessageFacts {
    return {
      sampleId: 'SMP-26-000123',
      creator: { handle: '@ava.makes', name: 'Ava' },
      product: { sku: 'GLOW-SERUM-30', name: 'Glow Serum', variant: '30 ml' },
      quantity: 1,
      campaign: campaign ?? {
        name: 'Spring Glow',
        briefMd: 'Show your morning routine with the serum: texture, first impression, the glow after a week.',
        guidelinesMd: 'Natural light. Mention #gifted. No competitor products in frame.',
        deliverables: [{ kind: 'video', count: 1, keepUpDays: 30 }],
        usageRights: { organicRepost: true, paidUsage: false, whitelisting: false, durationDays: 90 },
      },
      tracking: { carrier: 'ups', number: '1Z999AA10123456784' },
      dueAt: new Date(this.now().getTime() + 14 * 86_400_000),
      postingWindowDays: 14,
      link: `${this.d.publicUrl.replace(/\/$/, '')}/c/example`,
      brand: this.d.brand,
    };
  }

  private async campaign(sql: Sql, id: string): Promise<CampaignRow> {
    const c = await new CampaignRepository(sql).get(id);
    if (!c) throw notFound('campaign', id);
    return c;
  }
}

function assertAdmin(by: AuditActor): void {
  if (by.person?.role !== 'admin') throw new DomainError('FORBIDDEN', 'only an admin edits message templates');
}

function assertAction(action: string): CreatorMessageAction {
  if (!isCreatorMessageAction(action)) {
    throw new DomainError('VALIDATION_FAILED', `${action} is not a message to creators`, {
      action,
      known: CREATOR_MESSAGE_ACTIONS,
    });
  }
  return action;
}
