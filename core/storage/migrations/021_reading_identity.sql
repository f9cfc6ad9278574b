-- Tracker protocol: "(device id, seq) identifies a reading: a reading received again is not
-- stored twice". telemetry's key is (device_id, seq, ts) because a hypertable's unique keys
-- must contain its time column, so a resend of a seq with another ts passed that key. The
-- identity lives here instead: one row per reading ever stored, a plain table on
-- PostgreSQL and TimescaleDB alike, written in the same statement as the reading
-- (TelemetryRepository.insertReadings). ts is the stored copy's, so a conflicting resend can
-- be told from a plain one.
create table telemetry_ids (
  device_id  text not null,
  seq        integer not null,
  ts         timestamptz not null,
  primary key (device_id, seq)
);

-- Readings stored before this migration: the first received copy of each (device, seq) is
-- its identity. Later copies with another ts that are already in telemetry stay there (what
-- users were shown is not rewritten); from here on no new one gets in.
insert into telemetry_ids (device_id, seq, ts)
select distinct on (device_id, seq) device_id, seq, ts
from telemetry
order by device_id, seq, received_at, ts;
