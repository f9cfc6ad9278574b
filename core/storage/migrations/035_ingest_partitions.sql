-- Scale-out ingest on a partitioned engine (docs/scale-out.md): each partition (one queue
-- on the engine, fed by a consistent hash of the device id) is consumed by the one worker
-- that holds its lease, so a tracker's readings are judged by one worker at a time, in order.
-- A worker renews its leases every few seconds; a dead worker's leases expire and the
-- others take them. The engine's single-active-consumer flag guards the same rule there.
create table if not exists ingest_workers (
  worker_id text primary key,
  seen_at timestamptz not null default now()
);

create table if not exists ingest_partition_leases (
  partition int primary key check (partition >= 0),
  worker_id text not null,
  expires_at timestamptz not null,
  acquired_at timestamptz not null default now()
);

-- Which partition a tracker's messages were last seen on: a worker that takes a partition
-- watches these trackers' trips at once, so a tracker that has gone silent (and so sends
-- nothing that would introduce it) still gets its no-signal check from the new owner.
create table if not exists ingest_partition_devices (
  device_id text primary key,
  partition int not null,
  seen_at timestamptz not null default now()
);
create index if not exists ingest_partition_devices_partition on ingest_partition_devices (partition);
