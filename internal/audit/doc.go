// Package audit is sep's tamper-evident audit journal: every action — of citizens, operators,
// administrators, auditors, API clients and the system itself — is appended as an entry to one
// hash chain, and the chain's head is signed now and then with the instance key (GOST R
// 34.10-2012), so that nobody can quietly rewrite what happened.
//
// # What an entry stores
//
// Sequence number (1, 2, 3… without gaps), time (UTC, microseconds; never earlier than the
// entry before), actor kind (system, anonymous, citizen, operator, admin, auditor, api_client)
// and actor id, the organisation acted for, the action (a dotted code such as
// "application.submit"; its readable name is the catalog message "audit.action.<code>"), object
// type and id, the client's IP address and user agent, the outcome (success, failure, denied),
// details, the previous entry's hash and the entry's own hash.
//
// The IP address and user agent are kept because a journal must say who acted from where; they
// are personal data and are shown only to the actor, their organisation's admin and auditors.
// The user agent is cleaned (valid UTF-8, no control characters, at most 512 bytes).
//
// Everything else is an id or a code, and only shapes known to be safe are accepted — a list
// of the ways a phone, passport, СНИЛС or ИНН can be written would always miss one. Actor,
// organisation and object ids are
//
//   - a UUID in lower case ("0190a6e8-…", as db.NewID makes them);
//   - lower-case hex of 8, 16 or 64 digits (key ids and fingerprints: 16; hashes: 64);
//   - a code: lower-case letters, digits and _ . -, at most 64 characters, starting with a
//     letter or digit, with at least one letter, at most 3 digits in a row and 5 in all
//     ("cli", "app-12", "org-1", "10m", "v1.2"). Every number worth hiding has more digits —
//     a passport 4+6, СНИЛС 11, ИНН 10 or 12, a phone 10 or 11, a postcode 6, a date of birth
//     8 — so no spelling of one is a code, whatever its separators or prefix.
//
// except that objects of type "migration" take the four-digit version ("0050") and of type
// "setting" the environment variable ("SEP_MODE"). A detail value is an id as above, an
// RFC 3339 time in UTC ("2030-01-02T03:04:05Z"; a bare date is refused: that is how a date of
// birth is written), or a version of sep ("v1.2.3", "v2.0.0-rc.1+dirty", a Go pseudo-version).
// A number — and nothing else — goes under a detail whose name ends in _count or _seq
// ("resealed_count": "12"): at most 9 digits, no leading zero. Everything else is refused
// (ErrInvalidEntry; the message names the field, never the value); Token makes a code of a
// string that is not under sep's control. One residue, to know: a number of 8 or 16 digits (a date of
// birth written 19850412, a bank card, an ОМС policy) has the shape of a hex id, since a key
// id may be all digits; never journal one. At most 16 details,
// named by lower-case codes. Journal ids, never names, addresses or document numbers.
//
// # The chain
//
// hash(n) = Streebog-256(hash(n-1) ‖ encoding(n)), with hash(0) = 32 zero bytes. Hashes are
// stored and exported as 64 lower-case hex digits of the digest bytes in the order
// streebog.Sum256 returns them. encoding(n) is, byte for byte:
//
//	0x01                                   format version
//	uint64 seq                             big-endian
//	str(time)                              "2006-01-02T15:04:05.000000Z": UTC, always 6 fraction digits
//	str(actor_kind) str(actor_id) str(org_id) str(action) str(object_type) str(object_id)
//	str(ip) str(user_agent) str(outcome)   ip as netip prints it ("192.0.2.1", "2001:db8::1"), or empty
//	uint32 count                           number of details
//	str(key) str(value) …                  each detail, keys in ascending byte order
//
// where str(s) is uint32 big-endian byte length followed by the UTF-8 bytes. Absent fields are
// empty strings. The details column holds the same map as a JSON object, for reading; the hash
// covers the map, not the JSON text.
//
// # Appends and concurrency
//
// Append runs inside the caller's transaction, so an entry exists if and only if the action
// commits. It reads and locks the one-row table audit_head (seq, hash, time of the last entry):
// on PostgreSQL with SELECT … FOR UPDATE, which serialises appends from every instance on the
// database; on SQLite the write transaction (BEGIN IMMEDIATE) already excludes other writers.
// It then inserts the entry and moves the head. A rolled-back transaction takes its entry and
// the head's move with it, so sequence numbers stay gapless and the head always names the real
// last entry. The head lock is held until the caller's commit: append last in a transaction.
//
// Triggers refuse UPDATE, DELETE (and TRUNCATE on PostgreSQL) of entries, against mistakes;
// whoever owns the tables can drop them, which is what the chain and the checkpoints are for.
//
// # Checkpoints
//
// A checkpoint is the instance's signature over the head: number n (1, 2, 3…), the entry seq
// it covers, that entry's hash, the time, the signing key's id and the digest of checkpoint
// n-1 (zero for the first). The signed message is
//
//	0x01 str("sep-audit-checkpoint") uint64 n  uint64 seq  hash(32 bytes)  str(time)  str(key_id)  prev_digest(32 bytes)
//
// The signature is GOST R 34.10-2012 (s‖r, hex) over the Streebog digest of the message that
// fits the key (Streebog-256 for the 256-bit instance key on tc26-256-A); a checkpoint's digest,
// named by the next one, is Streebog-256 of the message. A job (kind "audit.checkpoint") makes
// one per time slot when the head has moved; sep also makes one when it shuts down, and `sep
// audit checkpoint` makes one on demand.
//
// # Anchors
//
// Every checkpoint is also written outside the database, to the sinks of SEP_AUDIT_ANCHORS
// (comma-separated): an absolute file path, refused inside SEP_DATA_DIR (opened O_APPEND, one
// line a checkpoint, fsynced); "syslog" (the local daemon, facility auth, tag sep-audit); an
// HTTP witness URL, which receives a POST of the checkpoint as JSON with an Idempotency-Key
// header (https in production unless on the loopback interface; loopback only in demo mode,
// where nothing leaves the machine). The line is
//
//	sep-audit-checkpoint v1 n=N seq=SEQ hash=HEX64 time=2006-01-02T15:04:05.000000Z key_id=HEX prev_digest=HEX64 signature=HEX
//
// the fields of the signed message, in the same text as `sep audit checkpoints` prints them;
// the JSON is {"n", "seq", "hash", "time", "key_id", "prev_digest", "signature"} with the
// same values (n and seq as numbers). Anchoring is durable: MakeCheckpoint enqueues a job
// (kind "audit.anchor") carrying the checkpoint in the transaction that stores it, so a
// checkpoint exists only with its anchoring queued; the job fans out into one job per sink,
// each retried with backoff for days, then dead-lettered for `sep jobs retry`. A checkpoint
// made by `sep audit checkpoint`, or at shutdown after the workers stopped, is anchored by the
// next instance to run jobs (at shutdown sep also tries at once). A job may run twice: a
// repeated line is harmless, and Verify takes anchors that agree as one.
//
// `sep audit verify -anchors FILE` reads anchor lines (anywhere in a line, so syslog's lines
// serve as they are; other lines are skipped), JSON objects one a line, or the JSON array of
// `sep audit checkpoints`. An anchor is believed only if signed by a trusted key, like a
// checkpoint; then the journal must reach the entry it records, have its hash there, and
// still hold that very checkpoint.
//
// # What Verify detects, and what it cannot
//
// Verify walks entries 1…head and the checkpoints in order and reports the first broken link:
//
//   - a changed entry (any field, including time and details): its hash no longer matches;
//   - a deleted entry: a gap in the sequence numbers;
//   - an entry deleted and the later ones renumbered: the next entry does not follow;
//   - an inserted entry, even with a correct hash: it and the next both follow the same entry;
//   - two neighbours swapped: reported as the wrong order;
//   - the tail cut off: the head names a later entry, or a checkpoint covers a missing entry;
//   - a changed entry with the whole tail re-hashed (no key is needed to re-hash): the first
//     checkpoint at or after it no longer matches — the change lies between the checkpoint
//     before and that one;
//   - a forged, altered or renumbered checkpoint: its signature fails or its key is not trusted;
//     a checkpoint removed from the middle: a gap in the numbers;
//
// and, given anchors:
//
//   - the tail cut off, the head moved back and the newest checkpoints deleted: an anchor
//     records an entry after the end ("anchor 17 records entry 58, but the journal ends at
//     entry 41");
//   - the entries under an anchor rewritten and re-hashed: the anchor no longer matches;
//   - the newest checkpoints deleted, or deleted and made again: the checkpoint an anchor
//     records is missing, or differs from it.
//
// Verify trusts only the public keys it is given (the instance key, and keys passed to
// `sep audit verify -trust`), never the keys recorded in the database.
//
// # Threat model
//
// Someone who can write to the database but holds neither the signing key nor the anchors
// (a database administrator, someone with the database's password or its files):
//
//   - cannot change, insert, delete or reorder an entry that a checkpoint covers without
//     Verify saying where, with or without anchors;
//   - can, without anchors, cut off or rewrite every entry after the last checkpoint they
//     leave standing, and delete the newest checkpoints so that this reaches back to any
//     earlier one: the database alone then looks intact;
//   - cannot, with anchors, hide any of that for the entries an anchor covers: Verify compares
//     the journal with what was written elsewhere before the change. What they can still do
//     is alter the entries after the last anchor (at most one checkpoint interval, 10 minutes
//     by default, plus the time the anchor job takes), delete queued anchor jobs before they
//     run (the next anchored checkpoint still covers those entries; deleting every one stops
//     the anchors, which `sep audit verify -anchors` shows as entries not covered by an
//     anchor — watch that the anchors keep coming), or write junk to the job table, which at worst adds
//     anchors Verify refuses as untrusted — loud, not silent. Fabricated entries appended
//     through the head are indistinguishable from real ones: the journal proves that
//     recorded history was not changed, not that every record is true.
//
// Someone who also holds the signing key can sign any history; anchors made before they had
// the key still contradict a rewrite of what those anchors cover, and nothing contradicts
// what they sign afterwards. Keep the key where the database's administrators cannot read it
// (SEP_SIGNING_KEY_FILE owned by sep's user, not in the database or its backups).
//
// Anchors are worth what their place is worth. A file on the database host, writable by
// sep's user, stops someone who reaches only the database; someone with sep's account or root
// on that host rewrites it with the database. So keep anchors under another account (a
// directory sep may append to but not replace files in, e.g. chattr +a, or a log shipper's
// spool), better on another host: syslog forwarded to a log server the administrators of
// sep do not administer, or a witness run by a third party (an auditor, another
// organisation). Verify against anchors fetched from there, not from the sep host.
package audit
