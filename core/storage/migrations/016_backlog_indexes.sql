-- /metrics reads the delivery backlogs at every scrape: these partial indexes keep that
-- cheap however many delivered rows pile up (delivered rows are the bulk and never indexed).
create index webhook_deliveries_backlog_idx on webhook_deliveries (status, created_at) where status <> 'delivered';
create index outbox_backlog_idx on outbox (status, created_at) where status <> 'delivered';
create index condition_exceptions_escalated_idx on condition_exceptions (escalated_at) where escalated_at is not null;
