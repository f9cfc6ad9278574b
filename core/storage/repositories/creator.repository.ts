import type { Sql } from '../sql.ts';

export type CreatorStanding = 'active' | 'watch' | 'restricted';

export interface CreatorAddress {
  name?: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
  country: string;
  /** Where the address is (PII like the street), for the destination geofence; no offline geocoding, so given by ops. */
  lat?: number;
  lon?: number;
}

export interface CreatorContact {
  email?: string;
  phone?: string;
  dm?: string;
}

/** The creator record; `contact` and `addresses` are PII and stay on this record only. */
export interface CreatorRow {
  id: string;
  handle: string;
  otherHandles: string[];
  displayName: string | null;
  contact: CreatorContact;
  addresses: CreatorAddress[];
  notes: string | null;
  standing: CreatorStanding;
  standingReason: string | null;
  standingChangedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface CreatorFields {
  handle: string;
  otherHandles: string[];
  displayName: string | null;
  contact: CreatorContact;
  addresses: CreatorAddress[];
  notes: string | null;
  standing: CreatorStanding;
}

/** Derived from the creator's samples. */
export interface CreatorHistory {
  samplesRequested: number;
  samplesSent: number;
  samplesReceived: number;
  posted: number;
  postedOnTime: number;
  noPosts: number;
  /** Sends posted or recorded as no post, each once (a late post follows a no post). */
  outcomesKnown: number;
  damagedInTransit: number;
  /** Posts the brand may use in ads. */
  usableForAds: number;
  /** Sends received with no damage recorded. */
  receivedUndamaged: number;
  gmvCents: number;
  /**
   * The latest contact with the creator: a message to them sent, or a step they took
   * through their link (a transition by a `creator` actor). A person confirming on their
   * behalf is not contact. Null: never.
   */
  lastContactAt: Date | null;
}

export interface SkuHistory {
  sku: string;
  samples: number;
  lastRequestedAt: Date;
  lastShippedAt: Date | null;
  lastStatus: string;
}

const COLUMNS = `id, handle, other_handles as "otherHandles", display_name as "displayName", contact, addresses, notes,
  standing, standing_reason as "standingReason", standing_changed_at as "standingChangedAt",
  created_at as "createdAt", updated_at as "updatedAt"`;

/** Statuses of a request that never became a send. */
const NOT_SENT = `('rejected', 'cancelled')`;

export class CreatorRepository {
  constructor(private readonly sql: Sql) {}

  async insert(f: CreatorFields, at: Date): Promise<CreatorRow> {
    const { rows } = await this.sql.query<CreatorRow>(
      `insert into creators (handle, other_handles, display_name, contact, addresses, notes, standing,
         standing_changed_at, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8) returning ${COLUMNS}`,
      [
        f.handle,
        f.otherHandles,
        f.displayName,
        JSON.stringify(f.contact),
        JSON.stringify(f.addresses),
        f.notes,
        f.standing,
        at,
      ],
    );
    return rows[0]!;
  }

  /** The creator of this handle, created with defaults when new (legacy sample records). */
  async ensureHandle(handle: string, at: Date): Promise<CreatorRow> {
    await this.sql.query(
      `insert into creators (handle, created_at, updated_at) values ($1, $2, $2)
       on conflict (lower(handle)) do nothing`,
      [handle, at],
    );
    return (await this.byHandle(handle))!;
  }

  /**
   * By id. A merged duplicate's id answers with the record it was merged into (one hop:
   * a merge repoints earlier merges), so every caller lands on the live record.
   */
  async get(id: string, opts: { forUpdate?: boolean } = {}): Promise<CreatorRow | undefined> {
    const lock = opts.forUpdate ? ' for update' : '';
    const { rows } = await this.sql.query<CreatorRow>(
      `select ${COLUMNS} from creators
       where id = coalesce((select merged_into from creators where id = $1), $1)${lock}`,
      [id],
    );
    return rows[0];
  }

  /** By main or other handle, live records only (a merged one's handles live on in the kept one's). */
  async byHandle(handle: string): Promise<CreatorRow | undefined> {
    const { rows } = await this.sql.query<CreatorRow>(
      `select ${COLUMNS} from creators where merged_into is null and (lower(handle) = lower($1) or lower($1) = any(
         select lower(h) from unnest(other_handles) h)) order by lower(handle) = lower($1) desc limit 1`,
      [handle],
    );
    return rows[0];
  }

  /** Live records having any of these as main or other handle (case-insensitive). */
  async byHandles(handles: string[]): Promise<CreatorRow[]> {
    if (handles.length === 0) return [];
    const { rows } = await this.sql.query<CreatorRow>(
      `select ${COLUMNS} from creators where merged_into is null and (lower(handle) = any($1) or exists (
         select 1 from unnest(other_handles) h where lower(h) = any($1)))`,
      [handles.map((h) => h.toLowerCase())],
    );
    return rows;
  }

  /** These records as stored (no merge followed), locked in id order so two merges cannot deadlock. */
  async lockForMerge(ids: string[]): Promise<(CreatorRow & { mergedInto: string | null })[]> {
    const { rows } = await this.sql.query<CreatorRow & { mergedInto: string | null }>(
      `select ${COLUMNS}, merged_into as "mergedInto" from creators where id = any($1) order by id for update`,
      [ids],
    );
    return rows;
  }

