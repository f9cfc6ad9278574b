-- People and access (issue 6, part 1). Passwords are scrypt hashes with their salt and
-- parameters (scrypt$N$r$p$salt$hash). Session ids and API tokens are random 256-bit
-- values shown to their holder once; only their SHA-256 is stored, so a copy of this
-- database signs nobody in.
create table users (
  id             bigint generated always as identity primary key,
  email          text not null,
  name           text not null,
  role           text not null check (role in ('admin', 'ops', 'fulfillment', 'viewer')),
  password_hash  text not null,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  disabled_at    timestamptz
);
create unique index users_email_key on users (lower(email));

create table sessions (
  id_hash       text primary key,
  user_id       bigint not null references users(id) on delete cascade,
  created_at    timestamptz not null default now(),
  expires_at    timestamptz not null,
  last_seen_at  timestamptz not null default now(),
  ip            text,
  user_agent    text
);
create index sessions_user_idx on sessions (user_id);
create index sessions_expiry_idx on sessions (expires_at);

-- A token acts with its own role (never more than its owner's; see mayGrant) and stops
-- working when revoked, expired, or its owner is disabled.
create table api_tokens (
  id            bigint generated always as identity primary key,
  token_hash    text not null unique,
  user_id       bigint not null references users(id),
  name          text not null,
  role          text not null check (role in ('admin', 'ops', 'fulfillment', 'viewer', 'integration')),
  created_at    timestamptz not null default now(),
  expires_at    timestamptz,
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
create index api_tokens_user_idx on api_tokens (user_id);
