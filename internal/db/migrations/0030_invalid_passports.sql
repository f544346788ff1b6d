-- The МВД list of invalid passports (internal/registry/passlist), shared by every sep instance.
-- A list is stored as its compact in-memory structure, encoded and cut into chunks; the head row
-- names the current version. An import writes a new version, moves the head and deletes the old
-- version in one transaction, so readers see the old list or the new one, never a mix.
CREATE TABLE invalid_passport_head (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version BIGINT NOT NULL
);
INSERT INTO invalid_passport_head (id, version) VALUES (1, 0);

CREATE TABLE invalid_passport_lists (
	version     BIGINT PRIMARY KEY,
	entries     BIGINT NOT NULL,
	size_bytes  BIGINT NOT NULL,
	sha256      TEXT NOT NULL,
	source      TEXT NOT NULL,
	rows_read   BIGINT NOT NULL,
	junk_rows   BIGINT NOT NULL,
	padded_rows BIGINT NOT NULL,
	duplicates  BIGINT NOT NULL,
	imported_at {{timestamp}} NOT NULL
);

CREATE TABLE invalid_passport_chunks (
	version BIGINT NOT NULL REFERENCES invalid_passport_lists (version) ON DELETE CASCADE,
	seq     INTEGER NOT NULL,
	data    {{blob}} NOT NULL,
	PRIMARY KEY (version, seq)
);
