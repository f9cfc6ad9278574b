/**
 * The one vocabulary of states the dashboard shows: sample stages, parcel freshness and
 * broker link, exception severities and states, tracker states, creator standing. Each
 * value has one label and one tone (its chip's colour), so the same state reads the same
 * on every page. Pure: no Svelte, no DOM, unit-tested in test/dashboard/vocabulary.test.ts.
 */

/** A state's tone: which palette pair (app.css `--tone-*`) its chip takes. */
export type Tone = 'neutral' | 'active' | 'ok' | 'warn' | 'crit' | 'closed';

export interface Term {
  label: string;
  tone: Tone;
  /** What the state means, for a tooltip; only where the label alone is not enough. */
  title?: string;
}

const t = (label: string, tone: Tone, title?: string): Term => (title ? { label, tone, title } : { label, tone });

const VOCABULARY = {
  /** The sample lifecycle (core/domain/sample/README.md), in its order. */
  sample: {
    requested: t('Requested', 'neutral'),
    approved: t('Approved', 'active'),
    label_created: t('Label created', 'active'),
    dispatched: t('Dispatched', 'active'),
    in_transit: t('In transit', 'active'),
    delivery_exception: t('Delivery exception', 'warn'),
    delivered: t('Delivered', 'ok'),
    content_due: t('Content due', 'ok'),
    damaged: t('Damage review', 'crit'),
    posted: t('Posted', 'ok'),
    outcome_recorded: t('Outcome recorded', 'ok'),
    no_post: t('No post', 'warn'),
    lost: t('Lost', 'crit'),
    returned_to_sender: t('Returned', 'warn'),
    reshipped: t('Reshipped', 'closed'),
    written_off: t('Written off', 'closed'),
    rejected: t('Rejected', 'closed'),
    cancelled: t('Cancelled', 'closed'),
  },
  /** How recently a parcel's tracker was heard from (lib/freshness.ts). */
  parcel: {
    live: t('Live', 'ok', 'Heard from in the last 5 min'),
    reporting: t('Reporting', 'active', 'Heard from within the last 2 h'),
    silent: t('Silent', 'warn', 'Not heard from for over 2 h'),
    never: t('No data', 'neutral', 'Never heard from'),
  },
  /** A tracker's connection to the broker, and whether it may connect at all. */
  device: {
    online: t('Online', 'ok', 'Connected to the broker now'),
    offline: t('Offline', 'neutral', 'Not connected to the broker'),
    disabled: t('Disabled', 'closed', 'Refused by the broker until enabled again'),
  },
  severity: {
    critical: t('Critical', 'crit'),
    warning: t('Warning', 'warn'),
    info: t('Info', 'neutral'),
  },
  exception: {
    open: t('Open', 'crit', 'Nobody has acknowledged it yet'),
    acknowledged: t('Acknowledged', 'warn', 'Someone is on it'),
    resolved: t('Resolved', 'closed'),
    retracted: t('Retracted', 'closed', 'A late reading showed it did not happen'),
  },
  standing: {
    active: t('Active', 'ok', 'In good standing: requests go through the normal policy'),
    watch: t('On watch', 'warn', 'Missed a post: new requests need a named approver'),
    restricted: t('Restricted', 'crit', 'No new sends without a recorded override'),
  },
  /** A follow-up task of the work queue. */
  task: {
    open: t('Open', 'active'),
    overdue: t('Overdue', 'crit', 'Past its due date and not done'),
    done: t('Done', 'closed'),
  },
  /** An outgoing message of the follow-ups (workers/outbox-delivery.ts). */
  outbox: {
    pending: t('Pending', 'active', 'Queued; the next attempt is due'),
    delivered: t('Delivered', 'ok'),
    failed: t('Failed', 'crit', 'Given up after the last attempt; may be retried'),
  },
  /** A message to a creator (workers/email-delivery.ts sends email; a person sends a DM). */
  creatorMessage: {
    queued: t('Queued', 'active', 'Waiting to be sent: by the mail worker, or by a person for a DM'),
    sent: t('Sent', 'ok'),
    failed: t('Failed', 'crit', 'Given up after the last attempt; may be retried'),
    bounced: t('Bounced', 'crit', "Refused by the creator's mail server; check the address, then retry"),
  },
} as const satisfies Record<string, Record<string, Term>>;

export type Domain = keyof typeof VOCABULARY;
export type ValueOf<D extends Domain> = keyof (typeof VOCABULARY)[D] & string;

/** "in_transit" → "In transit": how a value the vocabulary does not know yet still reads. */
export function humanise(value: string): string {
  const words = value.replaceAll('_', ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : value;
}

/**
 * The label and tone of a value. A value the vocabulary does not know (the API may add
 * states before the dashboard knows them) reads humanised, in the neutral tone.
 */
export function term(domain: Domain, value: string): Term {
  const known = (VOCABULARY[domain] as Record<string, Term>)[value];
  return known ?? { label: humanise(value), tone: 'neutral' };
}

export const labelOf = (domain: Domain, value: string): string => term(domain, value).label;
export const toneOf = (domain: Domain, value: string): Tone => term(domain, value).tone;

/** Every known value of a domain, in the vocabulary's order (the lifecycle's, for samples). */
export function valuesOf<D extends Domain>(domain: D): ValueOf<D>[] {
  return Object.keys(VOCABULARY[domain]) as ValueOf<D>[];
}

export const TONES: readonly Tone[] = ['neutral', 'active', 'ok', 'warn', 'crit', 'closed'];
