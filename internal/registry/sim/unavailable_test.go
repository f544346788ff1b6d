package sim

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/registry"
)

func TestFailNext(t *testing.T) {
	s := newSim(t, Options{})
	p := person(t, "basic")
	s.FailNext(2)
	for i := 0; i < 2; i++ {
		_, err := s.CheckSNILS(context.Background(), registry.SNILSQuery{SNILS: p.SNILS, Person: personOf(p)})
		if !errors.Is(err, registry.ErrUnavailable) {
			t.Fatalf("call %d: %v, want ErrUnavailable", i+1, err)
		}
	}
	a, err := s.CheckSNILS(context.Background(), registry.SNILSQuery{SNILS: p.SNILS, Person: personOf(p)})
	want(t, a, err, registry.Confirmed, "")
	if s.Calls() != 3 {
		t.Fatalf("%d calls counted, want 3", s.Calls())
	}
}

func TestFailureRate(t *testing.T) {
	p := person(t, "basic")
	q := registry.SNILSQuery{SNILS: p.SNILS, Person: personOf(p)}
	count := func(rate float64) int {
		s := newSim(t, Options{FailureRate: rate})
		failed := 0
		for i := 0; i < 1000; i++ {
			if _, err := s.CheckSNILS(context.Background(), q); errors.Is(err, registry.ErrUnavailable) {
				failed++
			} else if err != nil {
				t.Fatal(err)
			}
		}
		return failed
	}
	if n := count(0); n != 0 {
		t.Fatalf("rate 0: %d failures", n)
	}
	if n := count(1); n != 1000 {
		t.Fatalf("rate 1: %d failures of 1000", n)
	}
	if n := count(0.2); n < 150 || n > 250 {
		t.Fatalf("rate 0.2: %d failures of 1000", n)
	}
}

func TestOutageWindows(t *testing.T) {
	p := person(t, "basic")
	q := registry.SNILSQuery{SNILS: p.SNILS, Person: personOf(p)}
	windows := []Window{{From: 2 * time.Hour, To: 2*time.Hour + 30*time.Minute}, {From: 23*time.Hour + 50*time.Minute, To: 10 * time.Minute}}
	for _, c := range []struct {
		msk  string
		down bool
	}{
		{"01:59", false}, {"02:00", true}, {"02:29", true}, {"02:30", false},
		{"23:49", false}, {"23:50", true}, {"00:05", true}, {"00:10", false}, {"12:00", false},
	} {
		at, _ := time.ParseInLocation("2006-01-02 15:04", "2026-03-02 "+c.msk, moscow)
		s := newSim(t, Options{Outages: windows, Now: func() time.Time { return at.UTC() }})
		_, err := s.CheckSNILS(context.Background(), q)
		if down := errors.Is(err, registry.ErrUnavailable); down != c.down {
			t.Fatalf("at %s MSK: unavailable %v, want %v (%v)", c.msk, down, c.down, err)
		}
	}
}

func TestLatencyAndTimeout(t *testing.T) {
	p := person(t, "basic")
	q := registry.SNILSQuery{SNILS: p.SNILS, Person: personOf(p)}
	s := newSim(t, Options{LatencyMin: 20 * time.Millisecond, LatencyMax: 40 * time.Millisecond})
	start := time.Now()
	a, err := s.CheckSNILS(context.Background(), q)
	want(t, a, err, registry.Confirmed, "")
	if took := time.Since(start); took < 20*time.Millisecond {
		t.Fatalf("answered in %v, the latency is at least 20ms", took)
	}
	// A caller that gives up first gets its context's error.
	slow := newSim(t, Options{LatencyMin: time.Minute, LatencyMax: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := slow.CheckSNILS(ctx, q); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a one-minute answer with a 10ms deadline: %v", err)
	}
}
