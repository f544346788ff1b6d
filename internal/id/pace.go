package id

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// pace makes an answer that did less work take as long as the answers that did more: a
// recovery to a contact no account has sends nothing, which is quicker than sending a code,
// and the difference would tell an attacker which contacts are registered. The real answers
// record how long they took; a decoy waits until it has taken as long as one of them, picked
// at random, so that the two kinds of answer take time from the same spread.
//
// The samples are per instance, in memory: they are a measure of this machine's speed, not
// state another instance needs.
type pace struct {
	mu      sync.Mutex
	samples [32]time.Duration
	n       int // how many were recorded (the ring holds the latest len(samples))
}

// record notes how long a real answer took.
func (p *pace) record(d time.Duration) {
	p.mu.Lock()
	p.samples[p.n%len(p.samples)] = d
	p.n++
	p.mu.Unlock()
}

// target is how long a decoy should take: one of the recorded durations, or 0 before any.
func (p *pace) target() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.n == 0 {
		return 0
	}
	return p.samples[rand.IntN(min(p.n, len(p.samples)))]
}

// wait holds a decoy that began at start until it has taken its target time (or ctx ends).
func (p *pace) wait(ctx context.Context, start time.Time) {
	d := p.target() - time.Since(start)
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
