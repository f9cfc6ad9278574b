-- Alerts to fulfilment. Every exception opening, escalating, ending and being resolved
-- produces one alert: a row in the in-app inbox, and one outbox message per matching
-- webhook subscription, written in the same transaction as the exception change.
alter table condition_exceptions add column escalated_at timestamptz;

create table alerts (
  id            bigserial primary key,
  exception_id  bigint not null references condition_exceptions(id),
  kind          text not null check (kind in ('opened', 'escalated', 'ended', 'resolved', 'retracted')),
  severity      text not null,
  sample_id     text not null references samples(id),
  title         text not null,
  body          text not null,
  link          text not null,
  created_at    timestamptz not null default now(),
  read_at       timestamptz,
  read_by       text,
  unique (exception_id, kind)
);
create index alerts_inbox_idx on alerts (created_at desc);

-- Where alerts go out. The secret signs each delivery (HMAC-SHA256); it is shown once
-- when the subscription is created and must be kept to sign, so it is stored as given.
create table webhook_subscriptions (
  id            bigserial primary key,
  url           text not null check (url ~ '^https?://'),
  secret        text not null,
  event_kinds   text[] not null default array['opened', 'escalated', 'ended', 'resolved', 'retracted'],
  min_severity  text not null default 'warning' check (min_severity in ('info', 'warning', 'critical')),
  active        boolean not null default true,
  description   text,
  created_at    timestamptz not null default now()
);

-- The durable outbox of webhook deliveries: one row per (alert, subscription), written with
-- the alert. A dispatcher sends due rows with retries and exponential back-off; the
-- idempotency key travels with every attempt so a receiver can drop repeats.
create table webhook_deliveries (
  id               bigserial primary key,
  alert_id         bigint not null references alerts(id),
  subscription_id  bigint not null references webhook_subscriptions(id),
  idempotency_key  text not null unique,
  status           text not null default 'pending' check (status in ('pending', 'delivered', 'dead')),
  attempts         integer not null default 0,
  next_attempt_at  timestamptz not null default now(),
  last_error       text,
  last_status      integer,
  created_at       timestamptz not null default now(),
  delivered_at     timestamptz
);
create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending';
