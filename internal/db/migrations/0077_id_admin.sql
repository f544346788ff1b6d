-- ID administration (internal/id/admin.go): when and by whom an account was blocked, and the
-- status it had before, which unblocking gives back (an account that still had to confirm a
-- contact must not come out of a block active). Staff accounts are listed by role.
ALTER TABLE id_accounts ADD COLUMN blocked_at {{timestamp}};
ALTER TABLE id_accounts ADD COLUMN blocked_by TEXT;
ALTER TABLE id_accounts ADD COLUMN status_before_block TEXT;
CREATE INDEX id_accounts_role ON id_accounts (role, created_at);
