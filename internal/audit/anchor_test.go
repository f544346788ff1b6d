package audit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

// anchored is a journal of 20 entries with checkpoints after entries 5, 10, 15 and 20, each
// written by a file sink outside the data directory, as the anchor job writes it; it returns
// the anchors as an operator reads them back.
func anchored(t *testing.T, d *db.DB) (*Journal, []Checkpoint) {
	t.Helper()
	j := journalWithCheckpoints(t, d, 20, 5, 10, 15, 20)
	dir := t.TempDir()
	sinks, err := OpenSinks([]string{filepath.Join(dir, "anchors.log")}, SinkOptions{DataDir: filepath.Join(dir, "data")})
	if err != nil {
		t.Fatal(err)
	}
	cps, err := j.Checkpoints(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i := range cps {
		if err := sinks[0].Write(context.Background(), &cps[i]); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(filepath.Join(dir, "anchors.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	anchors, err := ReadAnchors(f)
	if err != nil || len(anchors) != 4 {
		t.Fatalf("read %d anchors, %v", len(anchors), err)
	}
	return j, anchors
}

func verifyWith(t *testing.T, j *Journal, anchors []Checkpoint) *Report {
	t.Helper()
	rep, err := j.Verify(context.Background(), VerifyOptions{Trusted: []*gost3410.PublicKey{testKey.PublicKey()}, Anchors: anchors})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestAnchorsExposeWhatTheDatabaseHides: each attack leaves a journal that verifies intact on
// its own, and is reported broken, precisely, against the anchors.
func TestAnchorsExposeWhatTheDatabaseHides(t *testing.T) {
	cases := []struct {
		name    string
		tamper  func(a *attacker, j *Journal)
		kind    ProblemKind
		seq, cp int64
		detail  string
	}{
		{name: "the tail cut, the head moved back and the newest checkpoints deleted",
			tamper: func(a *attacker, j *Journal) {
				a.exec(`DELETE FROM audit_entries WHERE seq > 12`)
				a.exec(`UPDATE audit_head SET seq = 12, hash = (SELECT hash FROM audit_entries WHERE seq = 12)`)
				a.exec(`DELETE FROM audit_checkpoints WHERE n > 2`)
			},
			kind: Truncated, seq: 13, cp: 4,
			detail: "anchor 4 records entry 20, but the journal ends at entry 12: entries were removed from the end"},
		{name: "the newest checkpoints deleted",
			tamper: func(a *attacker, j *Journal) { a.exec(`DELETE FROM audit_checkpoints WHERE n > 2`) },
			kind:   CheckpointMissing, seq: 15, cp: 3, detail: "checkpoint 3 is missing: anchor 3 records it, covering entry 15"},
		{name: "the tail re-hashed after the last checkpoint left",
			tamper: func(a *attacker, j *Journal) {
				a.exec(`UPDATE audit_entries SET actor_id = 'user-2' WHERE seq = 14`)
				a.rehash(j, 14)
				a.exec(`DELETE FROM audit_checkpoints WHERE n > 2`)
			},
			kind: AnchorMismatch, seq: 15, cp: 3, detail: "anchor 3 does not match entry 15: entries 11–15 were rewritten"},
		{name: "the tail cut and the checkpoints made again",
			tamper: func(a *attacker, j *Journal) {
				a.exec(`DELETE FROM audit_entries WHERE seq > 12`)
				a.exec(`UPDATE audit_head SET seq = 12, hash = (SELECT hash FROM audit_entries WHERE seq = 12)`)
				a.exec(`DELETE FROM audit_checkpoints WHERE n > 2`)
				appendN(a.t, j, 8) // sep goes on; its next checkpoint is number 3 again
				if _, made, err := j.MakeCheckpoint(context.Background()); err != nil || !made {
					a.t.Fatalf("checkpoint: %v %v", made, err)
				}
			},
			kind: AnchorMismatch, seq: 15, cp: 3, detail: "anchor 3 does not match entry 15: entries 11–15 were rewritten"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dbtest.Run(t, func(t *testing.T, d *db.DB) {
				j, anchors := anchored(t, d)
				if rep := verifyWith(t, j, anchors); !rep.Intact() || rep.Anchors != 4 || rep.LastAnchor != 20 {
					t.Fatalf("before the attack: %+v %v", rep, rep.Problem)
				}
				c.tamper(newAttacker(t, d), j)
				if rep := mustVerify(t, j); !rep.Intact() {
					t.Fatalf("the database alone shows the attack (%v): the anchors are not needed for it", rep.Problem)
				}
				p := verifyWith(t, j, anchors).Problem
				if p == nil {
					t.Fatal("not detected with the anchors")
				}
				if p.Kind != c.kind || p.Seq != c.seq || p.Checkpoint != c.cp || p.Detail != c.detail {
					t.Fatalf("reported %s at entry %d, anchor %d: %q\nwant %s at entry %d, anchor %d: %q",
						p.Kind, p.Seq, p.Checkpoint, p.Detail, c.kind, c.seq, c.cp, c.detail)
				}
			})
		})
	}
}

// TestAnchorsAreBelievedOnlyIfSigned: an anchor forged with another key, or altered, is a
// problem, not evidence; duplicates that agree are one anchor.
func TestAnchorsAreBelievedOnlyIfSigned(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		j, anchors := anchored(t, d)
		if rep := verifyWith(t, j, append(anchors, anchors...)); !rep.Intact() || rep.Anchors != 4 {
			t.Fatalf("duplicated anchors: %+v %v", rep, rep.Problem)
		}
		altered := anchors[3]
		altered.Seq = 40
		if p := verifyWith(t, j, append(anchors, altered)).Problem; p == nil || p.Kind != AnchorSignature || p.Checkpoint != 4 {
			t.Fatalf("altered anchor: %v", p)
		}
		c, _ := gost3410.CurveByName("tc26-256-A")
		mine, _ := gost3410.GenerateKey(c, rand.Reader)
		forger, _ := New(d, Options{SigningKey: mine})
		appendN(t, forger, 1)
		fake, _, err := forger.MakeCheckpoint(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if p := verifyWith(t, j, []Checkpoint{*fake}).Problem; p == nil || p.Kind != AnchorUntrusted ||
			!strings.Contains(p.Detail, "anchor 5 is signed by key "+fake.KeyID+", which is not trusted") {
			t.Fatalf("forged anchor: %v", p)
		}
	})
}

// TestReadAnchorsTakesWhatOperatorsCollect: the file sink's lines, syslog's lines around them,
// a witness's JSON lines and the JSON of `sep audit checkpoints` all read back the same.
func TestReadAnchorsTakesWhatOperatorsCollect(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		j := journalWithCheckpoints(t, d, 4, 2, 4)
		cps, _ := j.Checkpoints(context.Background())
		line := func(i int) string { b, _ := cps[i].MarshalText(); return string(b) }
		js := func(i int) string { b, _ := json.Marshal(cps[i]); return string(b) }
		array, _ := json.MarshalIndent(cps, "", "  ")
		for name, text := range map[string]string{
			"file":    line(0) + "\n" + line(1) + "\n",
			"syslog":  "Mar  1 12:00:00 host sep-audit[42]: " + line(0) + "\nMar  1 12:00:01 host cron[7]: other\n<37>1 2030-03-01T12:10:00Z host sep-audit - - - " + line(1) + "\n",
			"witness": js(0) + "\n\n" + js(1) + "\n",
			"array":   "\n" + string(array),
		} {
			got, err := ReadAnchors(strings.NewReader(text))
			if err != nil || len(got) != 2 {
				t.Fatalf("%s: %d anchors, %v", name, len(got), err)
			}
			for i := range got {
				if got[i].Digest() != cps[i].Digest() || !bytes.Equal(got[i].Signature, cps[i].Signature) {
					t.Fatalf("%s: anchor %d reads back as %+v, want %+v", name, i+1, got[i], cps[i])
				}
			}
		}
		broken := strings.Replace(line(1), "seq=4", "seq=four", 1)
		for text, want := range map[string]string{
			line(0) + "\n" + broken + "\n":          "line 2: seq is not an entry number",
			"nothing here\n":                        "no anchors",
			strings.Replace(line(0), "v1", "v2", 1): "line 1: unknown anchor version",
			`{"n":1,"seq":2,"extra":1}`:             "line 1: json: unknown field",
		} {
			if _, err := ReadAnchors(strings.NewReader(text)); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%q: %v, want %q", text, err, want)
			}
		}
	})
}
