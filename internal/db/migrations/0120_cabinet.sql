-- The cabinet (internal/cabinet): the profiles of citizens who entered it through ЕСИА
-- («Войти через Госуслуги») and the cabinet's own sessions. Everything about a person is sealed
-- (internal/seal): the ЕСИА oid (found by its blind index), the person data, the tokens.

-- A citizen's cabinet profile, created at the first entry once they consented to the data
-- transfer (consent_version is the version of the text they agreed to) and refreshed from ЕСИА
-- at every entry: the person data as ЕСИА gave it, the account's trust and level.
CREATE TABLE cabinet_profiles (
	id              TEXT PRIMARY KEY,
	oid             {{blob}},
	oid_idx         {{blob}},
	person          {{blob}},
	trusted         BOOLEAN NOT NULL,
	level           TEXT NOT NULL,
	consent_version TEXT NOT NULL,
	consent_at      {{timestamp}} NOT NULL,
	created_at      {{timestamp}} NOT NULL,
	updated_at      {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX cabinet_profiles_oid ON cabinet_profiles (oid_idx);

-- The cabinet's sessions (cookie sep_cabinet, __Host- over HTTPS), server-side and found by
-- the Streebog-256 of their token. A session begins when «Войти через Госуслуги» sends the
-- browser to ЕСИА (stage signin, with the state sent), waits for the consent to the data
-- transfer on a first entry (stage consent) and is then active. data holds, sealed, the ЕСИА
-- tokens and, until the consent, the person data fetched.
CREATE TABLE cabinet_sessions (
	id         TEXT PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	stage      TEXT NOT NULL CHECK (stage IN ('signin', 'consent', 'active')),
	state      TEXT,
	profile_id TEXT REFERENCES cabinet_profiles (id) ON DELETE CASCADE,
	data       {{blob}},
	created_at {{timestamp}} NOT NULL,
	seen_at    {{timestamp}} NOT NULL,
	expires_at {{timestamp}} NOT NULL
);
CREATE INDEX cabinet_sessions_expires ON cabinet_sessions (expires_at);
CREATE INDEX cabinet_sessions_profile ON cabinet_sessions (profile_id);
