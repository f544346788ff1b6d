package audit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

// attacker is someone with write access to the database (but not the instance key): the
// append-only triggers are the first thing they drop.
type attacker struct {
	t *testing.T
	d *db.DB
}

func newAttacker(t *testing.T, d *db.DB) *attacker {
	a := &attacker{t, d}
	if d.Dialect() == db.Postgres {
		a.exec(`DROP TRIGGER audit_entries_no_change ON audit_entries`)
		a.exec(`DROP TRIGGER audit_entries_no_truncate ON audit_entries`)
	} else {
		a.exec(`DROP TRIGGER audit_entries_no_update`)
		a.exec(`DROP TRIGGER audit_entries_no_delete`)
	}
	return a
}

func (a *attacker) exec(q string, args ...any) {
	a.t.Helper()
	if _, err := a.d.Writer().Exec(q, args...); err != nil {
		a.t.Fatalf("%s: %v", q, err)
	}
}

func (a *attacker) entries(j *Journal) []Entry {
	a.t.Helper()
	var out []Entry
	if err := j.Scan(context.Background(), Filter{}, func(e *Entry) error { out = append(out, *e); return nil }); err != nil {
		a.t.Fatal(err)
	}
	return out
}

// put writes e as the row with its sequence number, replacing any row there.
func (a *attacker) put(e Entry) {
	a.t.Helper()
	details, _ := json.Marshal(e.Details)
	if e.Details == nil {
		details = []byte("{}")
	}
	a.exec(`DELETE FROM audit_entries WHERE seq = $1`, e.Seq)
	a.exec(`INSERT INTO audit_entries (seq, at, actor_kind, actor_id, org_id, action, object_type, object_id, ip, user_agent,
		outcome, details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		e.Seq, e.At, string(e.ActorKind), e.ActorID, e.OrgID, e.Action, e.ObjectType, e.ObjectID, e.IP, e.UserAgent,
		string(e.Outcome), string(details), e.PrevHash.String(), e.Hash.String())
}

// rehash recomputes the chain from entry `from` to the end, as anyone can without a key, and
// moves the head to match.
func (a *attacker) rehash(j *Journal, from int64) {
	a.t.Helper()
	all := a.entries(j)
	var prev Hash
	for _, e := range all {
		if e.Seq >= from {
			e.PrevHash = prev
			e.Hash = e.ComputeHash()
			a.put(e)
		}
		prev = e.Hash
	}
	last := all[len(all)-1]
	a.exec(`UPDATE audit_head SET seq = $1, hash = $2`, last.Seq, prev.String())
}

// shift renumbers entries from seq on by delta (via a detour so the primary key never clashes).
func (a *attacker) shift(from, delta int64) {
	a.exec(`UPDATE audit_entries SET seq = seq + 1000000 WHERE seq >= $1`, from)
	a.exec(`UPDATE audit_entries SET seq = seq - 1000000 + $1 WHERE seq >= 1000000`, delta)
}

// journalWithCheckpoints appends n entries and makes a checkpoint after each entry listed.
func journalWithCheckpoints(t *testing.T, d *db.DB, n int, checkpointsAt ...int) *Journal {
	t.Helper()
	j := newJournal(t, d)
	for i := 1; i <= n; i++ {
		appendN(t, j, 1)
		for _, c := range checkpointsAt {
			if c == i {
				if _, made, err := j.MakeCheckpoint(context.Background()); err != nil || !made {
					t.Fatalf("checkpoint after %d: made %v, %v", i, made, err)
				}
			}
		}
	}
	wantIntact(t, j, int64(n))
	return j
}

func wantProblem(t *testing.T, j *Journal, kind ProblemKind, seq, checkpoint int64, detail string) {
	t.Helper()
	rep := mustVerify(t, j)
	p := rep.Problem
	if p == nil {
		t.Fatalf("tampering not detected; want %s at entry %d", kind, seq)
	}
	if p.Kind != kind || p.Seq != seq || p.Checkpoint != checkpoint || !strings.Contains(p.Detail, detail) {
		t.Fatalf("reported %s at entry %d, checkpoint %d: %q\nwant %s at entry %d, checkpoint %d: %q",
			p.Kind, p.Seq, p.Checkpoint, p.Detail, kind, seq, checkpoint, detail)
	}
}

func TestTamperingIsDetectedWhereItHappened(t *testing.T) {
	cases := []struct {
		name       string
		tamper     func(a *attacker, j *Journal)
		kind       ProblemKind
		seq, cp    int64
		detail     string
		checkpoint []int
	}{
		{name: "a field changed",
			tamper: func(a *attacker, j *Journal) { a.exec(`UPDATE audit_entries SET object_id = 'app-999' WHERE seq = 4`) },
			kind:   EntryChanged, seq: 4, detail: "entry 4 was changed"},
		{name: "a detail changed",
			tamper: func(a *attacker, j *Journal) {
				a.exec(`UPDATE audit_entries SET details = '{"attempt_count":"9","service":"passport"}' WHERE seq = 6`)
			},
			kind: EntryChanged, seq: 6, detail: "entry 6 was changed"},
		{name: "the time changed",
			tamper: func(a *attacker, j *Journal) {
				e := a.entries(j)[2]
				e.At = e.At.Add(-24 * 3600e9)
				a.put(e)
			},
			kind: EntryChanged, seq: 3, detail: "entry 3 was changed"},
		{name: "details made unreadable",
			tamper: func(a *attacker, j *Journal) { a.exec(`UPDATE audit_entries SET details = 'oops' WHERE seq = 2`) },
			kind:   EntryChanged, seq: 2, detail: "entry 2 was changed"},
		{name: "an entry deleted",
			tamper: func(a *attacker, j *Journal) { a.exec(`DELETE FROM audit_entries WHERE seq = 4`) },
			kind:   EntryMissing, seq: 4, detail: "entry 4 is missing"},
		{name: "two entries deleted",
			tamper: func(a *attacker, j *Journal) { a.exec(`DELETE FROM audit_entries WHERE seq IN (4, 5)`) },
			kind:   EntryMissing, seq: 4, detail: "entries 4–5 are missing"},
		{name: "an entry deleted and the rest renumbered",
			tamper: func(a *attacker, j *Journal) {
				a.exec(`DELETE FROM audit_entries WHERE seq = 4`)
				a.shift(5, -1)
			},
			kind: EntryUnlinked, seq: 4, detail: "entry 4 does not follow entry 3"},
		{name: "an entry inserted",
			tamper: func(a *attacker, j *Journal) {
				all := a.entries(j)
				a.shift(4, +1)
				fake := citizenEntry(100)
				fake.Seq, fake.At, fake.PrevHash = 4, all[2].At, all[2].Hash
				fake.Hash = fake.ComputeHash()
				a.put(fake)
			},
			kind: EntryInserted, seq: 4, detail: "entry 4 was inserted"},
		{name: "two entries swapped",
			tamper: func(a *attacker, j *Journal) {
				all := a.entries(j)
				e4, e5 := all[3], all[4]
				e4.Seq, e5.Seq = 5, 4
				a.put(e4)
				a.put(e5)
			},
			kind: EntriesReordered, seq: 4, detail: "entries 4 and 5 are in the wrong order"},
		{name: "the tail cut off",
			tamper: func(a *attacker, j *Journal) { a.exec(`DELETE FROM audit_entries WHERE seq > 7`) },
			kind:   Truncated, seq: 8, detail: "entries 8–10 are missing"},
		{name: "the tail cut off and the head moved back, under a checkpoint",
			tamper: func(a *attacker, j *Journal) {
				a.exec(`DELETE FROM audit_entries WHERE seq > 7`)
				a.exec(`UPDATE audit_head SET seq = 7, hash = (SELECT hash FROM audit_entries WHERE seq = 7)`)
			},
			checkpoint: []int{5, 9},
			kind:       Truncated, seq: 8, cp: 2, detail: "checkpoint 2 covers entry 9, but the journal ends at entry 7"},
		{name: "a changed entry re-hashed, head left alone",
			tamper: func(a *attacker, j *Journal) {
				a.exec(`UPDATE audit_entries SET object_id = 'app-999' WHERE seq = 8`)
				head := a.entries(j)[9].Hash
				a.rehash(j, 8)
				a.exec(`UPDATE audit_head SET hash = $1`, head.String())
			},
			kind: HeadMismatch, seq: 10, detail: "the journal's tail was rewritten"},
		{name: "a changed entry and the whole tail re-hashed without the key",
			tamper: func(a *attacker, j *Journal) {
				a.exec(`UPDATE audit_entries SET actor_id = 'user-2' WHERE seq = 4`)
				a.rehash(j, 4)
			},
			checkpoint: []int{2, 6, 9},
			kind:       CheckpointMismatch, seq: 6, cp: 2, detail: "checkpoint 2 does not match entry 6: entries 3–6 were rewritten"},
		{name: "a checkpoint forged to match a re-hashed tail",
			tamper: func(a *attacker, j *Journal) {
				a.exec(`UPDATE audit_entries SET actor_id = 'user-2' WHERE seq = 4`)
				a.rehash(j, 4)
				a.exec(`UPDATE audit_checkpoints SET hash = (SELECT hash FROM audit_entries WHERE seq = 6) WHERE n = 2`)
			},
			checkpoint: []int{2, 6},
			kind:       CheckpointSignature, seq: 6, cp: 2, detail: "checkpoint 2 signature is invalid"},
		{name: "a checkpoint signed with the attacker's own key",
			tamper: func(a *attacker, j *Journal) {
				c, _ := gost3410.CurveByName("tc26-256-A")
				mine, _ := gost3410.GenerateKey(c, rand.Reader)
				forger, _ := New(a.d, Options{SigningKey: mine})
				appendN(a.t, forger, 1)
				forger.MakeCheckpoint(context.Background())
			},
			checkpoint: []int{5},
			kind:       CheckpointUntrusted, seq: 11, cp: 2, detail: "checkpoint 2 is signed by key"},
		{name: "a checkpoint removed from the middle",
			tamper:     func(a *attacker, j *Journal) { a.exec(`DELETE FROM audit_checkpoints WHERE n = 2`) },
			checkpoint: []int{3, 6, 9},
			kind:       CheckpointMissing, seq: 9, cp: 2, detail: "checkpoint 2 is missing"},
		{name: "checkpoints renumbered after one was removed",
			tamper: func(a *attacker, j *Journal) {
				a.exec(`DELETE FROM audit_checkpoints WHERE n = 2`)
				a.exec(`UPDATE audit_checkpoints SET n = 2 WHERE n = 3`)
			},
			checkpoint: []int{3, 6, 9},
			kind:       CheckpointSignature, seq: 9, cp: 2, detail: "checkpoint 2 signature is invalid"},
		{name: "the head's hash garbled",
			tamper: func(a *attacker, j *Journal) { a.exec(`UPDATE audit_head SET hash = 'nonsense'`) },
			kind:   HeadMismatch, seq: 10, detail: "the head's hash was changed"},
		{name: "a checkpoint's signature damaged",
			tamper:     func(a *attacker, j *Journal) { a.exec(`UPDATE audit_checkpoints SET signature = 'zz' WHERE n = 1`) },
			checkpoint: []int{3},
			kind:       CheckpointSignature, seq: 3, cp: 1, detail: "checkpoint 1 was changed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dbtest.Run(t, func(t *testing.T, d *db.DB) {
				j := journalWithCheckpoints(t, d, 10, c.checkpoint...)
				c.tamper(newAttacker(t, d), j)
				wantProblem(t, j, c.kind, c.seq, c.cp, c.detail)
			})
		})
	}
}

// TestWhatCheckpointsCannotCatch pins down the documented limit: someone with write access
// and no key can rewrite or cut the entries after the last checkpoint without a trace in the
// database alone. Anchors are the answer (TestAnchorsExposeWhatTheDatabaseHides, and the package doc).
func TestWhatCheckpointsCannotCatch(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		j := journalWithCheckpoints(t, d, 10, 6)
		a := newAttacker(t, d)
		a.exec(`UPDATE audit_entries SET object_id = 'app-999' WHERE seq = 8`)
		a.rehash(j, 8)
		a.exec(`DELETE FROM audit_entries WHERE seq = 10`)
		a.exec(`UPDATE audit_head SET seq = 9, hash = (SELECT hash FROM audit_entries WHERE seq = 9)`)
		rep := mustVerify(t, j)
		if !rep.Intact() || rep.LastCheckpoint != 6 || rep.Head != 9 {
			t.Fatalf("report %+v: the limit moved; update the package documentation", rep)
		}
	})
}

func TestAppendOnlyTriggersRefuseChanges(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		j := newJournal(t, d)
		appendN(t, j, 2)
		for _, q := range []string{`UPDATE audit_entries SET actor_id = 'x' WHERE seq = 1`, `DELETE FROM audit_entries WHERE seq = 2`} {
			if _, err := d.Writer().Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want refusal", q, err)
			}
		}
		if d.Dialect() == db.Postgres {
			if _, err := d.Writer().Exec(`TRUNCATE audit_entries`); err == nil {
				t.Error("TRUNCATE was allowed")
			}
		}
		wantIntact(t, j, 2)
	})
}

func TestVerifyNeedsTheKeyToTrustCheckpoints(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		j := journalWithCheckpoints(t, d, 3, 3)
		rep, err := j.Verify(context.Background(), VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Problem == nil || rep.Problem.Kind != CheckpointUntrusted {
			t.Fatalf("without trusted keys: %+v", rep.Problem)
		}
	})
}

// TestCheckpointSignatureIsStandard checks a stored checkpoint with nothing but the documented
// message layout and the GOST packages, as an outside auditor would.
func TestCheckpointSignatureIsStandard(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		j := journalWithCheckpoints(t, d, 4, 2, 4)
		cps, err := j.Checkpoints(context.Background())
		if err != nil || len(cps) != 2 {
			t.Fatalf("%d checkpoints, %v", len(cps), err)
		}
		// 0x01 str("sep-audit-checkpoint") uint64 n  uint64 seq  hash  str(time)  str(key_id)  prev_digest
		message := func(row int) []byte {
			var (
				n, seq            int64
				hash, keyID, prev string
			)
			if err := d.Reader().QueryRow(`SELECT n, seq, hash, key_id, prev_digest FROM audit_checkpoints WHERE n = $1`,
				row).Scan(&n, &seq, &hash, &keyID, &prev); err != nil {
				t.Fatal(err)
			}
			at := cps[row-1].At.UTC().Format("2006-01-02T15:04:05.000000Z") // as the column reads back
			str := func(b []byte, s string) []byte { return append(binary.BigEndian.AppendUint32(b, uint32(len(s))), s...) }
			unhex := func(s string) []byte {
				b, err := hex.DecodeString(s)
				if err != nil || len(b) != 32 {
					t.Fatalf("checkpoint %d: %q is not 32 bytes in hex", row, s)
				}
				return b
			}
			b := str([]byte{1}, "sep-audit-checkpoint")
			b = binary.BigEndian.AppendUint64(b, uint64(n))
			b = binary.BigEndian.AppendUint64(b, uint64(seq))
			b = append(b, unhex(hash)...)
			b = str(str(b, at), keyID)
			return append(b, unhex(prev)...)
		}
		first, second := message(1), message(2)
		if !bytes.Equal(second, cps[1].Message()) {
			t.Fatalf("message layout differs from the documentation:\n got %x\nwant %x", cps[1].Message(), second)
		}
		if sum := streebog.Sum256(first); !bytes.HasSuffix(second, sum[:]) {
			t.Fatal("checkpoint 2 does not name Streebog-256 of checkpoint 1's message")
		}
		var sig string
		if err := d.Reader().QueryRow(`SELECT signature FROM audit_checkpoints WHERE n = 2`).Scan(&sig); err != nil {
			t.Fatal(err)
		}
		s, _ := hex.DecodeString(sig)
		digest := streebog.Sum256(second) // tc26-256-A keys sign Streebog-256
		if !gost3410.VerifyDigest(testKey.PublicKey(), digest[:], s) {
			t.Fatal("the stored signature does not verify over the documented message")
		}
		if _, made, _ := j.MakeCheckpoint(context.Background()); made {
			t.Fatal("a checkpoint was made although the head has not moved")
		}
	})
}
