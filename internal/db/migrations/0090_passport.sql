-- The electronic passport (internal/passport).
--
-- passport_signers: the certificates that sign passport seals and status lists. A root is the
-- self-signed certificate of the instance signing key (its key is not here); an issuing
-- certificate is chained to a root, carries the passport extended key usage, and its private
-- key is sealed (internal/seal). Rotation retires the current issuing certificate and makes a
-- new one; retired ones stay, published, so that what they signed still verifies.
CREATE TABLE passport_signers (
	id          TEXT PRIMARY KEY,
	kind        TEXT NOT NULL CHECK (kind IN ('root', 'issuing')),
	cert        {{blob}} NOT NULL,
	private_key {{blob}},
	not_before  {{timestamp}} NOT NULL,
	not_after   {{timestamp}} NOT NULL,
	created_at  {{timestamp}} NOT NULL,
	retired_at  {{timestamp}}
);

-- passports: one issued passport. The holder's data, photo and QR payload are sealed; the
-- number is the document's public identifier (it is on the status list once annulled).
CREATE TABLE passports (
	id            TEXT PRIMARY KEY,
	number        TEXT NOT NULL UNIQUE,
	account_id    TEXT,
	status        TEXT NOT NULL CHECK (status IN ('valid', 'suspended', 'annulled')),
	status_reason TEXT,
	status_at     {{timestamp}},
	signer_id     TEXT NOT NULL REFERENCES passport_signers (id),
	issued_on     {{timestamp}} NOT NULL,
	expires_on    {{timestamp}} NOT NULL,
	holder        {{blob}},
	photo         {{blob}},
	payload       {{blob}},
	created_at    {{timestamp}} NOT NULL
);
CREATE INDEX passports_account ON passports (account_id);
CREATE INDEX passports_status ON passports (status);

-- passport_checks: each online verification of a passport, for its holder to see (who, when).
-- The checker's address is sealed.
CREATE TABLE passport_checks (
	id           TEXT PRIMARY KEY,
	passport_id  TEXT NOT NULL REFERENCES passports (id) ON DELETE CASCADE,
	checked_at   {{timestamp}} NOT NULL,
	checker_kind TEXT NOT NULL,
	checker_id   TEXT,
	result       TEXT NOT NULL,
	ip           {{blob}}
);
CREATE INDEX passport_checks_passport ON passport_checks (passport_id, checked_at);
