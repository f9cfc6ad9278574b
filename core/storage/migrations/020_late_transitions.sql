-- A transition whose event time is older than what the sample already showed (late
-- tracker or carrier evidence) is appended, not reordered: it keeps both its event time
-- (`at`) and its recording time (`recorded_at`), and is flagged so the timeline can show both.
alter table sample_transitions add column late boolean not null default false;
