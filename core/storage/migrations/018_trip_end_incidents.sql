-- Shared schema for issue 10 (trustworthy alerts, journeys that never dead-end).

-- A trip ends at receipt plus the profile's grace period: readings after trip_ends_at are
-- not judged by the in-transit rules, and the tracker is detached (free for the next sample)
-- once that time has passed. Null while the parcel has not been received.
alter table shipment_trackers add column trip_ends_at timestamptz;
-- Why it was detached: 'trip_end', 'manual', 'final_state', 'reattached'.
alter table shipment_trackers add column detach_reason text;

-- One exception is one incident: a rule that flaps within the profile's flap window extends
-- the open incident instead of opening another. repeat_count counts the excursions it holds;
-- last_seen_at is the event time of the latest breaching reading.
alter table condition_exceptions add column repeat_count integer not null default 1;
alter table condition_exceptions add column last_seen_at timestamptz;
update condition_exceptions set last_seen_at = coalesce(ended_at, started_at) where last_seen_at is null;
-- A correction: the incident's verdict changed because of readings that arrived late.
alter table condition_exception_events drop constraint condition_exception_events_kind_check;
alter table condition_exception_events add constraint condition_exception_events_kind_check
  check (kind in ('opened', 'updated', 'ended', 'retracted', 'acknowledged', 'resolved', 'escalated', 'corrected'));

-- A claim against the carrier for a damaged or lost parcel, opened from an exception's
-- disposition or by hand; its own small lifecycle.
create table sample_claims (
  id            bigint generated always as identity primary key,
  sample_id     text not null references samples(id),
  exception_id  bigint references condition_exceptions(id),
  carrier       text,
  status        text not null default 'open' check (status in ('open', 'submitted', 'paid', 'denied', 'withdrawn')),
  amount_cents  integer check (amount_cents is null or amount_cents >= 0),
  note          text,
  opened_by     text not null,
  opened_at     timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);
create index sample_claims_sample_idx on sample_claims (sample_id);
