-- Account levels (internal/id, levels.go): how an account's identity was confirmed, the
-- confirmation codes operators issue, and the throttle of wrong codes. The personal data a
-- level rests on is the account's sealed profile (id_accounts.profile) and its registry checks
-- (registry_checks, subject "account:<id>"); these tables hold ids, codes and times only.

-- How the identity of a confirmed account was confirmed: at a service point by an operator, or
-- by a code an operator issued. One row per account; it goes when the level drops.
CREATE TABLE id_identity_confirmations (
	account_id   TEXT PRIMARY KEY REFERENCES id_accounts (id) ON DELETE CASCADE,
	method       TEXT NOT NULL CHECK (method IN ('service_point', 'code')),
	operator_id  TEXT NOT NULL,
	confirmed_at {{timestamp}} NOT NULL
);

-- Confirmation codes an operator issued to a citizen, valid for a month: only a keyed digest
-- of the code is kept. One live code per account: issuing a new one replaces it.
CREATE TABLE id_confirmation_codes (
	account_id TEXT PRIMARY KEY REFERENCES id_accounts (id) ON DELETE CASCADE,
	code_mac   {{blob}} NOT NULL,
	issued_by  TEXT NOT NULL,
	created_at {{timestamp}} NOT NULL,
	expires_at {{timestamp}} NOT NULL
);

-- Wrong confirmation codes an account entered: after five, it waits before the next try.
CREATE TABLE id_confirmation_tries (
	account_id TEXT PRIMARY KEY REFERENCES id_accounts (id) ON DELETE CASCADE,
	failures   INTEGER NOT NULL DEFAULT 0,
	wait_until {{timestamp}}
);
