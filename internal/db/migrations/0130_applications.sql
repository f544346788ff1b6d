-- Applications (internal/applications): a citizen's application for a service, from the first
-- saved input (a draft) to the decision. The form's values, an operator's correction request
-- and rejection reason and every remark are personal data: sealed. The human number
-- (СЭП-2026-000123) comes from a per-year counter row, taken with one upsert so that two
-- instances never hand out the same number.
CREATE TABLE applications (
	id           TEXT PRIMARY KEY,
	account_id   TEXT NOT NULL,
	service      TEXT NOT NULL,
	state        TEXT NOT NULL,
	number       TEXT UNIQUE,
	data         {{blob}},
	correction   {{blob}},
	reason       {{blob}},
	create_key   TEXT,
	submit_key   TEXT,
	assignee     TEXT,
	deadline_at  {{timestamp}},
	consent_at   {{timestamp}},
	created_at   {{timestamp}} NOT NULL,
	updated_at   {{timestamp}} NOT NULL,
	submitted_at {{timestamp}},
	decided_at   {{timestamp}}
);
CREATE UNIQUE INDEX applications_create_key ON applications (account_id, create_key);
CREATE INDEX applications_account ON applications (account_id, created_at);
CREATE INDEX applications_queue ON applications (state, deadline_at);

-- The documents attached to an application, one per kind (a replacement takes the place).
CREATE TABLE application_documents (
	application_id TEXT NOT NULL,
	kind           TEXT NOT NULL,
	document_id    TEXT NOT NULL,
	attached_at    {{timestamp}} NOT NULL,
	PRIMARY KEY (application_id, kind)
);

-- The history of an application: each transition of its state machine, with a sealed remark.
CREATE TABLE application_events (
	id             TEXT PRIMARY KEY,
	application_id TEXT NOT NULL,
	seq            INTEGER NOT NULL,
	action         TEXT NOT NULL,
	from_state     TEXT NOT NULL,
	to_state       TEXT NOT NULL,
	actor_kind     TEXT NOT NULL,
	actor_id       TEXT NOT NULL,
	note           {{blob}},
	at             {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX application_events_seq ON application_events (application_id, seq);

-- The last number handed out in each year.
CREATE TABLE application_numbers (
	year INTEGER PRIMARY KEY,
	last BIGINT NOT NULL
);
