-- Stored documents (internal/documents): one row per uploaded file, with the verdict of its
-- checks. The file itself is in the document storage (a directory under the data directory,
-- or an S3 bucket), sealed in the chunked format of the package documentation; the row says
-- which data key sealed it. The file's name as the citizen gave it is personal data (it often
-- holds their name): sealed. A refused document keeps its row (its verdict is shown) but
-- nothing is stored.
CREATE TABLE documents (
	id           TEXT PRIMARY KEY,
	kind         TEXT NOT NULL,
	name         {{blob}},
	type         TEXT NOT NULL,
	state        TEXT NOT NULL CHECK (state IN ('quarantined', 'accepted', 'refused')),
	reason       TEXT NOT NULL,
	reason_args  TEXT NOT NULL,
	size         BIGINT NOT NULL,
	stored_size  BIGINT NOT NULL,
	key_id       TEXT,
	scan_tries   INTEGER NOT NULL DEFAULT 0,
	signature    TEXT,
	created_at   {{timestamp}} NOT NULL,
	checked_at   {{timestamp}}
);
CREATE INDEX documents_state ON documents (state, created_at);
