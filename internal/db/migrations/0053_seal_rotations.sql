-- Data-key rotations (internal/seal/rotate): one row per key that became current, with the
-- re-sealing job's cursor, so that the job resumes where it stopped after a crash or restart.
-- Key ids only; never key material.
CREATE TABLE seal_rotations (
	key_id       TEXT PRIMARY KEY,
	previous     TEXT NOT NULL,
	table_name   TEXT NOT NULL,
	after_id     TEXT NOT NULL,
	passes       INTEGER NOT NULL DEFAULT 0,
	resealed     INTEGER NOT NULL DEFAULT 0,
	started_at   {{timestamp}} NOT NULL,
	updated_at   {{timestamp}} NOT NULL,
	finished_at  {{timestamp}}
);
