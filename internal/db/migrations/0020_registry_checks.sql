-- Registry checks (internal/registry): what was asked of a state registry (МВД, СФР, ФНС), about
-- whom, and the answer. The query holds only the values the check compared, so that the citizen
-- and the operator can be shown what was confirmed; a mismatch names the field, never the
-- registry's value. run counts reruns, so that a job of an earlier run cannot overwrite a later one.
CREATE TABLE registry_checks (
	id             TEXT PRIMARY KEY,
	subject        TEXT NOT NULL,
	registry       TEXT NOT NULL CHECK (registry IN ('passport', 'snils', 'inn', 'legal')),
	query          TEXT NOT NULL,
	fields         TEXT NOT NULL,
	status         TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'mismatch', 'not_found', 'invalid', 'unavailable')),
	mismatch_field TEXT,
	reason         TEXT,
	extract        TEXT,
	source         TEXT,
	attempts       INTEGER NOT NULL DEFAULT 0,
	run            INTEGER NOT NULL DEFAULT 1,
	requested_at   {{timestamp}} NOT NULL,
	checked_at     {{timestamp}},
	updated_at     {{timestamp}} NOT NULL
);
CREATE INDEX registry_checks_subject ON registry_checks (subject, registry, requested_at);
