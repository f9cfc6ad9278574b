/**
 * The record a sample carries through its life (domain brief, "The record a sample must
 * carry"). Times are epoch milliseconds, as everywhere in the domain; money is integer
 * minor units (cents) of the program currency, so sums are exact.
 */

export const SAMPLE_STATUSES = [
  'requested',
  'approved',
  'rejected',
  'cancelled',
  'label_created',
  'dispatched',
  'in_transit',
  'delivery_exception',
  'returned_to_sender',
  'lost',
  'delivered',
  'content_due',
  'damaged',
  'posted',
  'no_post',
  'outcome_recorded',
  'reshipped',
  'written_off',
] as const;
export type SampleStatus = (typeof SAMPLE_STATUSES)[number];

/**
 * Who or what caused a change. `id` names the person, policy rule, carrier, tracker or job;
 * for `creator` it is the creator link the creator acted through (`link:<id>`), since the
 * creator has no account: the link is their only authority, and it names one sample.
 */
export const ACTOR_KINDS = ['user', 'policy', 'carrier', 'tracker', 'scheduler', 'creator'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];
export interface Actor {
  kind: ActorKind;
  id: string;
}

export const REQUEST_SOURCES = ['form', 'dm', 'email', 'tiktok_affiliate', 'invitation'] as const;
export type RequestSource = (typeof REQUEST_SOURCES)[number];

/** One sample is one SKU (variant, quantity) to one creator, as the `samples` table has it. */
export interface SampleRequest {
  creatorId: string;
  campaignId: string;
  skuId: string;
  /** Size, flavour, shade. */
  variant?: string;
  quantity: number;
  source: RequestSource;
  requestedBy: string;
  /** Set on a reship: the sample it replaces. */
  reshipOf?: string;
}

export type DeliveryEvidence = 'courier' | 'tracker' | 'creator';
export type OutcomeClassification = 'converted' | 'content_only' | 'no_result';
export type ExceptionKind = 'delivery_exception' | 'returned_to_sender' | 'lost' | 'damaged';

export interface ApprovalRecord {
  decision: 'approved' | 'rejected';
  /** The policy rule that decided, or `named_approver` for a person. */
  rule: string;
  reasons: string[];
  decidedBy: Actor;
  /** A recorded override of a refusal (restricted creator). */
  override?: { by: string; reason: string };
}

/** What the creator found on opening the parcel (the creator's page, or ops for them). */
export const RECEIPT_CONDITIONS = ['fine', 'damaged', 'wrong_item', 'missing_parts'] as const;
export type ReceiptCondition = (typeof RECEIPT_CONDITIONS)[number];

export interface ExceptionRecord {
  kind: ExceptionKind;
  at: number;
  detail?: string;
  /** Damage reported on receipt: what was wrong (a damaged item, the wrong item, parts missing). */
  condition?: Exclude<ReceiptCondition, 'fine'>;
  /** Photos uploaded to the platform (sample_photos ids), beside any links. */
  photoIds?: string[];
  /** Damage only: photo links; transit/packaging cause flags ops review, never the creator. */
  photoUrls?: string[];
  suspectedCause?: 'transit' | 'packaging' | 'unknown';
}

/**
 * Content clock (domain brief: due dates count from the actual delivery). Runs from
 * `delivery.receivedAt`; a damage report pauses it until the damage is resolved, so a
 * creator is never chased for content they could not make.
 */
export interface ContentClock {
  extensionGranted: boolean;
  /** The creator asked for the extension (with why); granted at once or by a manager, per the campaign. */
  extensionRequested?: { at: number; reason: string };
  /** Total time spent paused (damage) after receipt, added to the due date. */
  pausedMs: number;
  /**
   * Set while paused (a damage review is open). May be before the receipt (damage measured
   * in transit): only the paused time after the receipt counts, since the clock starts there.
   */
  pausedSince?: number;
}

/**
 * An open damage review: the parcel may still be delivered and received meanwhile;
 * `resolve_damage` returns to content (delivered) or to `from` (still with the carrier).
 */
export interface DamageReview {
  /** When the review opened in the record (the damage's own time is on its exception). */
  since: number;
  /** The status it was opened from. */
  from: SampleStatus;
}

export interface SampleState {
  id: string;
  request: SampleRequest;
  status: SampleStatus;
  /** When the current status was entered. */
  statusSince: number;
  /** First time each status was entered; follow-ups and KPIs read their dates here. */
  firstEnteredAt: Partial<Record<SampleStatus, number>>;
  approval?: ApprovalRecord;
  shipment?: { carrier: string; serviceLevel: string; trackingId: string; trackerId?: string };
  dispatch?: { packedItems: { skuId: string; variant?: string; quantity: number }[]; warehouseConfirmation: string };
  /** When the parcel left our hands: the first of dispatched / carrier scan / delivered. */
  shippedAt?: number;
  delivery?: { receivedAt: number; evidence: DeliveryEvidence; note?: string };
  /** When a person confirmed receipt (`confirm_receipt`), also during a damage review. */
  receiptConfirmedAt?: number;
  /** What the receipt found, when it was said (the creator's page asks). */
  receiptCondition?: ReceiptCondition;
  contentClock: ContentClock;
  /** Set while damage is under review (status `damaged`). */
  damageReview?: DamageReview;
  exceptions: ExceptionRecord[];
  /** `postUrl` is the main post; `otherUrls` further deliverables (a second video, a LIVE replay). */
  post?: {
    postUrl: string;
    publishedAt: number;
    usableForAds: boolean;
    otherUrls?: string[];
    /** As the platform reported them at the post (a connector's views and paid orders). */
    metrics?: { source: string; views: number; paidOrders: number; gmvCents?: number };
  };
  /** The creator said they cannot post (and why); the no-post itself is the `mark_no_post` transition. */
  declined?: { at: number; reason: string };
  outcome?: { orders: number; gmvCents: number; classification: OutcomeClassification };
  /** Set on an original that was replaced: the reship's sample id. */
  reshippedAs?: string;
  /** Newest carrier webhook event taken into account; older or repeated ones are stale. */
  lastCarrierEvent?: { event: string; at: number };
}

/** One entry of the sample's history: timestamped, attributed, with the validated event data. */
export interface Transition {
  sampleId: string;
  /** `request` for the creation of the sample, otherwise a lifecycle event name. */
  event: string;
  from: SampleStatus | null;
  to: SampleStatus;
  /** When it happened, per its source. */
  at: number;
  /** When it was recorded, if the caller said so (the store's clock otherwise). */
  recordedAt?: number;
  /**
   * The event time is older than what the sample already showed (late evidence): it is
   * appended after what was shown, never reordered into the past.
   */
  late?: true;
  actor: Actor;
  reason?: string;
  data: Record<string, unknown>;
}
