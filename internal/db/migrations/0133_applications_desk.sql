-- The operator desk and «Мои обращения» read applications a page at a time by keyset (the last
-- row's sort key, never an offset), so that each page is one index range scan however many
-- applications there are.
--
-- A citizen's list: newest first, ties broken by id.
DROP INDEX applications_account;
CREATE INDEX applications_account ON applications (account_id, created_at, id);

-- The queue holds the open applications only (submitted, registry_checks, in_review,
-- needs_correction), ordered by deadline, ties broken by id: partial indexes keep the decided
-- millions out of it. One index for the whole queue, one for a service's, one for an
-- operator's own; a status filter reads the whole queue's index (four open statuses: a page of
-- one is found within a few pages of all) — an index by status would make SQLite read each
-- status apart and sort them for the unfiltered queue.
DROP INDEX applications_queue;
CREATE INDEX applications_queue ON applications (deadline_at, id)
	WHERE state IN ('submitted', 'registry_checks', 'in_review', 'needs_correction');
CREATE INDEX applications_queue_service ON applications (service, deadline_at, id)
	WHERE state IN ('submitted', 'registry_checks', 'in_review', 'needs_correction');
CREATE INDEX applications_queue_assignee ON applications (assignee, deadline_at, id)
	WHERE state IN ('submitted', 'registry_checks', 'in_review', 'needs_correction');

-- The report counts by service and status, and the median time from submission to decision.
CREATE INDEX applications_report ON applications (service, state);

-- The agency an operator works for (services name theirs; "sep", the platform's own, for an
-- operator with no row). Set through applications.Store.SetOperatorAgency, journaled; no
-- command or page sets it yet.
CREATE TABLE desk_operators (
	account_id TEXT PRIMARY KEY,
	agency     TEXT NOT NULL,
	updated_at {{timestamp}} NOT NULL
);
