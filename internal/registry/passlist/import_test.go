package passlist

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

// A new list of fewer than half the entries of the current one is more likely a wrong or cut
// file than the МВД's list: it replaces the current list only when the caller says so.
func TestImportRefusesAListLessThanHalfTheCurrent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		l := New(d, Options{})
		keys, _ := disjointKeys(1000, 9)
		steps := []struct {
			name        string
			entries     int
			allowShrink bool
			current     int64 // the current list's entries before the step
			refused     bool
		}{
			{"the first list", 1000, false, 0, false},
			{"one entry", 1, false, 1000, true},
			{"just below half", 499, false, 1000, true},
			{"half", 500, false, 1000, false},
			{"growing", 900, false, 500, false},
			{"one entry, allowed", 1, true, 900, false},
		}
		for _, s := range steps {
			rep, err := l.Import(context.Background(), bytes.NewReader(listFile(keys[:s.entries])),
				ImportOptions{Source: s.name, AllowShrink: s.allowShrink})
			var se *ShrinkError
			switch {
			case s.refused && (!errors.As(err, &se) || se.Entries != int64(s.entries) || se.Current != s.current):
				t.Fatalf("%s: %v, want a ShrinkError for %d entries against %d", s.name, err, s.entries, s.current)
			case !s.refused && err != nil:
				t.Fatalf("%s: %v", s.name, err)
			case !s.refused && rep.Entries != int64(s.entries):
				t.Fatalf("%s: %d entries imported", s.name, rep.Entries)
			}
			want := int64(s.entries)
			if s.refused {
				want = s.current
			}
			if st, err := l.Status(context.Background()); err != nil || st.Entries != want {
				t.Fatalf("%s: then the list has %d entries (%v), want %d", s.name, st.Entries, err, want)
			}
			if s.refused { // and every instance keeps it
				other := New(d, Options{})
				if err := other.Refresh(context.Background()); err != nil {
					t.Fatal(err)
				}
				holds(t, other, keys[:s.current], nil)
			}
		}
	})
}
