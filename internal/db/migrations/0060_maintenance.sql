-- Maintenance windows (internal/maintenance), scheduled with `sep admin maintenance`. Every
-- instance reads the windows that have not ended (caching them for a few seconds) and answers
-- 503 during one. A cancelled window keeps its row, with the time it was cancelled.
CREATE TABLE maintenance_windows (
	id           TEXT PRIMARY KEY,
	starts_at    {{timestamp}} NOT NULL,
	ends_at      {{timestamp}} NOT NULL,
	note_ru      TEXT NOT NULL DEFAULT '',
	note_en      TEXT NOT NULL DEFAULT '',
	created_at   {{timestamp}} NOT NULL,
	cancelled_at {{timestamp}},
	CHECK (ends_at > starts_at)
);
CREATE INDEX maintenance_windows_ends ON maintenance_windows (ends_at);
