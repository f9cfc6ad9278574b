-- The sample program (issue 3): creators, the persisted lifecycle and carrier events.

-- One operating record per creator. Contact and addresses are PII: they live here only,
-- never copied onto samples, exports or messages (messages carry the creator id).
create sequence creator_number_seq;
create table creators (
  id                   text primary key default 'CRT-' || lpad(nextval('creator_number_seq')::text, 6, '0'),
  handle               text not null,
  other_handles        text[] not null default '{}',
  display_name         text,
  contact              jsonb not null default '{}',
  addresses            jsonb not null default '[]',
  notes                text,
  standing             text not null default 'active' check (standing in ('active', 'watch', 'restricted')),
  standing_reason      text,
  standing_changed_at  timestamptz,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now()
);
-- Handles are case-insensitive on TikTok.
create unique index creators_handle_key on creators (lower(handle));

-- The sample record, stage by stage. `state` is the domain's SampleState (the only input
-- to applyEvent); the columns beside it are derived from it on every save, so KPIs,
-- lookups and the follow-up scan are plain indexed SQL.
alter table samples
  add column creator_id               text references creators(id),
  add column state                    jsonb,
  add column variant                  text,
  add column quantity                 integer not null default 1 check (quantity > 0),
  add column source                   text,
  add column requested_by             text,
  add column reship_of                text references samples(id),
  add column reshipped_as             text references samples(id),
  add column policy_decision          jsonb,
  add column status_since             timestamptz,
  add column approved_at              timestamptz,
  add column carrier                  text,
  add column service_level            text,
  add column tracking_id              text,
  add column tracker_id               text,
  add column packaging                text,
  add column shipped_at               timestamptz,
  add column dispatched_at            timestamptz,
  add column received_at              timestamptz,
  add column delivery_evidence        text,
  add column post_url                 text,
  add column published_at             timestamptz,
  add column usable_for_ads           boolean,
  add column orders                   integer,
  add column gmv_cents                bigint,
  add column classification           text,
  add column damaged_at               timestamptz,
  add column no_post_at               timestamptz,
  add column product_cost_cents       bigint not null default 0,
  add column shipping_cost_cents      bigint not null default 0,
  add column tracker_cost_share_cents bigint not null default 0;

-- A tracking id names one parcel: the carrier webhook finds the sample by it.
create unique index samples_tracking_id_key on samples (tracking_id) where tracking_id is not null;
create index samples_creator_id_idx on samples (creator_id, sku);
create index samples_shipped_at_idx on samples (shipped_at) where shipped_at is not null;
create index samples_status_idx on samples (status);

-- Samples recorded before creators existed: their handle becomes a creator.
insert into creators (handle)
  select distinct on (lower(creator)) creator from samples order by lower(creator), created_at
  on conflict do nothing;
update samples s set creator_id = c.id from creators c where lower(c.handle) = lower(s.creator);

-- Every status change, timestamped and attributed, written in the same transaction as the
-- sample's new status. `at` is the source's time; `recorded_at` is when we stored it.
create table sample_transitions (
  id           bigserial primary key,
  sample_id    text not null references samples(id),
  event        text not null,
  from_status  text,
  to_status    text not null,
  actor_kind   text not null check (actor_kind in ('user', 'policy', 'carrier', 'tracker', 'scheduler')),
  actor_id     text not null,
  reason       text,
  data         jsonb not null default '{}',
  at           timestamptz not null,
  recorded_at  timestamptz not null default now()
);
create index sample_transitions_sample_idx on sample_transitions (sample_id, id);

-- Raw carrier webhook events under carrierEventKey: a resend is absorbed by the key.
create table carrier_events (
  key          text primary key,
  tracking_id  text not null,
  sample_id    text not null references samples(id),
  event        text not null,
  at           timestamptz not null,
  effect       text not null,
  payload      jsonb not null,
  received_at  timestamptz not null default now()
);
create index carrier_events_sample_idx on carrier_events (sample_id, at);
