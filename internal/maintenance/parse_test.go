package maintenance

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	want := time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)
	for _, s := range []string{"2026-12-05T01:00+03:00", "2026-12-05T01:00:00+03:00", "2026-12-04T22:00Z",
		"2026-12-04T22:00:00Z", "2026-12-04T17:00-05:00", "2026-12-05T01:00", "2026-12-05 01:00", " 2026-12-05 01:00:00 "} {
		got, err := ParseTime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: %v %v, want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "tomorrow", "2026-12-05", "05.12.2026 01:00", "2026-12-05T25:00+03:00", "2026-12-05T01:00+3"} {
		if got, err := ParseTime(s); err == nil {
			t.Errorf("%q was accepted as %v", s, got)
		}
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-12-05T01:00+03:00", "2026-12-05 01:00", "2026-12-04T22:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime(s)
		if err != nil {
			return
		}
		// Whatever is accepted reads back the same when written with its offset.
		again, err := ParseTime(got.Format(time.RFC3339Nano))
		if err != nil || !again.Equal(got) {
			t.Fatalf("%q → %v does not read back: %v %v", s, got, again, err)
		}
	})
}
