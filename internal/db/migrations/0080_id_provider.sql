-- ID as an ЕСИА provider (internal/id/provider): the information systems registered as its
-- clients, the authorisation requests waiting for a sign-in, the codes and refresh tokens
-- issued, the consents people gave, and the ЕСИА numbers (oid) of accounts and organisations.
-- Nothing here is personal data: people appear by account id and oid only, codes and tokens by
-- their Streebog-256 digests.

-- The account's ЕСИА oid, assigned at first use (id.Service.ESIAOID).
ALTER TABLE id_accounts ADD COLUMN esia_oid BIGINT;
CREATE UNIQUE INDEX id_accounts_esia_oid ON id_accounts (esia_oid);

-- Registered systems: the mnemonic (client_id), the certificate its secrets are signed with
-- (DER) and its Streebog-256 digest (hex, lower case), where codes may go, what it may ask.
CREATE TABLE id_provider_clients (
	id            TEXT PRIMARY KEY,
	mnemonic      TEXT NOT NULL UNIQUE,
	cert          {{blob}} NOT NULL,
	cert_hash     TEXT NOT NULL,
	redirect_uris TEXT NOT NULL, -- one per line
	scopes        TEXT NOT NULL, -- space-separated
	token_alg     TEXT NOT NULL CHECK (token_alg IN ('GOST3410_2012_256', 'RS256')),
	min_level     TEXT NOT NULL CHECK (min_level IN ('simplified', 'standard', 'confirmed')),
	disabled_at   {{timestamp}},
	created_at    {{timestamp}} NOT NULL
);
CREATE INDEX id_provider_clients_cert ON id_provider_clients (cert_hash);

-- Authorisation requests checked at /aas/oauth2/v2/ac and waiting for the person to sign in
-- and consent (30 minutes at most).
CREATE TABLE id_provider_requests (
	id_hash        TEXT PRIMARY KEY,
	client_id      TEXT NOT NULL REFERENCES id_provider_clients (id) ON DELETE CASCADE,
	version        TEXT NOT NULL,
	scope          TEXT NOT NULL,
	scope_org      TEXT NOT NULL,
	redirect_uri   TEXT NOT NULL,
	state          TEXT NOT NULL,
	access_type    TEXT NOT NULL,
	challenge      TEXT NOT NULL,
	challenge_meth TEXT NOT NULL,
	created_at     {{timestamp}} NOT NULL,
	expires_at     {{timestamp}} NOT NULL
);

-- Authorisation codes: single use, short lived.
CREATE TABLE id_provider_codes (
	code_hash      TEXT PRIMARY KEY,
	client_id      TEXT NOT NULL REFERENCES id_provider_clients (id) ON DELETE CASCADE,
	account_id     TEXT NOT NULL REFERENCES id_accounts (id) ON DELETE CASCADE,
	sid            TEXT NOT NULL,
	amr            TEXT NOT NULL,
	scope          TEXT NOT NULL,
	redirect_uri   TEXT NOT NULL,
	challenge      TEXT NOT NULL,
	challenge_meth TEXT NOT NULL,
	auth_time      {{timestamp}} NOT NULL,
	created_at     {{timestamp}} NOT NULL,
	expires_at     {{timestamp}} NOT NULL,
	used_at        {{timestamp}}
);

-- Refresh tokens: each use gives a new one and ends the old.
CREATE TABLE id_provider_refresh (
	token_hash TEXT PRIMARY KEY,
	client_id  TEXT NOT NULL REFERENCES id_provider_clients (id) ON DELETE CASCADE,
	account_id TEXT NOT NULL REFERENCES id_accounts (id) ON DELETE CASCADE,
	sid        TEXT NOT NULL,
	amr        TEXT NOT NULL,
	scope      TEXT NOT NULL,
	auth_time  {{timestamp}} NOT NULL,
	created_at {{timestamp}} NOT NULL,
	expires_at {{timestamp}} NOT NULL,
	used_at    {{timestamp}}
);
CREATE INDEX id_provider_refresh_account ON id_provider_refresh (account_id, client_id);

-- Consents: the data a person let a system have; they last until revoked.
CREATE TABLE id_provider_consents (
	account_id TEXT NOT NULL REFERENCES id_accounts (id) ON DELETE CASCADE,
	client_id  TEXT NOT NULL REFERENCES id_provider_clients (id) ON DELETE CASCADE,
	scopes     TEXT NOT NULL,
	granted_at {{timestamp}} NOT NULL,
	PRIMARY KEY (account_id, client_id)
);

-- Organisations as /rs/orgs/{oid} shows them, and the people who act for them
-- (/rs/prns/{oid}/roles). Organisations' names and registration numbers are public.
CREATE TABLE id_provider_orgs (
	oid        BIGINT PRIMARY KEY,
	full_name  TEXT NOT NULL,
	short_name TEXT NOT NULL,
	ogrn       TEXT NOT NULL,
	inn        TEXT NOT NULL,
	kpp        TEXT NOT NULL,
	type       TEXT NOT NULL CHECK (type IN ('LEGAL', 'BUSINESS', 'AGENCY'))
);
CREATE TABLE id_provider_roles (
	account_id TEXT NOT NULL REFERENCES id_accounts (id) ON DELETE CASCADE,
	org_oid    BIGINT NOT NULL REFERENCES id_provider_orgs (oid) ON DELETE CASCADE,
	chief      BOOLEAN NOT NULL,
	admin      BOOLEAN NOT NULL,
	active     BOOLEAN NOT NULL,
	PRIMARY KEY (account_id, org_oid)
);
