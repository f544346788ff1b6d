-- The electronic passport's follow-up (internal/passport): what its holder asked for and what
-- an operator decided about it.
--
-- passport_requests: a holder's request for a re-issue after a change of data (kind reissue,
-- what: the code of what changed), and an operator's annulment or re-issue (kinds annul and
-- operator_reissue, what: the reason code). The free-text note (the holder's explanation, the
-- operator's mandatory reason) is personal data and sealed. A request is open until the
-- application workflow (or an operator's re-issue) handles it; replaced_by is the passport
-- issued in its place.
CREATE TABLE passport_requests (
	id          TEXT PRIMARY KEY,
	passport_id TEXT NOT NULL REFERENCES passports (id) ON DELETE CASCADE,
	kind        TEXT NOT NULL CHECK (kind IN ('reissue', 'annul', 'operator_reissue')),
	what        TEXT NOT NULL,
	note        {{blob}},
	actor_kind  TEXT NOT NULL,
	actor_id    TEXT,
	status      TEXT NOT NULL CHECK (status IN ('open', 'done')),
	replaced_by TEXT,
	created_at  {{timestamp}} NOT NULL
);
CREATE INDEX passport_requests_passport ON passport_requests (passport_id, created_at);
