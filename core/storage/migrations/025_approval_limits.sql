-- Approval authority (issue 11): what a person may approve, in product cost of one send.
-- Null: the policy's default limit (approval.defaultApprovalLimitCents). Admins have none.
alter table users add column approval_limit_cents bigint check (approval_limit_cents >= 0);
