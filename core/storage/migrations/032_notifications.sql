-- Notifications people choose (issue 13, part 3). A channel is where a notice goes (an
-- email address, a Slack or Teams incoming webhook); a subscription says which exceptions a
-- user or a team wants on a channel, when (quiet hours, digest) and at which escalation tier;
-- a notification is one notice to one subscription at one tier: the durable outbox, written
-- in the alert's transaction and sent by workers/notification-delivery.ts.
alter table users add column team text;

create table notification_channels (
  id             bigserial primary key,
  kind           text not null check (kind in ('email', 'slack', 'teams')),
  name           text not null,
  -- An email address, or a webhook URL. A webhook URL is a secret (anyone holding it can
  -- post): the API shows its host only after creation.
  target         text not null,
  team           text,
  owner_user_id  bigint references users(id),
  enabled        boolean not null default true,
  created_by     text not null,
  created_at     timestamptz not null default now()
);

create table notification_subscriptions (
  id               bigserial primary key,
  user_id          bigint references users(id),
  team             text,
  channel_id       bigint not null references notification_channels(id),
  min_severity     text not null default 'warning' check (min_severity in ('info', 'warning', 'critical')),
  exception_types  text[] not null default '{}',
  campaigns        text[] not null default '{}',
  stages           text[] not null default '{}',
  digest           text not null default 'none' check (digest in ('none', 'hourly', 'daily')),
  quiet_start      time,
  quiet_end        time,
  tz               text not null default 'UTC',
  escalation_tier  integer not null default 1 check (escalation_tier between 1 and 9),
  active           boolean not null default true,
  created_at       timestamptz not null default now(),
  check (user_id is not null or team is not null)
);

create table notifications (
  id               bigserial primary key,
  alert_id         bigint not null references alerts(id),
  exception_id     bigint not null references condition_exceptions(id),
  subscription_id  bigint not null references notification_subscriptions(id),
  channel_id       bigint not null references notification_channels(id),
  kind             text not null check (kind in ('email', 'slack', 'teams')),
  tier             integer not null,
  status           text not null default 'queued' check (status in ('queued', 'held', 'sent', 'failed')),
  -- Why a held notice waits: quiet hours, or the subscription's digest.
  held_for         text check (held_for in ('quiet', 'digest')),
  attempts         integer not null default 0,
  next_attempt_at  timestamptz not null default now(),
  last_error       text,
  payload          jsonb not null,
  created_at       timestamptz not null default now(),
  sent_at          timestamptz,
  -- Nothing fires twice: a rerun of the fan-out or of an escalation pass finds the row.
  unique (alert_id, subscription_id, tier)
);
create index notifications_due_idx on notifications (next_attempt_at) where status in ('queued', 'held');
create index notifications_exception_idx on notifications (exception_id);
