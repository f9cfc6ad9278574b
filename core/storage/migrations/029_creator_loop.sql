-- The creator loop (issue 12): campaigns as records, the creator's own link per sample,
-- photos the creator uploads, message templates and the messages that reach creators.

-- A campaign: what a creator is asked to make, under which terms. `id` is the key a
-- sample carries in `samples.campaign` (e.g. `spring-glow`; keys typed before campaigns
-- were records may hold spaces, so any trimmed text up to 200 characters).
create table campaigns (
  id                   text primary key check (length(id) between 1 and 200 and id = btrim(id)),
  name                 text not null,
  starts_on            date,
  ends_on              date,
  skus                 text[] not null default '{}',
  brief_md             text not null default '',
  guidelines_md        text not null default '',
  -- [{kind: video|live|photo|raw_footage|story, count, minLiveDays?, minMinutes?, note?}]
  deliverables         jsonb not null default '[]',
  -- null: the program's follow-up policy (postingWindowDays, extensionDays).
  posting_window_days  integer check (posting_window_days between 1 and 365),
  extension_days       integer check (extension_days between 1 and 365),
  -- none: no extension; on_request: the creator's request grants the one extension;
  -- approval: the request waits for a manager's grant.
  extension_rule       text not null default 'on_request' check (extension_rule in ('none', 'on_request', 'approval')),
  -- {organicRepost, paidUsage, whitelisting: boolean, durationDays: integer|null, notes?}
  usage_rights         jsonb not null default '{}',
  bucket               text not null default 'gifting' check (bucket in ('gifting', 'affiliate', 'paid', 'retainer')),
  -- A patch over the program's approval policy for this campaign's requests (program-policy.ts).
  approval_policy      jsonb not null default '{}',
  archived_at          timestamptz,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now(),
  check (ends_on is null or starts_on is null or ends_on >= starts_on)
);

-- Every campaign key samples already carry becomes a record (no brief yet), and so does
-- a key a new sample names: the sample belongs to a campaign record from its first row.
insert into campaigns (id, name)
  select distinct campaign, campaign from samples
  where campaign is not null and length(campaign) between 1 and 200 and campaign = btrim(campaign)
  on conflict do nothing;
insert into campaigns (id, name) values ('unassigned', 'Unassigned') on conflict do nothing;
update samples set campaign = 'unassigned'
  where campaign is null or not (length(campaign) between 1 and 200 and campaign = btrim(campaign));

create function samples_campaign_record() returns trigger language plpgsql as $$
begin
  if new.campaign is null then
    new.campaign := 'unassigned';
  end if;
  insert into campaigns (id, name) values (new.campaign, new.campaign) on conflict do nothing;
  return new;
end $$;
create trigger samples_campaign_record before insert or update of campaign on samples
  for each row execute function samples_campaign_record();
alter table samples alter column campaign set default 'unassigned';
alter table samples add constraint samples_campaign_fkey foreign key (campaign) references campaigns(id);
create index samples_campaign_idx on samples (campaign);

-- A creator's link to one sample: no account, only that sample. The URL carries
-- `<id>.<expires>.<hmac>` (core/domain/creator-link); the row is what revocation and the
-- audit read. Re-issuing revokes the live link and creates a new one.
create table creator_links (
  id          text primary key,
  sample_id   text not null references samples(id),
  expires_at  timestamptz not null,
  created_at  timestamptz not null,
  created_by  text not null,
  revoked_at  timestamptz,
  revoked_by  text,
  last_used_at timestamptz
);
create index creator_links_sample_idx on creator_links (sample_id, created_at desc);
-- At most one live (unrevoked) link per sample: re-issue revokes first.
create unique index creator_links_live_key on creator_links (sample_id) where revoked_at is null;

-- Photos of a sample (receipt, damage): bytes in the photo store (DATA_DIR or S3), the
-- facts here. Served only to staff and to the sample's own creator link.
create table sample_photos (
  id            text primary key,
  sample_id     text not null references samples(id),
  link_id       text references creator_links(id),
  uploaded_by   text not null,
  content_type  text not null check (content_type in ('image/jpeg', 'image/png', 'image/webp', 'image/gif')),
  bytes         integer not null check (bytes > 0),
  sha256        text not null,
  storage_key   text not null,
  created_at    timestamptz not null
);
create index sample_photos_sample_idx on sample_photos (sample_id, created_at);

-- Templates of the messages to creators, per follow-up action: campaign null is the
-- program's own; a campaign's row overrides it. Absent rows fall back to the built-in
-- templates (core/domain/messages/templates.ts).
create table message_templates (
  id           bigint generated always as identity primary key,
  campaign_id  text references campaigns(id),
  action       text not null,
  subject      text not null,
  body         text not null,
  updated_at   timestamptz not null,
  updated_by   text not null
);
create unique index message_templates_key on message_templates (coalesce(campaign_id, ''), action);

-- Messages to creators, rendered when the follow-up fired: what was sent, on which
-- channel, and how its delivery went. `email` is sent over SMTP; `dm` (TikTok DMs have no
-- sending API) waits for a person to copy it and mark it sent.
create table creator_messages (
  id               bigint generated always as identity primary key,
  key              text not null unique,
  sample_id        text not null references samples(id),
  creator_id       text references creators(id),
  action           text not null,
  channel          text not null check (channel in ('email', 'dm')),
  recipient        text not null,
  subject          text not null,
  body             text not null,
  link_id          text references creator_links(id),
  status           text not null default 'queued' check (status in ('queued', 'sent', 'failed', 'bounced')),
  attempts         integer not null default 0,
  next_attempt_at  timestamptz not null,
  last_error       text,
  provider_id      text,
  created_at       timestamptz not null,
  sent_at          timestamptz,
  sent_by          text
);
create index creator_messages_due_idx on creator_messages (next_attempt_at) where status = 'queued' and channel = 'email';
create index creator_messages_sample_idx on creator_messages (sample_id, created_at);
create index creator_messages_dm_idx on creator_messages (created_at) where status = 'queued' and channel = 'dm';

-- Keys the platform makes for itself when the environment gives none (the creator links'
-- signing key): kept in the database so every process of one deployment signs alike.
create table platform_keys (
  name        text primary key,
  value       text not null,
  created_at  timestamptz not null default now()
);

-- The creator acts on their sample through their link (actor kind `creator`, id `link:<id>`).
alter table sample_transitions drop constraint sample_transitions_actor_kind_check;
alter table sample_transitions add constraint sample_transitions_actor_kind_check
  check (actor_kind in ('user', 'policy', 'carrier', 'tracker', 'scheduler', 'creator'));
