-- TimescaleDB, when the server has it: telemetry becomes a hypertable with compression,
-- retention and an hourly continuous aggregate. On plain PostgreSQL this is a no-op and
-- queries bucket with date_bin over the same table.
do $$
begin
  if not exists (select 1 from pg_available_extensions where name = 'timescaledb') then
    raise notice 'timescaledb not available: telemetry stays a plain table';
    return;
  end if;
  create extension if not exists timescaledb;
  perform create_hypertable('telemetry', by_range('ts', interval '1 day'), migrate_data => true);
  alter table telemetry set (
    timescaledb.compress,
    timescaledb.compress_segmentby = 'device_id',
    timescaledb.compress_orderby = 'ts desc, seq'
  );
  perform add_compression_policy('telemetry', interval '7 days');
  perform add_retention_policy('telemetry', interval '400 days');
end
$$;
