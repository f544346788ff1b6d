package main

import (
	"strings"
	"testing"
	"time"
)

// The benchmark still runs, briefly and on SQLite only: a change elsewhere must not leave
// its figures unreproducible.
func TestBenchmarkRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	var out strings.Builder
	if err := run(&out, options{duration: 300 * time.Millisecond, warmup: 100 * time.Millisecond, clients: 4,
		path: "/id/account", postgres: "off"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "SQLite") || strings.Contains(out.String(), "PostgreSQL") {
		t.Fatalf("the table:\n%s", out.String())
	}
	t.Log("\n" + out.String())
}
