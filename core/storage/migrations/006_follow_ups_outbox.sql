-- Follow-up automation. A follow-up row exists once per key (dueFollowUps' idempotency
-- key): the scheduler inserts with ON CONFLICT DO NOTHING and acts only on rows it
-- inserted, so a trigger never fires twice, across restarts or several schedulers.
create table follow_ups (
  key          text primary key,
  sample_id    text not null references samples(id),
  action       text not null,
  audience     text not null,
  due_at       timestamptz not null,
  fired_at     timestamptz not null,
  data         jsonb not null default '{}'
);
create index follow_ups_sample_idx on follow_ups (sample_id);

-- Outgoing messages. Written in the transaction that decided to send them; a delivery
-- adapter sends pending rows and retries with back-off.
create table outbox (
  id               bigserial primary key,
  idempotency_key  text not null unique,
  kind             text not null,
  recipient        text not null,
  sample_id        text references samples(id),
  payload          jsonb not null,
  status           text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
  attempts         integer not null default 0,
  next_attempt_at  timestamptz not null default now(),
  last_error       text,
  created_at       timestamptz not null default now(),
  delivered_at     timestamptz
);
create index outbox_pending_idx on outbox (next_attempt_at) where status = 'pending';
