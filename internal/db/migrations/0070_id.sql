-- ID (internal/id): accounts, their passwords, sessions, one-time codes and flows in progress.
-- Personal data is sealed (internal/seal: nullable BLOBs); what accounts are looked up by has a
-- blind index beside it (a keyed digest of the ruid-normalised value). Later ID migrations
-- (0071–0079) add factors, devices, throttling and consents.
CREATE TABLE id_accounts (
	id              TEXT PRIMARY KEY,
	role            TEXT NOT NULL CHECK (role IN ('citizen', 'operator', 'admin', 'auditor')),
	status          TEXT NOT NULL CHECK (status IN ('active', 'blocked', 'unconfirmed')),
	level           TEXT NOT NULL CHECK (level IN ('simplified', 'standard', 'confirmed')),
	lang            TEXT NOT NULL,
	phone           {{blob}},
	phone_idx       {{blob}},
	email           {{blob}},
	email_idx       {{blob}},
	profile         {{blob}},
	snils_idx       {{blob}},
	inn_idx         {{blob}},
	block_code      TEXT,
	block_note      {{blob}},
	consent_version TEXT,
	consent_at      {{timestamp}},
	created_at      {{timestamp}} NOT NULL,
	updated_at      {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX id_accounts_phone ON id_accounts (phone_idx);
CREATE UNIQUE INDEX id_accounts_email ON id_accounts (email_idx);
CREATE INDEX id_accounts_snils ON id_accounts (snils_idx);
CREATE INDEX id_accounts_inn ON id_accounts (inn_idx);

-- Password hashes (argon2id, PHC strings with their parameters): the newest is the account's
-- password, the ones before it are kept so that a new password is not one of the last three.
CREATE TABLE id_passwords (
	account_id TEXT NOT NULL REFERENCES id_accounts (id) ON DELETE CASCADE,
	seq        INTEGER NOT NULL,
	hash       TEXT NOT NULL,
	created_at {{timestamp}} NOT NULL,
	PRIMARY KEY (account_id, seq)
);

-- Sessions: server-side, so that any instance serves any request and a revocation is
-- immediate. The browser holds a random token; the table its Streebog-256 digest.
CREATE TABLE id_sessions (
	id         TEXT PRIMARY KEY,
	token_hash {{blob}} NOT NULL UNIQUE,
	account_id TEXT NOT NULL REFERENCES id_accounts (id) ON DELETE CASCADE,
	device_id  TEXT,
	method     TEXT NOT NULL,
	created_at {{timestamp}} NOT NULL,
	seen_at    {{timestamp}} NOT NULL,
	expires_at {{timestamp}} NOT NULL,
	revoked_at {{timestamp}},
	ip         {{blob}},
	user_agent {{blob}}
);
CREATE INDEX id_sessions_account ON id_sessions (account_id, created_at);

-- Flows in progress (a registration, a sign-in between its password and its second factor, a
-- recovery): their state is here, not in a process, so any instance continues them. The
-- browser or app holds a random token; the table its digest.
CREATE TABLE id_flows (
	id         TEXT PRIMARY KEY,
	token_hash {{blob}} NOT NULL UNIQUE,
	kind       TEXT NOT NULL,
	state      TEXT NOT NULL,
	account_id TEXT,
	data       {{blob}},
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL,
	expires_at {{timestamp}} NOT NULL
);
CREATE INDEX id_flows_expires ON id_flows (expires_at);

-- One-time codes sent by SMS or e-mail: only a keyed digest of the code is kept, so that the
-- table cannot be searched for codes; tries count wrong entries.
CREATE TABLE id_codes (
	id         TEXT PRIMARY KEY,
	flow_id    TEXT NOT NULL,
	purpose    TEXT NOT NULL,
	channel    TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
	code_mac   {{blob}} NOT NULL,
	tries      INTEGER NOT NULL DEFAULT 0,
	created_at {{timestamp}} NOT NULL,
	resend_at  {{timestamp}} NOT NULL,
	expires_at {{timestamp}} NOT NULL,
	used_at    {{timestamp}}
);
CREATE INDEX id_codes_flow ON id_codes (flow_id, purpose, created_at);
