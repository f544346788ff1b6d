-- ID second factors besides the SMS code (internal/id): an authenticator app (TOTP), passkeys
-- (WebAuthn) and recovery codes. Secrets and what describes a person's devices are sealed;
-- recovery codes are kept only as keyed digests.

-- One authenticator app per account. The secret is sealed; last_step is the RFC 6238 time step
-- of the last code accepted, so that no code is accepted twice.
CREATE TABLE id_totp (
	id           TEXT PRIMARY KEY,
	account_id   TEXT NOT NULL UNIQUE REFERENCES id_accounts (id) ON DELETE CASCADE,
	secret       {{blob}},
	last_step    BIGINT NOT NULL DEFAULT 0,
	created_at   {{timestamp}} NOT NULL,
	last_used_at {{timestamp}}
);

-- Passkeys: the credential record (its id, public key, flags, authenticator model) and the
-- name its owner gave it are sealed; the signature counter is kept beside them to notice a
-- cloned authenticator. rp_id is the site's domain the passkey is bound to.
CREATE TABLE id_webauthn (
	id           TEXT PRIMARY KEY,
	account_id   TEXT NOT NULL REFERENCES id_accounts (id) ON DELETE CASCADE,
	rp_id        TEXT NOT NULL,
	credential   {{blob}},
	name         {{blob}},
	sign_count   BIGINT NOT NULL DEFAULT 0,
	created_at   {{timestamp}} NOT NULL,
	last_used_at {{timestamp}}
);
CREATE INDEX id_webauthn_account ON id_webauthn (account_id, created_at);

-- Recovery codes: ten at a time, each used once; only a keyed digest (with the id of the key
-- it was made under) is kept.
CREATE TABLE id_recovery_codes (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES id_accounts (id) ON DELETE CASCADE,
	digest     {{blob}} NOT NULL,
	created_at {{timestamp}} NOT NULL,
	used_at    {{timestamp}}
);
CREATE INDEX id_recovery_codes_account ON id_recovery_codes (account_id);
