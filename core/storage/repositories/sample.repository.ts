import { DEFAULT_FOLLOW_UP_POLICY } from '../../domain/sample/follow-up.ts';
import type { SampleState } from '../../domain/sample/sample-state.ts';
import type { Sql } from '../sql.ts';

export interface SampleRow {
  id: string;
  creator: string;
  sku: string;
  campaign: string | null;
  status: string;
  createdAt: Date;
  updatedAt: Date;
  deviceId: string | null;
  creatorId: string | null;
  variant: string | null;
  quantity: number;
  source: string | null;
  requestedBy: string | null;
  reshipOf: string | null;
  reshippedAs: string | null;
  /** The approval policy's last decision, including `needs_approver` (which no transition records). */
  policyDecision: Record<string, unknown> | null;
  approvedAt: Date | null;
  carrier: string | null;
  serviceLevel: string | null;
  trackingId: string | null;
  trackerId: string | null;
  packaging: string | null;
  shippedAt: Date | null;
  dispatchedAt: Date | null;
  receivedAt: Date | null;
  postUrl: string | null;
  publishedAt: Date | null;
  usableForAds: boolean | null;
  orders: number | null;
  gmvCents: number | null;
  classification: string | null;
  damagedAt: Date | null;
  productCostCents: number;
  shippingCostCents: number;
  trackerCostShareCents: number;
  /** When content is due while it is awaited (delivered, content due; not paused for damage), else null. */
  contentDueAt: Date | null;
  /** The one extension of the posting window was granted. */
  extensionGranted: boolean;
}

/** How the list is ordered: newest request first, or the soonest content due first (none last). */
export type SampleSort = 'created' | 'contentDue';

// contentDueAt (core/domain/sample/content-clock.ts) in SQL, so the list can sort by it: the
// receipt + the posting window (+ the extension if granted) + the time paused for damage,
// under the sample's campaign's window when it sets one (campaignFollowUpPolicy, migration 029),
// else the stored policy (program_policy, migration 017; the code's defaults when unset).
const CLOCK = `s.state->'contentClock'`;
const EXTENDED = `coalesce((${CLOCK}->>'extensionGranted')::boolean, false)`;
const CONTENT_DUE_AT = `case when s.status in ('delivered', 'content_due') and s.received_at is not null
    and ${CLOCK}->>'pausedSince' is null
  then s.received_at
    + (coalesce(cp.posting_window_days, (pp.follow_up->>'postingWindowDays')::float8,
         ${DEFAULT_FOLLOW_UP_POLICY.postingWindowDays})
       + case when ${EXTENDED}
           then coalesce(cp.extension_days, (pp.follow_up->>'extensionDays')::float8,
             ${DEFAULT_FOLLOW_UP_POLICY.extensionDays}) else 0 end)
      * interval '1 day'
    + coalesce((${CLOCK}->>'pausedMs')::float8, 0) * interval '1 millisecond'
  end`;

const SELECT = `select s.id, s.creator, s.sku, s.campaign, s.status, s.created_at as "createdAt",
  s.updated_at as "updatedAt", st.device_id as "deviceId", s.creator_id as "creatorId", s.variant, s.quantity,
  s.source, s.requested_by as "requestedBy", s.reship_of as "reshipOf", s.reshipped_as as "reshippedAs",
  s.policy_decision as "policyDecision", s.approved_at as "approvedAt", s.carrier, s.service_level as "serviceLevel",
  s.tracking_id as "trackingId", s.tracker_id as "trackerId", s.packaging, s.shipped_at as "shippedAt",
  s.dispatched_at as "dispatchedAt", s.received_at as "receivedAt", s.post_url as "postUrl",
  s.published_at as "publishedAt", s.usable_for_ads as "usableForAds", s.orders, s.gmv_cents as "gmvCents",
  s.classification, s.damaged_at as "damagedAt", s.product_cost_cents as "productCostCents",
  s.shipping_cost_cents as "shippingCostCents", s.tracker_cost_share_cents as "trackerCostShareCents",
  ${CONTENT_DUE_AT} as "contentDueAt", ${EXTENDED} as "extensionGranted"
  from samples s left join shipment_trackers st on st.sample_id = s.id and st.detached_at is null
  left join program_policy pp on true left join campaigns cp on cp.id = s.campaign`;

/** A stored sample as the domain needs it: the state, and the row fields the state does not carry. */
export interface StoredSample {
  state: SampleState | null;
  row: SampleRow;
}

