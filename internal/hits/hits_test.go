package hits

import (
	"testing"
	"time"
)

// Stored hits come back in order, without those before since or unreadable ones, and a
// written list reads back the same.
func TestParseAndFormat(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	raw := Format([]time.Time{t0.Add(3 * time.Second), t0.Add(time.Second), t0.Add(-time.Minute)}) + " garbage"
	got := Parse(raw, t0)
	if len(got) != 2 || !got[0].Equal(t0.Add(time.Second)) || !got[1].Equal(t0.Add(3*time.Second)) {
		t.Fatalf("Parse(%q) = %v", raw, got)
	}
	if again := Parse(Format(got), t0); len(again) != 2 || !again[0].Equal(got[0]) || !again[1].Equal(got[1]) {
		t.Fatalf("round trip: %v", again)
	}
	if Parse("", t0) != nil || Format(nil) != "" {
		t.Fatal("empty")
	}
}

// Stored hits are read whatever the row holds, in order, and survive a round trip.
func FuzzParse(f *testing.F) {
	f.Add("1700000000000 1690000000000 x -5")
	f.Add("")
	f.Fuzz(func(t *testing.T, raw string) {
		hits := Parse(raw, time.UnixMilli(0))
		for i := 1; i < len(hits); i++ {
			if hits[i].Before(hits[i-1]) {
				t.Fatalf("unordered: %v", hits)
			}
		}
		if got := Parse(Format(hits), time.UnixMilli(0)); len(got) != len(hits) {
			t.Fatalf("%v → %v", hits, got)
		}
	})
}
