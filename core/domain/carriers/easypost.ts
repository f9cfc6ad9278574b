import type { CarrierEventType } from '../sample/carrier-event.ts';
import {
  derivedEventId,
  header,
  hmacSha256,
  instant,
  isRecord,
  place,
  safeEqual,
  text,
  trackingUpdate,
  type ParsedWebhook,
  type SignatureCheck,
  type SignedRequest,
  type VendorAdapter,
} from './vendor.ts';

/**
 * EasyPost Event webhooks (https://docs.easypost.com/docs/events, https://docs.easypost.com/docs/trackers):
 * `{object: "Event", id: "evt_…", description: "tracker.updated", result: {object: "Tracker",
 * tracking_code, status, status_detail, tracking_details: [{datetime, message, status,
 * tracking_location: {city, state, country}}]}}`, signed in `X-Hmac-Signature` as
 * `hmac-sha256-hex=<hex HMAC-SHA256 of the raw body>`, keyed by the webhook_secret after
 * Unicode NFKD normalization, as EasyPost's client libraries' validate_webhook does
 * (https://docs.easypost.com/guides/webhooks-guide).
 */
export const EASYPOST_STATUSES: Readonly<Record<string, CarrierEventType | null>> = {
  pre_transit: 'label_created',
  in_transit: 'in_transit',
  out_for_delivery: 'out_for_delivery',
  delivered: 'delivered',
  available_for_pickup: 'out_for_delivery',
  return_to_sender: 'returned',
  failure: 'exception',
  // The shipment was voided, or EasyPost lost the carrier's trail: a person looks.
  cancelled: null,
  error: null,
  unknown: null,
};

export const EASYPOST_HEADER = 'x-hmac-signature';

export function signEasypost(rawBody: string | Buffer, secret: string): string {
  return `hmac-sha256-hex=${hmacSha256(Buffer.from(secret.normalize('NFKD'), 'utf8'), rawBody).toString('hex')}`;
}

export function verifyEasypost(req: SignedRequest, secret: string): SignatureCheck {
  const given = header(req, EASYPOST_HEADER);
  if (!given) return { ok: false, reason: 'missing_signature' };
  return safeEqual(given.trim(), signEasypost(req.rawBody, secret))
    ? { ok: true }
    : { ok: false, reason: 'bad_signature' };
}

const TRACKER_EVENTS = new Set(['tracker.created', 'tracker.updated']);

export function parseEasypost(payload: unknown): ParsedWebhook {
  if (!isRecord(payload)) return { kind: 'ignored', reason: 'not an EasyPost event' };
  const description = String(payload.description);
  const result = isRecord(payload.result) ? payload.result : undefined;
  if (!TRACKER_EVENTS.has(description) || result?.object !== 'Tracker') {
    return { kind: 'ignored', reason: `EasyPost event "${description}" is not a tracker update` };
  }
  const trackingId = text(result.tracking_code, 300);
  const status = text(result.status, 100);
  if (!trackingId || !status) return { kind: 'ignored', reason: 'EasyPost tracker without tracking_code or status' };
  const details = Array.isArray(result.tracking_details) ? result.tracking_details.filter(isRecord) : [];
  const last = details.at(-1);
  // EasyPost documents times without a known zone as UTC.
  const occurredAt =
    instant(last?.datetime, true) ?? instant(result.updated_at, true) ?? instant(payload.created_at, true);
  if (occurredAt === undefined) return { kind: 'ignored', reason: 'EasyPost tracker without a usable time' };
  const where = isRecord(last?.tracking_location) ? last.tracking_location : {};
  const location = place(where.city, where.state, where.country);
  const detail = text(last?.message, 1000) ?? text(result.status_detail, 1000);
  const eventId = text(payload.id, 300) ?? derivedEventId(trackingId, status, occurredAt);
  return trackingUpdate(EASYPOST_STATUSES, { eventId, trackingId, occurredAt, status, location, detail });
}

export const easypost: VendorAdapter = {
  vendor: 'easypost',
  statuses: EASYPOST_STATUSES,
  parse: parseEasypost,
  verify: (req, secret) => verifyEasypost(req, secret),
  sign: (rawBody, secret) => ({ headers: { [EASYPOST_HEADER]: signEasypost(rawBody, secret) }, query: {} }),
  example: ({ trackingId, status, occurredAt, eventId }) => {
    const at = new Date(occurredAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      object: 'Event',
      id: eventId,
      mode: 'test',
      description: 'tracker.updated',
      previous_attributes: {},
      created_at: at,
      updated_at: at,
      pending_urls: [],
      completed_urls: [],
      result: {
        id: 'trk_sampletracktest',
        object: 'Tracker',
        mode: 'test',
        tracking_code: trackingId,
        status,
        status_detail: 'status_update',
        carrier: 'USPS',
        created_at: at,
        updated_at: at,
        tracking_details: [
          {
            object: 'TrackingDetail',
            message: 'Sampletrack test webhook',
            status,
            status_detail: 'status_update',
            datetime: at,
            source: 'USPS',
            tracking_location: { object: 'TrackingLocation', city: 'TEST CITY', state: 'CA', country: 'US', zip: null },
          },
        ],
      },
    };
  },
};
