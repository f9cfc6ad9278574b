-- The TikTok Shop affiliate samples connector (issue 13): one seller app's credentials
-- and how its polling went, and one link per TikTok sample application.

-- One row (the `id` is always true): the connector is configured once per platform.
-- The app secret and access token are written through the API and never read back by it.
create table tiktok_connector (
  id               boolean primary key default true check (id),
  enabled          boolean not null default false,
  app_key          text,
  app_secret       text,
  access_token     text,
  shop_cipher      text,
  -- The documented Open API host; tests point it at their stand-in.
  base_url         text not null default 'https://open-api.tiktokglobalshop.com',
  default_campaign text not null default 'tiktok-affiliate',
  -- TikTok sku_id (or product id) → our catalogue SKU, where the codes differ.
  sku_map          jsonb not null default '{}',
  write_back       boolean not null default false,
  poll_interval_s  integer not null default 300 check (poll_interval_s between 30 and 86400),
  paused           boolean not null default false,
  -- 'admin' (a person paused it) or 'token_expired' (TikTok refused the token).
  paused_reason    text,
  last_success_at  timestamptz,
  last_error       text,
  last_error_at    timestamptz,
  -- The last poll's counts and any rate-limit back-off ({lastPoll, backoffUntil}).
  cursor           jsonb not null default '{}',
  updated_at       timestamptz not null default now(),
  updated_by       text
);
insert into tiktok_connector default values;

-- Idempotency on TikTok's ids: an application is requested once (the row is inserted in
-- the request's transaction), its decision written back once, its content posted once.
-- `sample_id` is null while the application cannot become a request (its SKU unmapped).
create table tiktok_sample_links (
  application_id    text primary key,
  sample_id         text references samples(id),
  -- TikTok's application status as last seen (PENDING, AWAITING_SHIPMENT, …).
  status            text,
  creator_open_id   text,
  tiktok_order_id   text,
  tracking_number   text,
  synced_at         timestamptz not null default now(),
  content_ids       text[] not null default '{}',
  -- The content's figures as last seen: [{id, url, createdAt, views, paidOrders, …}].
  content           jsonb not null default '[]',
  views             bigint,
  paid_orders       integer,
  decision_sent     text check (decision_sent in ('APPROVE', 'REJECT')),
  decision_sent_at  timestamptz,
  error             text
);
create unique index tiktok_sample_links_sample_key on tiktok_sample_links (sample_id) where sample_id is not null;
