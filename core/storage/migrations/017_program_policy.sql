-- The program's policy, editable by an admin at run time (issue 3 "configurable", issue 6).
-- One row at most: absent means the code defaults (core/domain/sample/program-policy.ts).
-- Each section is the whole validated policy as JSON; `version` counts changes, so an edit
-- made over a stale copy is refused (optimistic concurrency). Changes are audited
-- (audit_log action policy.update) in the same transaction.
create table program_policy (
  id          boolean primary key default true check (id),
  approval    jsonb not null,
  follow_up   jsonb not null,
  version     integer not null,
  updated_at  timestamptz not null default now(),
  updated_by  text not null
);
