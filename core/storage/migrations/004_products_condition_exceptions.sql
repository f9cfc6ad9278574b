-- Products and what they tolerate. The condition profile is JSON validated by
-- ConditionProfileSchema (core/domain/condition/profile.ts); null means the defaults
-- (box opened, low battery, no signal), which every tracked parcel gets.
create table products (
  sku                text primary key,
  name               text not null,
  variant            text,
  unit_cost          numeric(12, 2) not null default 0,
  limited            boolean not null default false,
  inventory_on_hand  integer not null default 0,
  condition_profile  jsonb,
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now()
);

-- Per-sample override of the product's profile, and the two geofences of its trip:
-- the origin warehouse and the creator's address.
alter table samples
  add column condition_profile jsonb,
  add column origin_lat double precision,
  add column origin_lon double precision,
  add column destination_lat double precision,
  add column destination_lon double precision,
  add column geofence_radius_m integer not null default 300 check (geofence_radius_m between 10 and 50000);

-- One row per condition episode (not per reading), raised against the sample the tracker
-- rode in. episode_id is the condition engine's stable id, so re-evaluating a trip after a
-- late batch updates the same row instead of opening another.
create table condition_exceptions (
  id              bigserial primary key,
  sample_id       text not null references samples(id),
  device_id       text not null references devices(id),
  episode_id      text not null,
  rule            text not null,
  type            text not null,
  severity        text not null check (severity in ('info', 'warning', 'critical')),
  started_at      timestamptz not null,
  ended_at        timestamptz,
  ended_by        text,
  peak            double precision not null,
  limit_value     double precision not null,
  duration_ms     bigint not null,
  stage           text,
  start_seq       integer,
  lat             double precision,
  lon             double precision,
  evidence        integer[] not null,
  -- open → acknowledged → resolved; retracted when later readings showed it never happened.
  status          text not null default 'open' check (status in ('open', 'acknowledged', 'resolved', 'retracted')),
  acknowledged_by text,
  acknowledged_at timestamptz,
  resolved_by     text,
  resolved_at     timestamptz,
  disposition     text check (disposition in ('accept', 'reship', 'write_off', 'carrier_claim')),
  resolution_note text,
  opened_at       timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  unique (sample_id, episode_id)
);
create index condition_exceptions_open_idx on condition_exceptions (status, severity, started_at) where status in ('open', 'acknowledged');
create index condition_exceptions_sample_idx on condition_exceptions (sample_id);

-- Every step of an exception's life, with who or what took it.
create table condition_exception_events (
  id            bigserial primary key,
  exception_id  bigint not null references condition_exceptions(id),
  kind          text not null check (kind in ('opened', 'updated', 'ended', 'retracted', 'acknowledged', 'resolved', 'escalated')),
  actor         text not null,
  at            timestamptz not null default now(),
  detail        jsonb
);
create index condition_exception_events_exception_idx on condition_exception_events (exception_id, id);
