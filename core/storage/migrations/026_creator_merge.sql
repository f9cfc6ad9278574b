-- Merging duplicate creators (one person under two records). The duplicate is kept, not
-- deleted: audit rows, delivered outbox messages and old links name its id. `merged_into`
-- points at the record that absorbed it; lookups by its id follow the pointer, lists skip it.
alter table creators
  add column merged_into text references creators(id),
  add column merged_at   timestamptz,
  add constraint creators_not_merged_into_self check (merged_into is null or merged_into <> id);
create index creators_merged_into_idx on creators (merged_into) where merged_into is not null;
