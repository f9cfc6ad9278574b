-- The configuration the platform wants a tracker to run with (tracker protocol:
-- trackers/{id}/config, platform → device, QoS 1, retained). The database is the record:
-- the broker's retained copy is republished from here at every start, so an embedded
-- broker's in-memory retained store losing it on a restart loses nothing.
alter table devices add column config jsonb;
alter table devices add column config_updated_at timestamptz;
-- The audit actor who set it (user:12, token:4).
alter table devices add column config_updated_by text;
-- When the broker acknowledged the retained message of the config updated at config_updated_at; null: not yet.
alter table devices add column config_published_at timestamptz;
