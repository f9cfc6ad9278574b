import type { MessageValues } from './variables.ts';

/** What a message about one sample is rendered from (loaded by the message service). */
export interface MessageFacts {
  sampleId: string;
  creator: { handle: string; name: string | null };
  product: { sku: string; name: string | null; variant: string | null };
  quantity: number;
  campaign?: {
    name: string;
    briefMd: string;
    guidelinesMd: string;
    deliverables: DeliverableFact[];
    usageRights: UsageRightsFact;
  };
  tracking: { carrier: string | null; number: string | null };
  /** When content is due; absent before delivery (the window runs from receipt). */
  dueAt?: Date;
  postingWindowDays: number;
  link: string;
  brand: string;
}

export interface DeliverableFact {
  kind: string;
  count: number;
  keepUpDays?: number;
  minMinutes?: number;
  note?: string;
}

export interface UsageRightsFact {
  organicRepost?: boolean;
  paidUsage?: boolean;
  whitelisting?: boolean;
  durationDays?: number | null;
  notes?: string;
}

const KIND_LABEL: Record<string, [string, string]> = {
  video: ['video', 'videos'],
  live: ['LIVE', 'LIVEs'],
  photo: ['photo', 'photos'],
  story: ['story', 'stories'],
  raw_footage: ['raw footage clip', 'raw footage clips'],
};

/** The variables' values for one message. */
export function messageValues(f: MessageFacts): MessageValues {
  return {
    'creator.handle': f.creator.handle,
    'creator.name': f.creator.name ?? f.creator.handle,
    'sample.id': f.sampleId,
    'product.name': f.product.name ?? f.product.sku,
    'product.sku': f.product.sku,
    'product.variant': f.product.variant ?? '',
    quantity: String(f.quantity),
    'campaign.name': f.campaign?.name ?? '',
    'campaign.brief': f.campaign?.briefMd.trim() ?? '',
    'campaign.guidelines': f.campaign?.guidelinesMd.trim() ?? '',
    'campaign.deliverables': deliverableLines(f.campaign?.deliverables ?? []),
    'campaign.usageRights': usageRightsSentence(f.campaign?.usageRights ?? {}),
    'tracking.carrier': f.tracking.carrier ? f.tracking.carrier.toUpperCase() : '',
    'tracking.number': f.tracking.number ?? '',
    dueDate: f.dueAt ? friendlyDate(f.dueAt) : `${f.postingWindowDays} days after it arrives`,
    link: f.link,
    brand: f.brand,
  };
}

/** One line per deliverable: "- 2 videos (kept up at least 30 days): show the texture". */
export function deliverableLines(list: readonly DeliverableFact[]): string {
  return list
    .map((d) => {
      const [one, many] = KIND_LABEL[d.kind] ?? [d.kind.replace(/_/g, ' '), d.kind.replace(/_/g, ' ')];
      const terms = [
        d.keepUpDays ? `kept up at least ${d.keepUpDays} days` : undefined,
        d.minMinutes ? `at least ${d.minMinutes} minutes` : undefined,
      ].filter(Boolean);
      return `- ${d.count} ${d.count === 1 ? one : many}${terms.length ? ` (${terms.join(', ')})` : ''}${d.note ? `: ${d.note}` : ''}`;
    })
    .join('\n');
}

/** The usage rights as one sentence a creator reads; empty when none were set. */
export function usageRightsSentence(r: UsageRightsFact): string {
  const uses = [
    r.organicRepost ? 'repost it on our own channels' : undefined,
    r.paidUsage ? 'use it in paid ads' : undefined,
    r.whitelisting ? 'run it as ads from your account (whitelisting)' : undefined,
  ].filter((u): u is string => !!u);
  const set = r.organicRepost !== undefined || r.paidUsage !== undefined || r.whitelisting !== undefined;
  if (!set && !r.notes) return '';
  const base = uses.length
    ? `We may ${joinAnd(uses)}${r.durationDays ? ` for ${r.durationDays} days` : ''}.`
    : 'We will not reuse your content beyond your own post.';
  return r.notes ? `${base} ${r.notes.trim()}` : base;
}

/** A date as a creator reads it: "Friday, December 12, 2026" (UTC, the dates the program keeps). */
export function friendlyDate(d: Date): string {
  return d.toLocaleDateString('en-US', {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/** The display name of an address like `Glow Labs <samples@glow.example>`; 'our team' when none. */
export function brandOf(from: string | undefined): string {
  const m = from?.match(/^\s*"?([^"<]*?)"?\s*<[^>]+>\s*$/);
  return m?.[1]?.trim() || 'our team';
}

function joinAnd(parts: string[]): string {
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}
