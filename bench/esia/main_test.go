package main

import (
	"bytes"
	"strings"
	"testing"
)

// The benchmark runs end to end on a few codes and sign-ins (the figures themselves are for a
// quiet machine).
func TestRuns(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, 20, 2, 1); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"code exchanges", "0 failed", "cabinet sign-in"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("the output lacks %q:\n%s", want, out.String())
		}
	}
}