/** Columns outside the domain state: costs and packaging come from the SKU, the label and the fleet. */
export interface SampleExtras {
  packaging?: string;
  shippingCostCents?: number;
  trackerCostShareCents?: number;
}

/** Why a tracker left a sample's shipment (shipment_trackers.detach_reason, migration 018). */
export type DetachReason = 'trip_end' | 'manual' | 'final_state' | 'reattached';

const date = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));

export class SampleRepository {
  constructor(private readonly sql: Sql) {}

  /** The next human-friendly id, SMP-<yy>-<000123>, printed on the label. */
  async nextId(at: Date): Promise<string> {
    const yy = String(at.getUTCFullYear() % 100).padStart(2, '0');
    const { rows } = await this.sql.query<{ id: string }>(
      `select 'SMP-' || $1 || '-' || lpad(nextval('sample_number_seq')::text, 6, '0') as id`,
      [yy],
    );
    return rows[0]!.id;
  }

  /** Inserts a new sample from its initial state. */
  async insert(
    state: SampleState,
    input: { creator: string; creatorId: string; campaign: string | null; productCostCents: number; at: Date },
  ): Promise<void> {
    const r = state.request;
    await this.sql.query(
      `insert into samples (id, creator, creator_id, sku, campaign, variant, quantity, source, requested_by, reship_of,
         status, state, status_since, product_cost_cents, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)`,
      [
        state.id,
        input.creator,
        input.creatorId,
        r.skuId,
        input.campaign,
        r.variant ?? null,
        r.quantity,
        r.source,
        r.requestedBy,
        r.reshipOf ?? null,
        state.status,
        JSON.stringify(state),
        date(state.statusSince),
        input.productCostCents,
        input.at,
      ],
    );
  }

  async get(id: string): Promise<SampleRow | undefined> {
    const { rows } = await this.sql.query<SampleRow>(`${SELECT} where s.id = $1`, [id]);
    return rows[0];
  }

  /** The sample with its domain state, locked for the rest of the transaction when asked. */
  async load(id: string, opts: { forUpdate?: boolean; skipLocked?: boolean } = {}): Promise<StoredSample | undefined> {
    // skipLocked: another worker holds the sample and will handle it; undefined is returned.
    const lock = opts.forUpdate ? ` for update of s${opts.skipLocked ? ' skip locked' : ''}` : '';
    const { rows } = await this.sql.query<SampleRow & { state: SampleState | null }>(
      `${SELECT.replace('select s.id,', 'select s.state, s.id,')} where s.id = $1${lock}`,
      [id],
    );
    const found = rows[0];
    if (!found) return undefined;
    const { state, ...row } = found;
    return { state, row };
  }

  /**
   * Samples whose status can still call for a follow-up (dueFollowUps decides which), and
   * closed ones whose post was not logged yet.
   */
  async followUpCandidates(): Promise<string[]> {
    const { rows } = await this.sql.query<{ id: string }>(
      `select id from samples where status not in ('requested', 'rejected', 'cancelled', 'reshipped', 'outcome_recorded', 'written_off')
         or (status = 'outcome_recorded' and not exists (select 1 from follow_ups f where f.key = samples.id || ':log_post'))
       order by id`,
    );
    return rows.map((r) => r.id);
  }

  /** The original's reship that is still going (not rejected or cancelled), if any. */
  async liveReshipOf(originalId: string): Promise<string | undefined> {
    const { rows } = await this.sql.query<{ id: string }>(
      `select id from samples where reship_of = $1 and status not in ('rejected', 'cancelled') order by created_at, id limit 1`,
      [originalId],
    );
    return rows[0]?.id;
  }

  async idByTrackingId(trackingId: string): Promise<string | undefined> {
    const { rows } = await this.sql.query<{ id: string }>('select id from samples where tracking_id = $1', [
      trackingId,
    ]);
    return rows[0]?.id;
  }

