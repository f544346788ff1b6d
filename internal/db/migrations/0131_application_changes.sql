-- Live status of applications (internal/applications/live.go): every event of an
-- application's history takes the next number of one sequence of changes, which pages follow
-- (server-sent events) from any instance. The number is taken from a single counter row by an
-- UPDATE, whose row lock is held to the commit: a change numbered n+1 cannot commit before
-- the change numbered n, so a reader that sees n+1 has seen everything before it, on both
-- engines (random ids and timestamps give no such order; a sequence hands out numbers in the
-- order transactions start, not the order they commit). Events written before this migration
-- have none: nobody can be following them.
ALTER TABLE application_events ADD COLUMN change_seq BIGINT;
CREATE UNIQUE INDEX application_events_change ON application_events (change_seq);

CREATE TABLE application_changes (
	id   INTEGER PRIMARY KEY,
	last BIGINT NOT NULL
);
INSERT INTO application_changes (id, last) VALUES (1, 0);
