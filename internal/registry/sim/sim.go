// Package sim is a built-in simulator of the state registries — МВД
// (passports), СФР (СНИЛС), ФНС (ИНН, ЕГРЮЛ/ЕГРИП) — for demo mode and tests.
// It answers from an embedded data file of fictitious people and
// organisations (data.json, written by ./gen) the way the real services do:
//
//   - identifiers are compared as digits, names case- and ё-insensitively
//     (Алёна = АЛЕНА), with runs of spaces and every kind of dash folded;
//   - a record that does not exist is NotFound; one that exists but is not
//     valid — a passport replaced, declared lost or expired by the holder's
//     age, a person who has died, an organisation liquidated — is Invalid
//     with the reason, whatever the other fields say;
//   - otherwise the fields given are compared in order (last name, first
//     name, patronymic, birth date, then the document's own dates and codes)
//     and the first that differs is the Mismatch field. The registry's value
//     is never revealed.
//
// Like the real services it is slow and sometimes down: every call waits a
// latency drawn uniformly from Options.Latency, and fails with
// registry.ErrUnavailable during daily outage windows (Moscow time), at a
// random FailureRate, or for the next n calls after FailNext(n). Tests make it
// deterministic by passing their own random source and clock.
package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/sep-platform/sep/internal/registry"
)

// Source is the Source of every answer the simulator gives.
const Source = "simulator"

// Window is a daily outage: from From to To after midnight, Moscow time. A
// window whose To is before its From runs over midnight.
type Window struct{ From, To time.Duration }

// moscow is Moscow time, in which registries announce their maintenance; a
// fixed zone, so that no time zone database is needed.
var moscow = time.FixedZone("MSK", 3*60*60)

// contains reports whether t falls in the window.
func (w Window) contains(t time.Time) bool {
	t = t.In(moscow)
	y, m, d := t.Date()
	since := t.Sub(time.Date(y, m, d, 0, 0, 0, 0, moscow))
	if w.From <= w.To {
		return since >= w.From && since < w.To
	}
	return since >= w.From || since < w.To
}

// Options configure a Simulator.
type Options struct {
	Data *Data // default: the built-in data file
	// LatencyMin and LatencyMax bound how long each call takes (uniformly);
	// zero for an instant answer.
	LatencyMin, LatencyMax time.Duration
	// FailureRate is the share of calls, 0 to 1, that fail as unavailable.
	FailureRate float64
	// Outages are daily windows when every call fails as unavailable.
	Outages []Window
	// Rand draws latencies and failures; default a randomly seeded source.
	Rand *rand.Rand
	// Now is the clock for outages and passport expiry by age.
	Now func() time.Time
}

// Simulator answers registry checks from its data. It is safe for concurrent
// use and implements registry.PassportRegistry, SNILSRegistry, INNRegistry and
// LegalRegistry.
type Simulator struct {
	data *Data
	opt  Options

	mu       sync.Mutex
	rand     *rand.Rand
	failNext int
	calls    int
}

// New returns a simulator.
func New(o Options) *Simulator {
	if o.Data == nil {
		o.Data = Default()
	}
	if o.Rand == nil {
		o.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.LatencyMax < o.LatencyMin {
		o.LatencyMax = o.LatencyMin
	}
	return &Simulator{data: o.Data, opt: o, rand: o.Rand}
}

// Adapters returns the simulator as every registry.
func (s *Simulator) Adapters() registry.Adapters {
	return registry.Adapters{Passport: s, SNILS: s, INN: s, Legal: s}
}

// Data returns the simulator's data.
func (s *Simulator) Data() *Data { return s.data }

// FailNext makes the next n calls fail as unavailable, whatever else is set.
func (s *Simulator) FailNext(n int) {
	s.mu.Lock()
	s.failNext = n
	s.mu.Unlock()
}

// Calls returns how many calls the simulator has received.
func (s *Simulator) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// call is what every check goes through first: the latency, then the
// failures. It returns an error wrapping registry.ErrUnavailable, or the
// context's error if the caller gave up waiting.
func (s *Simulator) call(ctx context.Context) error {
	s.mu.Lock()
	s.calls++
	delay := s.opt.LatencyMin
	if spread := s.opt.LatencyMax - s.opt.LatencyMin; spread > 0 {
		delay += time.Duration(s.rand.Int64N(int64(spread) + 1))
	}
	var fail string
	switch {
	case s.failNext > 0:
		s.failNext--
		fail = "failing on request"
	case s.opt.FailureRate > 0 && s.rand.Float64() < s.opt.FailureRate:
		fail = "random failure"
	}
	s.mu.Unlock()

	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	if fail == "" {
		now := s.opt.Now()
		for _, w := range s.opt.Outages {
			if w.contains(now) {
				fail = "scheduled outage"
				break
			}
		}
	}
	if fail != "" {
		return fmt.Errorf("%w: simulator: %s", registry.ErrUnavailable, fail)
	}
	return nil
}

// today is the simulator's current calendar date.
func (s *Simulator) today() time.Time {
	y, m, d := s.opt.Now().In(moscow).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func answer(st registry.Status) registry.Answer {
	return registry.Answer{Status: st, Source: Source}
}

func invalid(r registry.Reason) registry.Answer {
	return registry.Answer{Status: registry.Invalid, Reason: r, Source: Source}
}

func mismatch(field string) registry.Answer {
	return registry.Answer{Status: registry.Mismatch, Field: field, Source: Source}
}
