-- The work queue: a follow-up for a person on our side (ops, fulfilment, a manager) also
-- becomes a task someone owns and ticks off. Written by the scheduler in the transaction
-- that fires the follow-up, so each such follow-up has exactly one task. Follow-ups fired
-- before this migration have none (they are history; the scheduler's next ones do).
create table follow_up_tasks (
  id             bigint generated always as identity primary key,
  follow_up_key  text not null unique references follow_ups(key),
  sample_id      text not null references samples(id),
  action         text not null,
  audience       text not null,
  owner_id       bigint references users(id),
  due_at         timestamptz not null,
  created_at     timestamptz not null,
  done_at        timestamptz,
  done_by        bigint references users(id),
  note           text,
  constraint follow_up_tasks_done check ((done_at is null) = (done_by is null))
);
create index follow_up_tasks_open_idx on follow_up_tasks (due_at) where done_at is null;
create index follow_up_tasks_owner_idx on follow_up_tasks (owner_id, due_at);
