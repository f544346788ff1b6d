package main

import (
	"testing"
	"time"
)

// The benchmark still runs, briefly: a change elsewhere must not leave its figure
// unreproducible.
func TestBenchmarkRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	if err := run(time.Second, 2, ""); err != nil {
		t.Fatal(err)
	}
}
