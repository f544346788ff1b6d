// Package seal keeps personal data sealed at rest: every name, phone number, e-mail address,
// document number and message text that sep stores is encrypted and authenticated with
// Kuznyechik-MGM (GOST R 34.12-2015, RFC 9058) before it reaches the database, and bound to
// the place it lives in. This is the one mechanism every store uses.
//
// # How a store uses it
//
// A store declares its personal data as a Table and takes its Columns from it:
//
//	var messages = seal.Table{Name: "notify_messages", Key: "id", Sealed: []string{"subject"}}
//	var subject = messages.Column("subject")
//
//	_, err := tx.ExecContext(ctx, `INSERT INTO notify_messages (id, subject) VALUES ($1, $2)`,
//		id, box.SealString(subject, id, text))
//	…
//	var s seal.Sealed
//	err = row.Scan(&s)
//	text, err := box.OpenString(subject, id, s)
//
// A sealed column is a nullable BLOB. The only value that goes into it is a Sealed, which only
// Box.Seal makes; a Sealed holds no plaintext and cannot be built from a string, so personal
// data cannot reach a sealed column in clear by accident, and reading plain text back from
// one fails with ErrNotSealed. The test TestEveryColumnIsClassified (internal/app) fails when a
// migration adds a text column that is neither declared sealed, nor a blind index, nor listed
// as not personal with a reason: a new column cannot be forgotten.
//
// # The sealed value
//
// Byte for byte (format version 1):
//
//	0x01          format version
//	key id        4 bytes, big-endian: the data key that sealed it (see KeyID)
//	place hint    4 bytes: CRC-32C of the place (below); diagnostics only, protects nothing
//	nonce         16 random bytes, the most significant bit cleared (MGM's nonce)
//	ciphertext    as long as the plaintext
//	tag           16 bytes
//
// The cipher is Kuznyechik in MGM (RFC 9058) with a 128-bit tag, keyed with a key derived
// from the data key for this purpose only. The associated data is the 25-byte header followed
// by the place: the table, column and row id, each as a 4-byte big-endian length and its
// bytes. So a value copied into another row or column, or with any header byte changed, does
// not open: Open fails with ErrMisplaced when the place hint names another place, else with
// ErrTampered. A value too short is ErrTruncated, an unknown version ErrVersion, a key the
// ring lacks ErrUnknownKey. Every failure is an *OpenError naming the column, row and key,
// never the content. A fresh 127-bit nonce per value makes a repeat impossible in practice
// (the birthday bound is 2^63 values per key).
//
// # Keys
//
// SEP_DATA_KEY_FILE holds the key ring: one data key per line, 64 hex digits (32 random
// bytes), and the word "current" after the key that seals new values; "#" starts a comment,
// blank lines are ignored. A file with a single key (as earlier versions of sep and `openssl
// rand -hex 32` write it) needs no "current". For example:
//
//	# СЭП data keys
//	6f1c…e9a0 # id 1a2b3c4d
//	03b7…5d21 current # id 9f8e7d6c
//
// A key's id is the first 4 bytes of Streebog-256("sep data key id" 0x00 ‖ key); ids are
// printed as 8 hex digits. From each data key sep derives one key per purpose with
// KDF_GOSTR3411_2012_256 (RFC 7836 §4.5; the purpose is the label): the sealing key, the
// blind-index key, the key of secret settings' fingerprints in the journal
// (PurposeFingerprint), the key of the notification rate-limit table (PurposeRateLimit).
// No two purposes share bytes, and none reveals the data key. In demo mode sep generates a
// one-key file in the data directory on first start.
//
// # Rotation
//
// `sep keys rotate-data-key` adds a new key to the file and makes it current; from then on
// every instance seals with it (each reloads the file within seconds of a change, and at
// once when it meets a value sealed with a key it does not know). A durable job re-seals
// every declared column and recomputes every blind index under the new key, in batches, from
// a cursor kept in the database, so it resumes after a crash or restart; the job queue lets one
// instance run it at a time. It ends with a pass that counts what is still sealed with any
// other key and goes round again if an instance that had not yet reloaded wrote with the old
// one. `sep keys status` shows how many values each key seals and the job's progress; `sep
// keys remove-data-key ID` takes a key out of the file only when nothing uses it.
//
// # Blind indexes, and what they leak
//
// A sealed value cannot be searched. For exact-match lookups (sign-in by phone, duplicate
// checks, the outbox filter) a store keeps a blind index beside the sealed value: the key id
// (4 bytes) and the first 16 bytes of HMAC-Streebog-256, under the blind-index key, of the
// purpose, a zero byte and the value normalised by package ruid (so "8 (912) 345-67-89" and
// "+79123456789" give one index). During a rotation a value may be indexed under the old or
// the new key, so lookups ask for every key's index (Box.Candidates).
//
// What a blind index leaks: equality. Someone who reads the database learns which rows hold
// the same value (two deliveries to one phone) and how often a value occurs, but not the
// value: without the key, a digest cannot be computed for a guess, so even a value from a small
// set (a phone number has about 10^10 spellings once normalised) cannot be tested. Someone
// who holds the data key can test guesses, which is why the key file must live apart from the
// database and its backups. Different purposes and different keys give unrelated digests, so
// indexes cannot be matched across columns or across a rotation.
package seal
