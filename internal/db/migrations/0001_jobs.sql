-- The durable job queue (internal/jobs). Any sep instance claims due jobs; a claim is a lease
-- that expires, so a job held by a crashed process runs again.
CREATE TABLE jobs (
	id           TEXT PRIMARY KEY,
	kind         TEXT NOT NULL,
	payload      TEXT NOT NULL,
	dedup_key    TEXT,
	state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
	run_at       {{timestamp}} NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	max_attempts INTEGER NOT NULL,
	lease_until  {{timestamp}},
	locked_by    TEXT,
	last_error   TEXT,
	created_at   {{timestamp}} NOT NULL,
	updated_at   {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX jobs_dedup ON jobs (kind, dedup_key);
CREATE INDEX jobs_due ON jobs (run_at) WHERE state = 'queued';
CREATE INDEX jobs_leased ON jobs (lease_until) WHERE state = 'running';
CREATE INDEX jobs_finished ON jobs (updated_at) WHERE state IN ('done', 'dead');