  /**
   * Stores a new state and the columns derived from it (the queryable copy the KPIs,
   * lookups and the follow-up scan read), plus the extras the state does not carry.
   */
  async saveState(state: SampleState, at: Date, extras: SampleExtras = {}): Promise<void> {
    const first = state.firstEnteredAt;
    await this.sql.query(
      `update samples set status = $2, state = $3, status_since = $4, approved_at = $5, carrier = $6, service_level = $7,
         tracking_id = $8, tracker_id = $9, shipped_at = $10, dispatched_at = $11, received_at = $12,
         delivery_evidence = $13, post_url = $14, published_at = $15, usable_for_ads = $16, orders = $17,
         gmv_cents = $18, classification = $19, damaged_at = $20, no_post_at = $21, reshipped_as = $22,
         packaging = coalesce($23, packaging), shipping_cost_cents = coalesce($24, shipping_cost_cents),
         tracker_cost_share_cents = coalesce($25, tracker_cost_share_cents), updated_at = $26
       where id = $1`,
      [
        state.id,
        state.status,
        JSON.stringify(state),
        date(state.statusSince),
        date(first.approved),
        state.shipment?.carrier ?? null,
        state.shipment?.serviceLevel ?? null,
        state.shipment?.trackingId ?? null,
        state.shipment?.trackerId ?? null,
        date(state.shippedAt),
        date(first.dispatched),
        date(state.delivery?.receivedAt),
        state.delivery?.evidence ?? null,
        state.post?.postUrl ?? null,
        date(state.post?.publishedAt),
        state.post?.usableForAds ?? null,
        state.outcome?.orders ?? null,
        state.outcome?.gmvCents ?? null,
        state.outcome?.classification ?? null,
        date(first.damaged),
        date(first.no_post),
        state.reshippedAs ?? null,
        extras.packaging ?? null,
        extras.shippingCostCents ?? null,
        extras.trackerCostShareCents ?? null,
        at,
      ],
    );
  }

  async setPolicyDecision(id: string, decision: object): Promise<void> {
    await this.sql.query('update samples set policy_decision = $2 where id = $1', [id, JSON.stringify(decision)]);
  }

  /**
   * Approved sends to this creator in the campaign (the campaign is the period the limit
   * counts over), excluding `exceptId`, reships and sends cancelled after approval.
   */
  async sendsInCampaign(creatorId: string, campaign: string, exceptId: string): Promise<number> {
    const { rows } = await this.sql.query<{ n: number }>(
      `select count(*)::int as n from samples where creator_id = $1 and campaign = $2 and id <> $3
         and approved_at is not null and reship_of is null and status <> 'cancelled'`,
      [creatorId, campaign, exceptId],
    );
    return rows[0]?.n ?? 0;
  }

  /** Request time of the newest other approved, not cancelled, send of this SKU to this creator. */
  async lastSendOfSku(creatorId: string, sku: string, exceptId: string): Promise<Date | undefined> {
    const { rows } = await this.sql.query<{ at: Date | null }>(
      `select max(created_at) as at from samples where creator_id = $1 and sku = $2 and id <> $3
         and approved_at is not null and status <> 'cancelled'`,
      [creatorId, sku, exceptId],
    );
    return rows[0]?.at ?? undefined;
  }

  /**
   * Samples of this creator that ended without a post from `since` on (the non-posting
   * pattern's window, noPostPatternSince), `exceptId` excluded.
   */
  async noPostsOfCreator(creatorId: string, exceptId: string, since: Date): Promise<number> {
    const { rows } = await this.sql.query<{ n: number }>(
      'select count(*)::int as n from samples where creator_id = $1 and id <> $2 and no_post_at >= $3',
      [creatorId, exceptId, since],
    );
    return rows[0]?.n ?? 0;
  }

  async list(filter: {
    status?: string;
    creator?: string;
    sort?: SampleSort;
    limit: number;
    offset: number;
  }): Promise<SampleRow[]> {
    const order =
      filter.sort === 'contentDue'
        ? '"contentDueAt" asc nulls last, s.created_at desc, s.id desc'
        : 's.created_at desc, s.id desc';
    const { rows } = await this.sql.query<SampleRow>(
      `${SELECT} where ($1::text is null or s.status = $1) and ($2::text is null or s.creator = $2)
       order by ${order} limit $3 offset $4`,
      [filter.status ?? null, filter.creator ?? null, filter.limit, filter.offset],
    );
    return rows;
  }

  /** Samples to print labels for: the given ids, or those matching the filter; oldest first. */
  async listForLabels(f: {
    ids?: string[];
    status?: string;
    creator?: string;
    campaign?: string;
    limit: number;
  }): Promise<SampleRow[]> {
    const { rows } = await this.sql.query<SampleRow>(
      `${SELECT} where ($1::text[] is null or s.id = any($1)) and ($2::text is null or s.status = $2)
         and ($3::text is null or s.creator = $3) and ($4::text is null or s.campaign = $4)
       order by s.created_at, s.id limit $5`,
      [f.ids ?? null, f.status ?? null, f.creator ?? null, f.campaign ?? null, f.limit],
    );
    return rows;
  }

