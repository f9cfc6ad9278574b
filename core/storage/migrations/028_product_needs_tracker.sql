-- Products that must ship with a tracker packed (perishables, high value). A flag the
-- dashboard shows and edits; fulfilment reads it when packing.
alter table products add column needs_tracker boolean not null default false;
