-- The audit journal (internal/audit; its package doc describes the hash chain). Entries are
-- appended under the lock of the one-row audit_head; triggers refuse UPDATE and DELETE so that
-- no code path can change the journal by mistake (someone with write access to the file can
-- still drop them: that is what the hash chain and the signed checkpoints are for).
CREATE TABLE audit_entries (
	seq         INTEGER PRIMARY KEY,
	at          TIMESTAMP NOT NULL,
	actor_kind  TEXT NOT NULL,
	actor_id    TEXT NOT NULL,
	org_id      TEXT NOT NULL,
	action      TEXT NOT NULL,
	object_type TEXT NOT NULL,
	object_id   TEXT NOT NULL,
	ip          TEXT NOT NULL,
	user_agent  TEXT NOT NULL,
	outcome     TEXT NOT NULL,
	details     TEXT NOT NULL,
	prev_hash   TEXT NOT NULL,
	hash        TEXT NOT NULL
);
CREATE INDEX audit_entries_actor ON audit_entries (actor_id, seq);
CREATE INDEX audit_entries_org ON audit_entries (org_id, seq);
CREATE INDEX audit_entries_at ON audit_entries (at);
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;

-- The head of the chain: the last sequence number, its hash and time. Seq 0 is the empty
-- journal, whose hash is 32 zero bytes.
CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  INTEGER NOT NULL,
	hash TEXT NOT NULL,
	at   TIMESTAMP
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Signed checkpoints of the head, numbered 1, 2, 3… and chained to each other.
CREATE TABLE audit_checkpoints (
	n           INTEGER PRIMARY KEY,
	seq         INTEGER NOT NULL,
	hash        TEXT NOT NULL,
	at          TIMESTAMP NOT NULL,
	key_id      TEXT NOT NULL,
	prev_digest TEXT NOT NULL,
	signature   TEXT NOT NULL
);

-- Keys that have signed for this journal (public halves only) and data keys by id.
CREATE TABLE audit_keys (
	key_id     TEXT PRIMARY KEY,
	purpose    TEXT NOT NULL,
	public_key TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);

-- What the journal has already recorded about the system: migrations, setting fingerprints.
CREATE TABLE audit_state (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
