/**
 * What a notice to a person says, and how each channel carries it. The words are the
 * alert's (core/domain/alerts/alert-message.ts: what happened, how much, how long, where,
 * which sample, creator and SKU, what to do, the link); a notice adds who it escalated to
 * and the campaign, and each channel gets its own envelope.
 */
import { alertMessage, type AlertFacts } from '../alerts/alert-message.ts';

export interface Notice {
  title: string;
  text: string;
  link: string;
  severity: string;
  tier: number;
  sampleId: string;
  exceptionId: number;
  campaign: string | null;
}

export function noticeOf(f: AlertFacts & { campaign: string | null }, tier: number, publicUrl: string): Notice {
  const m = alertMessage(tier > 1 ? { ...f, kind: 'escalated' } : f, publicUrl);
  const escalated = tier > 1 ? `Escalated to tier ${tier}: nobody has acknowledged it yet. ` : '';
  const campaign = f.campaign ? ` Campaign ${f.campaign}.` : '';
  return {
    title: `[${f.severity}] ${m.title}`,
    text: `${escalated}${m.body}${campaign}`,
    link: m.link,
    severity: f.severity,
    tier,
    sampleId: f.sampleId,
    exceptionId: f.exceptionId,
    campaign: f.campaign,
  };
}

/** Several held notices as one digest message (a digest is never empty). */
export function digestOf(notices: readonly Notice[]): Pick<Notice, 'title' | 'text' | 'link'> {
  if (notices.length === 1) return notices[0]!;
  const lines = notices.map((n) => `• ${n.title}\n  ${n.text}\n  ${n.link}`);
  return {
    title: `Sampletrack digest: ${notices.length} exceptions`,
    text: lines.join('\n\n'),
    link: notices[0]!.link.replace(/\/samples\/[^/]+$/, '/exceptions'),
  };
}

export function emailOf(n: Pick<Notice, 'title' | 'text' | 'link'>): { subject: string; text: string } {
  return { subject: n.title, text: `${n.text}\n\nOpen: ${n.link}\n` };
}

/** A Slack incoming-webhook message: `text` is the fallback (notifications), `blocks` what is shown. */
export function slackOf(n: Pick<Notice, 'title' | 'text' | 'link'>) {
  return {
    text: `${n.title}: ${n.text} ${n.link}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: n.title.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: n.text.slice(0, 3000) } },
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the sample' }, url: n.link }],
      },
    ],
  };
}

/**
 * A Teams message with one Adaptive Card attachment: the shape both a Teams incoming
 * webhook and a Power Automate "post to a channel when a webhook request is received"
 * workflow take.
 */
export function teamsOf(n: Pick<Notice, 'title' | 'text' | 'link'>) {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: n.title, weight: 'Bolder', size: 'Medium', wrap: true },
            { type: 'TextBlock', text: n.text, wrap: true },
          ],
          actions: [{ type: 'Action.OpenUrl', title: 'Open the sample', url: n.link }],
        },
      },
    ],
  };
}

/** A webhook URL is a secret: after creation only its host is shown. */
export function maskTarget(kind: string, target: string): string {
  if (kind === 'email') return target;
  try {
    return `${new URL(target).host}/…`;
  } catch {
    return '…';
  }
}
