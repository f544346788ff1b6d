-- Outbound messages (internal/notify). A message is one event told to one person, rendered
-- once when it is sent; each channel it goes through (e-mail, SMS, in-cabinet inbox, web push)
-- is a delivery with its own state, retried by the job queue.
CREATE TABLE notify_messages (
	id         TEXT PRIMARY KEY,
	kind       TEXT NOT NULL,
	lang       TEXT NOT NULL,
	account_id TEXT,
	subject    TEXT NOT NULL,
	body_text  TEXT NOT NULL,
	body_html  TEXT NOT NULL,
	body_short TEXT NOT NULL,
	created_at {{timestamp}} NOT NULL
);
CREATE INDEX notify_messages_created ON notify_messages (created_at);

-- address is where the delivery goes: an e-mail address, a phone number (+digits) or an
-- account id. It is personal data: it never goes to logs or job error texts.
CREATE TABLE notify_deliveries (
	id          TEXT PRIMARY KEY,
	message_id  TEXT NOT NULL REFERENCES notify_messages (id) ON DELETE CASCADE,
	channel     TEXT NOT NULL,
	address     TEXT NOT NULL,
	state       TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
	attempts    INTEGER NOT NULL DEFAULT 0,
	attempt_id  TEXT,
	reason      TEXT,
	receipt     TEXT,
	created_at  {{timestamp}} NOT NULL,
	updated_at  {{timestamp}} NOT NULL,
	sent_at     {{timestamp}}
);
CREATE INDEX notify_deliveries_message ON notify_deliveries (message_id);

-- Recent sends per recipient address and rate-limit class: one row per (class, address
-- hash), its hits a space-separated list of Unix times within the longest window. One row
-- per key lets a sender lock it, so instances sharing the database count together.
CREATE TABLE notify_rate (
	class      TEXT NOT NULL,
	addr_hash  TEXT NOT NULL,
	hits       TEXT NOT NULL,
	updated_at {{timestamp}} NOT NULL,
	PRIMARY KEY (class, addr_hash)
);

-- The in-cabinet inbox: one item per inbox delivery (same id), per account.
CREATE TABLE notify_inbox (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	message_id TEXT NOT NULL,
	kind       TEXT NOT NULL,
	subject    TEXT NOT NULL,
	body       TEXT NOT NULL,
	created_at {{timestamp}} NOT NULL,
	read_at    {{timestamp}}
);
CREATE INDEX notify_inbox_account ON notify_inbox (account_id, id);

-- The development outbox: what would have left the machine, kept for developers and tests.
CREATE TABLE notify_outbox (
	id         TEXT PRIMARY KEY,
	message_id TEXT NOT NULL,
	channel    TEXT NOT NULL,
	kind       TEXT NOT NULL,
	recipient  TEXT NOT NULL,
	subject    TEXT NOT NULL,
	body       TEXT NOT NULL,
	body_html  TEXT NOT NULL,
	created_at {{timestamp}} NOT NULL
);
CREATE INDEX notify_outbox_created ON notify_outbox (created_at);
CREATE INDEX notify_outbox_recipient ON notify_outbox (recipient, created_at);
