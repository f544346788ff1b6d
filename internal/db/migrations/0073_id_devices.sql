-- ID devices (internal/id, device.go): the browsers an account has signed in from. A browser
-- keeps a long-lived random cookie (400 days); the table keeps its Streebog-256 digest, one row
-- per account and browser, so that a shared computer is a separate device of each account.
-- The address and the user agent are personal data, sealed (internal/seal). A device may be
-- remembered (the second factor skipped until remembered_until, citizens only). The new-device
-- alert carries a one-time «это был не я» link: its digest and end are on the device's row.
CREATE TABLE id_devices (
	id               TEXT PRIMARY KEY,
	account_id       TEXT NOT NULL REFERENCES id_accounts (id) ON DELETE CASCADE,
	token_hash       {{blob}} NOT NULL,
	ip               {{blob}},
	user_agent       {{blob}},
	first_seen       {{timestamp}} NOT NULL,
	last_seen        {{timestamp}} NOT NULL,
	remembered_until {{timestamp}},
	disavow_hash     {{blob}} UNIQUE,
	disavow_until    {{timestamp}}
);
CREATE UNIQUE INDEX id_devices_token ON id_devices (account_id, token_hash);
CREATE INDEX id_devices_seen ON id_devices (last_seen);

-- Password sign-in blocked for an account: its owner said «это был не я» of a new-device
-- sign-in. Recovery of the password lifts it (the row is deleted).
CREATE TABLE id_signin_blocks (
	account_id TEXT PRIMARY KEY REFERENCES id_accounts (id) ON DELETE CASCADE,
	reason     TEXT NOT NULL CHECK (reason IN ('disavowed')),
	device_id  TEXT,
	created_at {{timestamp}} NOT NULL
);

-- The security page reads an account's sign-in history from the journal by its object (sign-in
-- entries are anonymous: nobody is signed in yet).
CREATE INDEX audit_entries_object ON audit_entries (object_id, seq);
