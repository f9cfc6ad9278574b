-- Hourly aggregate for long trips (week-long charts, KPIs). A continuous aggregate
-- cannot be created inside a transaction or a DO block, hence its own file; the runner
-- skips files marked "requires: timescaledb" when the extension is absent.
-- requires: timescaledb
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
