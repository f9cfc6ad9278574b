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
 * AfterShip Tracking webhooks (https://www.aftership.com/docs/tracking/webhook/webhook-specifications):
 * `{event: "tracking_update", event_id, ts, msg: {tracking_number, slug, tag, subtag_message,
 * checkpoints: [{checkpoint_time, location, city, state, country_iso3, message, tag}]}}`, signed in the
 * `aftership-hmac-sha256` header: base64 HMAC-SHA256 of the raw body with the webhook secret
 * (https://www.aftership.com/docs/tracking/webhook/webhook-signature).
 */
export const AFTERSHIP_STATUSES: Readonly<Record<string, CarrierEventType | null>> = {
  Pending: 'label_created',
  InfoReceived: 'label_created',
  InTransit: 'in_transit',
  OutForDelivery: 'out_for_delivery',
  // A failed attempt needs someone (the creator re-books or collects): an exception to handle.
  AttemptFail: 'exception',
  Delivered: 'delivered',
  // Waiting at a pickup point: the carrier still holds it, the last leg is the creator's walk.
  AvailableForPickup: 'out_for_delivery',
  Exception: 'exception',
  // No news for 30 days is not proof of loss: kept and shown, a person decides.
  Expired: null,
};

export const AFTERSHIP_HEADER = 'aftership-hmac-sha256';

export function signAftership(rawBody: string | Buffer, secret: string): string {
  return hmacSha256(secret, rawBody).toString('base64');
}

export function verifyAftership(req: SignedRequest, secret: string): SignatureCheck {
  const given = header(req, AFTERSHIP_HEADER);
  if (!given) return { ok: false, reason: 'missing_signature' };
  return safeEqual(given.trim(), signAftership(req.rawBody, secret))
    ? { ok: true }
    : { ok: false, reason: 'bad_signature' };
}

export function parseAftership(payload: unknown): ParsedWebhook {
  if (!isRecord(payload)) return { kind: 'ignored', reason: 'not an AfterShip event' };
  if (payload.event !== 'tracking_update') {
    return { kind: 'ignored', reason: `AfterShip event "${String(payload.event)}" is not a tracking update` };
  }
  const msg = isRecord(payload.msg) ? payload.msg : {};
  const trackingId = text(msg.tracking_number, 300);
  const status = text(msg.tag, 100);
  if (!trackingId || !status) return { kind: 'ignored', reason: 'AfterShip event without tracking_number or tag' };
  const checkpoints = Array.isArray(msg.checkpoints) ? msg.checkpoints.filter(isRecord) : [];
  const last = checkpoints.at(-1);
  // A checkpoint time is the carrier's local time, with an offset only in newer webhook
  // versions; `ts` (UTC seconds) is when the event occurred otherwise.
  const occurredAt =
    instant(last?.checkpoint_time, false) ??
    (typeof payload.ts === 'number' && Number.isFinite(payload.ts) ? payload.ts * 1000 : undefined) ??
    instant(msg.updated_at, true);
  if (occurredAt === undefined) return { kind: 'ignored', reason: 'AfterShip event without a usable time' };
  const location = text(last?.location, 200) ?? place(last?.city, last?.state, last?.country_iso3);
  const detail = text(msg.subtag_message, 1000) ?? text(last?.message, 1000);
  const eventId = text(payload.event_id, 300) ?? derivedEventId(trackingId, status, occurredAt);
  return trackingUpdate(AFTERSHIP_STATUSES, { eventId, trackingId, occurredAt, status, location, detail });
}

export const aftership: VendorAdapter = {
  vendor: 'aftership',
  statuses: AFTERSHIP_STATUSES,
  parse: parseAftership,
  verify: (req, secret) => verifyAftership(req, secret),
  sign: (rawBody, secret) => ({ headers: { [AFTERSHIP_HEADER]: signAftership(rawBody, secret) }, query: {} }),
  example: ({ trackingId, status, occurredAt, eventId }) => ({
    event: 'tracking_update',
    event_id: eventId,
    is_tracking_first_tag: true,
    msg: {
      id: 'sampletrack-test',
      tracking_number: trackingId,
      slug: 'usps',
      tag: status,
      subtag: `${status}_001`,
      subtag_message: `Test update: ${status}`,
      title: trackingId,
      checkpoints: [
        {
          checkpoint_time: new Date(occurredAt).toISOString(),
          message: 'Sampletrack test webhook',
          slug: 'usps',
          tag: status,
          subtag: `${status}_001`,
          location: 'Test facility',
        },
      ],
    },
    ts: Math.floor(occurredAt / 1000),
  }),
};
