import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CarrierEvent, CarrierEventType } from '../sample/carrier-event.ts';

/** The tracking aggregators we take webhooks from natively (docs/integrations.md). */
export const CARRIER_VENDORS = ['aftership', 'easypost', 'shippo'] as const;
export type CarrierVendor = (typeof CARRIER_VENDORS)[number];

/** One tracking update as a vendor reported it, with what it means for our lifecycle. */
export interface VendorTrackingEvent {
  /** The vendor's own id of this event: a resend carries the same one (dedupe key). */
  eventId: string;
  trackingId: string;
  /** When the carrier says it happened, epoch ms (event time orders events). */
  occurredAt: number;
  /** The vendor's status word, as sent. */
  status: string;
  /** Our carrier event; null when the status has no mapping (kept as unknown_status). */
  mapped: CarrierEvent | null;
  location?: string;
  detail?: string;
}

export type ParsedWebhook = { kind: 'tracking'; event: VendorTrackingEvent } | { kind: 'ignored'; reason: string };

/** What a webhook request brings that a signature check reads. */
export interface SignedRequest {
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
}

export type SignatureCheck =
  { ok: true } | { ok: false; reason: 'missing_signature' | 'bad_signature' | 'expired_signature' };

export interface VendorAdapter {
  vendor: CarrierVendor;
  /** The vendor's status vocabulary → our carrier event type (null: deliberately unmapped). */
  statuses: Readonly<Record<string, CarrierEventType | null>>;
  parse(payload: unknown): ParsedWebhook;
  verify(req: SignedRequest, secret: string, nowMs: number): SignatureCheck;
  /** Signs a body as the vendor does: the headers (and query) to send it with. */
  sign(
    rawBody: string,
    secret: string,
    nowMs: number,
  ): { headers: Record<string, string>; query: Record<string, string> };
  /** A documented-shape tracking update, for "send a test". */
  example(e: { trackingId: string; status: string; occurredAt: number; eventId: string }): unknown;
}

export const hmacSha256 = (key: string | Buffer, data: string | Buffer): Buffer =>
  createHmac('sha256', key).update(data).digest();

/** Constant-time comparison of two strings (different lengths are simply unequal). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A header's single value (Node lowercases names; a repeated header is refused as absent). */
export function header(req: SignedRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return typeof v === 'string' ? v : undefined;
}

const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})$/;
const LOCAL = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/**
 * An instant from a vendor's date-time text. Without an offset the text is a local time of
 * unknown zone: `assumeUtc` says the vendor documents such times as UTC; otherwise undefined.
 */
export function instant(value: unknown, assumeUtc: boolean): number | undefined {
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  const text = WITH_OFFSET.test(s) ? s : assumeUtc && LOCAL.test(s) ? `${s}Z` : undefined;
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Trimmed text cut to `max` characters, or undefined when empty or not text. */
export function text(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return t ? t.slice(0, max) : undefined;
}

/** "Lyon, 69, FR" from the parts a vendor gives. */
export function place(...parts: unknown[]): string | undefined {
  return text(
    parts
      .map((p) => text(p, 80))
      .filter(Boolean)
      .join(', '),
    200,
  );
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A vendor's parsed tracking update, once its fields are read: an absent location or detail
 * is left out, and the status is mapped through the vendor's table.
 */
export function trackingUpdate(
  statuses: Readonly<Record<string, CarrierEventType | null>>,
  fields: Omit<VendorTrackingEvent, 'mapped' | 'location' | 'detail'> & {
    location?: string | undefined;
    detail?: string | undefined;
  },
): ParsedWebhook {
  const { location, detail, ...rest } = fields;
  const e = { ...rest, ...(location ? { location } : {}), ...(detail ? { detail } : {}) };
  return { kind: 'tracking', event: trackingEvent(statuses, e) };
}

/** The tracking event once the vendor's fields are read: maps the status through the table. */
function trackingEvent(
  statuses: Readonly<Record<string, CarrierEventType | null>>,
  e: Omit<VendorTrackingEvent, 'mapped'>,
): VendorTrackingEvent {
  const type = Object.hasOwn(statuses, e.status) ? statuses[e.status] : null;
  const mapped: CarrierEvent | null = type
    ? {
        trackingId: e.trackingId,
        event: type,
        at: e.occurredAt,
        ...(e.location ? { location: e.location } : {}),
        ...(e.detail ? { detail: e.detail } : {}),
      }
    : null;
  return { ...e, mapped };
}

/** When the vendor gave no event id: one derived from what the event says (stable on resend). */
export const derivedEventId = (trackingId: string, status: string, at: number): string =>
  `derived:${trackingId}:${status}:${at}`;
