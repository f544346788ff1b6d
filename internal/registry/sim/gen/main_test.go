package main

import (
	"bytes"
	"os"
	"testing"
)

// The committed data file is exactly what `go generate` writes: nobody edits
// it by hand, and a change to the generator (or to ruid's generators) shows
// up here until the file is regenerated.
func TestDataFileIsGenerated(t *testing.T) {
	want, err := generate(defaultSeed, defaultPeople, defaultLegal)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../data.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("internal/registry/sim/data.json differs from the generator's output: run go generate ./internal/registry/sim")
	}
}
