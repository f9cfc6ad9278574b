-- Who changed what and when (issue 6, part 2). Rows are written in the same transaction
-- as the change they describe, and never updated or deleted by the platform.
create table audit_log (
  id           bigint generated always as identity primary key,
  at           timestamptz not null default now(),
  actor        text not null,          -- user:12, token:4, system:carrier
  actor_label  text not null,          -- the user's email at the time, or the system part
  action       text not null,          -- sample.transition, exception.acknowledge, user.create, …
  entity_type  text not null,
  entity_id    text not null,
  detail       jsonb not null default '{}',
  ip           text
);
create index audit_log_entity_idx on audit_log (entity_type, entity_id, at desc);
create index audit_log_actor_idx on audit_log (actor, at desc);
create index audit_log_at_idx on audit_log (at desc);
