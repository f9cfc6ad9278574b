-- Hourly aggregate for long trips (week-long charts, KPIs).
-- requires: timescaledb
--
-- The runner skips this file (recorded as skipped) when the extension isn't installed,
-- which is why it is not part of 002's DO block: plain PostgreSQL has no time_bucket/last.
--
-- A continuous aggregate may be created inside a transaction (the runner wraps each file
-- in one) only WITH NO DATA; the policy below fills it. It refreshes the window
-- [now - 3 days, now - 1 hour] every 30 minutes, so:
--  * the newest hour or so is not in the view (materialized_only, the default since 2.13);
--  * readings arriving more than 3 days late, and rows that existed before this migration,
--    are only picked up by a manual refresh over their range, e.g.
--    call refresh_continuous_aggregate('telemetry_hourly', '2025-01-01', now() - interval '1 hour');
--    Never refresh a range whose raw chunks retention has already dropped: that empties
--    those hourly rows too.
create materialized view telemetry_hourly
with (timescaledb.continuous) as
select device_id,
       time_bucket(interval '1 hour', ts) as bucket,
       count(*)          as readings,
       avg(temp_c)       as temp_avg,
       min(temp_c)       as temp_min,
       max(temp_c)       as temp_max,
       avg(humidity_pct) as humidity_avg,
       max(shock_g)      as shock_max,
       max(tilt_deg)     as tilt_max,
       max(light_lux)    as light_max,
       min(battery_pct)  as battery_min,
       last(lat, ts)     as lat,
       last(lon, ts)     as lon
from telemetry
group by device_id, time_bucket(interval '1 hour', ts)
with no data;

select add_continuous_aggregate_policy('telemetry_hourly',
  start_offset => interval '3 days',
  end_offset => interval '1 hour',
  schedule_interval => interval '30 minutes');
