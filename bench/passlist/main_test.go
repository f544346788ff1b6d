package main

import "testing"

// The benchmark still runs, on a small list: a change elsewhere must not leave its figures
// unreproducible.
func TestBenchmarkRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	if err := run(20_000, "", 10_000); err != nil {
		t.Fatal(err)
	}
}
