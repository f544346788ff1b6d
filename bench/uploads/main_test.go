package main

import (
	"io"
	"testing"
)

// The benchmark still runs, on a few small uploads: a change elsewhere must not leave its
// figures unreproducible.
func TestBenchmarkRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	if err := run(4, 256<<10, "", io.Discard); err != nil {
		t.Fatal(err)
	}
}