  /**
   * Moves the duplicate's samples to the kept creator: the reference, the handle text the
   * lists show, and the creator id inside the stored domain state (the request's). Returns
   * how many moved.
   */
  async moveSamples(fromId: string, to: { id: string; handle: string }): Promise<number> {
    const { rowCount } = await this.sql.query(
      `update samples set creator_id = $2, creator = $3,
         state = case when state is null then null else jsonb_set(state, '{request,creatorId}', to_jsonb($2::text)) end
       where creator_id = $1`,
      [fromId, to.id, to.handle],
    );
    return rowCount ?? 0;
  }

  /** Marks the duplicate merged; records merged into it earlier now point at the kept one. */
  async markMerged(duplicateId: string, keptId: string, at: Date): Promise<void> {
    await this.sql.query(
      `update creators set merged_into = $2, merged_at = coalesce(merged_at, $3), updated_at = $3
       where id = $1 or merged_into = $1`,
      [duplicateId, keptId, at],
    );
  }

  async list(filter: { standing?: string; q?: string; limit: number; offset: number }): Promise<CreatorRow[]> {
    const { rows } = await this.sql.query<CreatorRow>(
      `select ${COLUMNS} from creators
       where merged_into is null and ($1::text is null or standing = $1) and ($2::text is null or handle ilike '%' || $2 || '%')
       order by lower(handle) limit $3 offset $4`,
      [filter.standing ?? null, filter.q ?? null, filter.limit, filter.offset],
    );
    return rows;
  }

  async update(id: string, f: CreatorFields, at: Date, standingReason: string | null): Promise<CreatorRow> {
    const { rows } = await this.sql.query<CreatorRow>(
      `update creators set handle = $2, other_handles = $3, display_name = $4, contact = $5, addresses = $6,
         notes = $7,
         standing_changed_at = case when standing <> $8 then $9 else standing_changed_at end,
         standing_reason = case when standing <> $8 then $10 else standing_reason end,
         standing = $8, updated_at = $9
       where id = $1 returning ${COLUMNS}`,
      [
        id,
        f.handle,
        f.otherHandles,
        f.displayName,
        JSON.stringify(f.contact),
        JSON.stringify(f.addresses),
        f.notes,
        f.standing,
        at,
        standingReason,
      ],
    );
    return rows[0]!;
  }

  /**
   * Moves a creator down to `to` (never up: restoring standing is a person's call) and
   * says whether it changed.
   */
  async downgrade(id: string, to: 'watch' | 'restricted', reason: string, at: Date): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      `update creators set standing = $2, standing_reason = $3, standing_changed_at = $4, updated_at = $4
       where id = $1 and (standing = 'active' or (standing = 'watch' and $2 = 'restricted'))`,
      [id, to, reason, at],
    );
    return rowCount === 1;
  }

  /**
   * Counts over the creator's samples. "On time" is posted by the content due date:
   * receipt + posting window (+ the extension if granted) + time paused for damage, as
   * contentDueAt computes it from the same state.
   */
  async history(id: string, window: { postingWindowDays: number; extensionDays: number }): Promise<CreatorHistory> {
    const { rows } = await this.sql.query<CreatorHistory>(
      `select count(*)::int as "samplesRequested",
         count(*) filter (where shipped_at is not null)::int as "samplesSent",
         count(*) filter (where received_at is not null)::int as "samplesReceived",
         count(*) filter (where published_at is not null)::int as "posted",
         count(*) filter (where published_at is not null and received_at is not null and published_at <= received_at
           + ($2::float8 + case when (state->'contentClock'->>'extensionGranted')::boolean then $3::float8 else 0 end) * interval '1 day'
           + coalesce((state->'contentClock'->>'pausedMs')::bigint, 0) * interval '1 millisecond')::int as "postedOnTime",
         count(*) filter (where no_post_at is not null)::int as "noPosts",
         count(*) filter (where published_at is not null or no_post_at is not null)::int as "outcomesKnown",
         count(*) filter (where damaged_at is not null)::int as "damagedInTransit",
         count(*) filter (where published_at is not null and usable_for_ads)::int as "usableForAds",
         count(*) filter (where received_at is not null and damaged_at is null)::int as "receivedUndamaged",
         coalesce(sum(gmv_cents), 0)::bigint as "gmvCents",
         -- Through the samples, not creator_messages.creator_id: a merge moves samples only.
         greatest(
           (select max(m.sent_at) from creator_messages m join samples ms on ms.id = m.sample_id
             where ms.creator_id = $1 and m.status = 'sent'),
           (select max(t.at) from sample_transitions t join samples ts on ts.id = t.sample_id
             where ts.creator_id = $1 and t.actor_kind = 'creator')
         ) as "lastContactAt"
       from samples where creator_id = $1`,
      [id, window.postingWindowDays, window.extensionDays],
    );
    return rows[0]!;
  }

  /** Per SKU: the requests that were not refused or cancelled, i.e. sends made or under way. */
  async skuHistory(id: string, sku?: string): Promise<SkuHistory[]> {
    const { rows } = await this.sql.query<SkuHistory>(
      `select sku, count(*)::int as samples, max(created_at) as "lastRequestedAt", max(shipped_at) as "lastShippedAt",
         (array_agg(status order by created_at desc))[1] as "lastStatus"
       from samples where creator_id = $1 and status not in ${NOT_SENT} and ($2::text is null or sku = $2)
       group by sku order by max(created_at) desc`,
      [id, sku ?? null],
    );
    return rows;
  }
}