  /** Every sample created in [from, to), oldest first, for the CSV export. */
  async listCreatedBetween(from: Date | null, to: Date | null): Promise<SampleRow[]> {
    const { rows } = await this.sql.query<SampleRow>(
      `${SELECT} where ($1::timestamptz is null or s.created_at >= $1) and ($2::timestamptz is null or s.created_at < $2)
       order by s.created_at, s.id`,
      [from, to],
    );
    return rows;
  }

  /**
   * Packs a tracker into the sample's shipment. The partial unique indexes refuse a
   * device already in another active shipment; the caller maps that to DEVICE_IN_USE.
   */
  async setGeofences(
    sampleId: string,
    g: {
      origin: { lat: number; lon: number } | null;
      destination: { lat: number; lon: number } | null;
      radiusM: number;
    },
  ): Promise<void> {
    await this.sql.query(
      `update samples set origin_lat = $2, origin_lon = $3, destination_lat = $4, destination_lon = $5, geofence_radius_m = $6
       where id = $1`,
      [
        sampleId,
        g.origin?.lat ?? null,
        g.origin?.lon ?? null,
        g.destination?.lat ?? null,
        g.destination?.lon ?? null,
        g.radiusM,
      ],
    );
  }

  /** Packs a tracker into the sample's shipment (the caller detached what had to go first). */
  async attachTracker(
    sampleId: string,
    deviceId: string,
    at: Date,
    trackerCostShareCents: number,
    tripEndsAt: Date | null,
  ): Promise<void> {
    await this.sql.query(
      'insert into shipment_trackers (sample_id, device_id, attached_at, trip_ends_at) values ($1, $2, $3, $4)',
      [sampleId, deviceId, at, tripEndsAt],
    );
    // The trip's share of the tracker's cost, for cost per post (kept if already set).
    await this.sql.query(
      'update samples set tracker_cost_share_cents = $2 where id = $1 and tracker_cost_share_cents = 0',
      [sampleId, trackerCostShareCents],
    );
  }

  /** Ends the sample's current tracker ride; returns the device detached, if any. Its readings so far stay the sample's. */
  async detachTracker(sampleId: string, at: Date, reason: DetachReason): Promise<string | undefined> {
    const { rows } = await this.sql.query<{ deviceId: string }>(
      `update shipment_trackers set detached_at = $2, detach_reason = $3 where sample_id = $1 and detached_at is null
       returning device_id as "deviceId"`,
      [sampleId, at, reason],
    );
    return rows[0]?.deviceId;
  }

  /** When the current trip of the sample's tracker ends: receipt + the profile's grace (migration 018). */
  async setTripEnd(sampleId: string, tripEndsAt: Date): Promise<void> {
    await this.sql.query(
      'update shipment_trackers set trip_ends_at = $2 where sample_id = $1 and detached_at is null',
      [sampleId, tripEndsAt],
    );
  }

  /** The device's current ride, locked for the rest of the transaction: its sample, trip end and the sample's status. */
  async activeTripOfDevice(
    deviceId: string,
  ): Promise<{ sampleId: string; tripEndsAt: Date | null; status: string } | undefined> {
    const { rows } = await this.sql.query<{ sampleId: string; tripEndsAt: Date | null; status: string }>(
      `select st.sample_id as "sampleId", st.trip_ends_at as "tripEndsAt", s.status
       from shipment_trackers st join samples s on s.id = st.sample_id
       where st.device_id = $1 and st.detached_at is null for update of st`,
      [deviceId],
    );
    return rows[0];
  }

  /**
   * Devices that carried this sample, each with the span of its readings that belong to
   * it: from the end of the tracker's previous trip (readings while it was being packed
   * count) to its detachment from this one.
   */
  async trackerWindows(sampleId: string): Promise<{ deviceId: string; from: Date | null; to: Date | null }[]> {
    const { rows } = await this.sql.query<{ deviceId: string; from: Date | null; to: Date | null }>(
      `select st.device_id as "deviceId",
         (select max(prev.detached_at) from shipment_trackers prev
           where prev.device_id = st.device_id and prev.detached_at <= st.attached_at) as "from",
         st.detached_at as "to"
       from shipment_trackers st where st.sample_id = $1 order by st.attached_at`,
      [sampleId],
    );
    return rows;
  }
}
