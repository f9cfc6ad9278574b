-- Carrier tracking through the aggregators most brands use (issue 13): AfterShip, EasyPost
-- and Shippo, each calling its own webhook URL and signing with its own secret.

-- One row per vendor an admin has set up. `secret` is what the vendor signs with (or, for
-- Shippo without HMAC, the token in the webhook URL); it is never read back by the API.
create table carrier_integrations (
  vendor      text primary key check (vendor in ('aftership', 'easypost', 'shippo')),
  enabled     boolean not null default true,
  secret      text not null check (length(secret) between 1 and 500),
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  updated_by  text
);

-- Every signed event a vendor sent, under the vendor's own event id: a resend of the same
-- id finds its row and changes nothing. Kept whatever became of it, so an unknown status
-- or an unknown tracking id is shown rather than dropped.
create table carrier_webhook_events (
  id             bigserial primary key,
  vendor         text not null check (vendor in ('aftership', 'easypost', 'shippo')),
  event_id       text not null check (length(event_id) between 1 and 300),
  received_at    timestamptz not null default now(),
  tracking_id    text not null,
  vendor_status  text not null,
  -- The carrier event (core/domain/sample/carrier-event.ts) the status maps to; null when
  -- the status has no mapping.
  mapped_event   text,
  -- When the carrier says it happened (event time: what orders events, not received_at).
  occurred_at    timestamptz not null,
  outcome        text not null check (outcome in ('applied', 'no_op', 'stale', 'unknown_status', 'unknown_tracking')),
  reason         text,
  sample_id      text references samples(id),
  raw            jsonb not null,
  unique (vendor, event_id)
);
create index carrier_webhook_events_recent_idx on carrier_webhook_events (vendor, received_at desc, id desc);
