-- Sign-in throttling (internal/id throttle.go): the counters every instance shares, and the
-- CAPTCHA challenges in play. Nothing here names a person in clear: a counter's key is a keyed
-- digest (HMAC-Streebog-256 under a key derived from the data key) of a normalised login, an
-- address, or both; a challenge keeps only a keyed digest of its answer.
--
-- scope says what a row counts: 'login' (failed sign-ins of one login, and its locks in a row),
-- 'addr' (sign-in attempts from one address), 'addr_login' (attempts at one login from one
-- address), 'addr_fail' (failed sign-ins from one address). hits are the times of the counted
-- events, Unix milliseconds, space-separated, only the newest that a limit needs.
CREATE TABLE id_throttle (
	scope        TEXT NOT NULL,
	key_hash     TEXT NOT NULL,
	hits         TEXT NOT NULL DEFAULT '',
	locks        INTEGER NOT NULL DEFAULT 0,
	locked_until {{timestamp}},
	updated_at   {{timestamp}} NOT NULL,
	PRIMARY KEY (scope, key_hash)
);
CREATE INDEX id_throttle_updated ON id_throttle (updated_at);

-- CAPTCHA challenges: single use, 5 minutes. The id is random and is all a browser gets; the
-- digits are derived from it under a secret key (so that the picture and the sound can be drawn
-- again by any instance) and only a keyed digest of them is stored.
CREATE TABLE id_captchas (
	id         TEXT PRIMARY KEY,
	answer_mac {{blob}} NOT NULL,
	created_at {{timestamp}} NOT NULL,
	expires_at {{timestamp}} NOT NULL,
	used_at    {{timestamp}}
);
CREATE INDEX id_captchas_expires ON id_captchas (expires_at);
