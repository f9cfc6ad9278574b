-- Trackers. The secret is stored only as a salted scrypt hash (see core/domain/device-secret.ts).
create table devices (
  id            text primary key check (id ~ '^[a-z0-9][a-z0-9-]{2,63}$'),
  label         text,
  secret_hash   text not null,
  disabled_at   timestamptz,
  created_at    timestamptz not null default now(),
  -- Last status message (trackers/{id}/status, retained).
  online        boolean not null default false,
  fw            text,
  battery_pct   real,
  status_at     timestamptz
);

-- Human-friendly sample ids: SMP-<yy>-<000123>, numbered across years.
create sequence sample_number_seq;

create table samples (
  id          text primary key,
  creator     text not null,
  sku         text not null,
  campaign    text,
  status      text not null default 'requested',
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);
create index samples_creator_idx on samples (creator);

-- A tracker packed into a sample's shipment. A tracker is reused across trips, so the
-- attachment has a life of its own; one active attachment per device and per sample.
create table shipment_trackers (
  sample_id    text not null references samples(id),
  device_id    text not null references devices(id),
  attached_at  timestamptz not null default now(),
  detached_at  timestamptz
);
create unique index shipment_trackers_active_device on shipment_trackers (device_id) where detached_at is null;
create unique index shipment_trackers_active_sample on shipment_trackers (sample_id) where detached_at is null;

-- The time series. One row per (device, seq); the key includes ts because a TimescaleDB
-- hypertable's unique keys must contain its time column. A resend of a reading carries
-- the same ts, so ON CONFLICT on this key is what makes ingest idempotent.
create table telemetry (
  device_id     text not null,
  seq           integer not null,
  ts            timestamptz not null,
  received_at   timestamptz not null,
  lat           double precision,
  lon           double precision,
  acc_m         real,
  temp_c        real,
  humidity_pct  real,
  shock_g       real,
  tilt_deg      real,
  light_lux     real,
  battery_pct   real,
  rssi_dbm      real,
  extra         jsonb,
  primary key (device_id, seq, ts)
);
create index telemetry_device_ts_idx on telemetry (device_id, ts desc);

-- Each parcel's latest state, so the live map never scans the series.
-- "Latest" is by event time: a late batch never moves a parcel back in time.
create table parcel_state (
  device_id     text primary key references devices(id),
  seq           integer not null,
  ts            timestamptz not null,
  received_at   timestamptz not null,
  lat           double precision,
  lon           double precision,
  -- Last known position survives readings without a fix.
  position_ts   timestamptz,
  reading       jsonb not null,
  last_seen_at  timestamptz not null
);

-- What a tracker sent that broke the protocol, kept aside with the reason.
create table dead_letters (
  id           bigserial primary key,
  device_id    text,
  topic        text not null,
  reason       text not null,
  detail       text not null,
  seq          integer,
  raw          text not null,
  raw_bytes    integer not null,
  received_at  timestamptz not null
);
create index dead_letters_received_idx on dead_letters (received_at desc);
