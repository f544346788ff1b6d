-- Personal calendar feeds of deadlines (internal/applications, ical.go): at most one per
-- account, found by the keyed digest of its secret URL (a blind index with no sealed column
-- behind it: the secret itself is never stored). Deleting the row revokes the feed; making
-- a new one replaces it. The deadline jobs themselves are rows of the job queue.
CREATE TABLE application_calendar_feeds (
	account_id TEXT PRIMARY KEY,
	digest     {{blob}} NOT NULL,
	created_at {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX application_calendar_feeds_digest ON application_calendar_feeds (digest);
