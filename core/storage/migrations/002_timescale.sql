-- TimescaleDB, when the server has it: telemetry becomes a hypertable (1-day chunks) with
-- compression after 7 days and retention of 400 days; 003 adds the hourly continuous
-- aggregate. On plain PostgreSQL (extension not available) this is a no-op and queries
-- bucket with date_bin over the same table.
--
-- Everything here is allowed inside the runner's transaction. Background jobs only run
-- once the transaction commits; nothing here needs them.
-- Tested against TimescaleDB 2.23 (PGlite build, test/timescale.test.ts); see docs/operations.md.
do $$
declare
  v text;
begin
  if not exists (select 1 from pg_extension where extname = 'timescaledb') then
    if not exists (select 1 from pg_available_extensions where name = 'timescaledb') then
      raise notice 'timescaledb not available: telemetry stays a plain table';
      return;
    end if;
    -- The package is installed. CREATE EXTENSION without the loader in
    -- shared_preload_libraries ends the session with a FATAL (no rollback, no catch), so
    -- fail cleanly instead. The loader defines timescaledb.disable_load in every backend.
    if current_setting('timescaledb.disable_load', true) is null then
      raise exception 'timescaledb is installed on this server but not preloaded'
        using hint = 'Add timescaledb to shared_preload_libraries and restart PostgreSQL, '
                     'or create the extension yourself before starting the platform.';
    end if;
    create extension timescaledb;
  end if;

  -- by_range() and the generalized create_hypertable() exist since 2.13.
  select extversion into v from pg_extension where extname = 'timescaledb';
  if string_to_array(split_part(v, '-', 1), '.')::int[] < array[2, 13] then
    raise exception 'TimescaleDB % is too old: 2.13 or newer is required', v;
  end if;

  -- The primary key (device_id, seq, ts) contains the time column, as a hypertable requires.
  -- migrate_data moves rows already in telemetry into chunks (locks the table meanwhile).
  perform create_hypertable('telemetry', by_range('ts', interval '1 day'), migrate_data => true);
  -- Compression keeps unique keys enforceable: every primary-key column is a segmentby or
  -- orderby column, so ON CONFLICT (device_id, seq, ts) still dedupes into compressed chunks.
  alter table telemetry set (
    timescaledb.compress,
    timescaledb.compress_segmentby = 'device_id',
    timescaledb.compress_orderby = 'ts desc, seq'
  );
  perform add_compression_policy('telemetry', interval '7 days');
  perform add_retention_policy('telemetry', interval '400 days');
end
$$;
