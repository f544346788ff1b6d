-- Notification preferences and web-push subscriptions (internal/notify, prefs.go and push.go).

-- A person's choice of one kind × channel. A missing row is the kind's default (kinds.go:
-- Kind.Defaults); critical kinds have no rows, as they cannot be turned off.
CREATE TABLE notify_preferences (
	account_id TEXT NOT NULL,
	kind       TEXT NOT NULL,
	channel    TEXT NOT NULL,
	enabled    BOOLEAN NOT NULL,
	updated_at {{timestamp}} NOT NULL,
	PRIMARY KEY (account_id, kind, channel)
);

-- A browser's push subscription (RFC 8030): the push service's endpoint and the browser's
-- keys, all sealed (an endpoint names the browser to its push service); endpoint_idx is the
-- blind index that finds the same subscription registered again.
CREATE TABLE notify_push_subscriptions (
	id           TEXT PRIMARY KEY,
	account_id   TEXT NOT NULL,
	endpoint     {{blob}} NOT NULL,
	endpoint_idx {{blob}} NOT NULL,
	p256dh       {{blob}} NOT NULL,
	auth         {{blob}} NOT NULL,
	created_at   {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX notify_push_subscriptions_endpoint ON notify_push_subscriptions (endpoint_idx);
CREATE INDEX notify_push_subscriptions_account ON notify_push_subscriptions (account_id);
