package main

import (
	"fmt"
	"io"
	"time"
)

// progress reports a long export or verification on stderr, once the total reaches
// progressThreshold. On a terminal it redraws one line with a bar at most five times a
// second; otherwise (a log file, a pipe) it writes one line per tenth of the work, so that
// logs stay short.
type progress struct {
	w     io.Writer
	verb  string
	total int64
	tty   bool
	start time.Time
	last  time.Time
	tenth int64 // the last tenth written (not on a terminal)
	shown bool
	done  int64
}

func newProgress(w io.Writer, verb string) *progress {
	return &progress{w: w, verb: verb, start: time.Now(), tty: isTerminal(w)}
}

func (p *progress) update(n int64) {
	if p.total < progressThreshold || p.total <= 0 {
		return
	}
	p.done = n
	if p.tty {
		if now := time.Now(); now.Sub(p.last) >= 200*time.Millisecond || n >= p.total {
			p.last = now
			fmt.Fprintf(p.w, "\r%s %s", bar(float64(p.done)/float64(p.total), 30), p.line())
			p.shown = true
		}
		return
	}
	if tenth := n * 10 / p.total; tenth > p.tenth {
		p.tenth = tenth
		fmt.Fprintln(p.w, p.line())
	}
}

func (p *progress) line() string {
	rate := float64(p.done) / max(time.Since(p.start).Seconds(), 0.001)
	return fmt.Sprintf("%s %d/%d entries (%d%%), %.0f/s", p.verb, p.done, p.total, p.done*100/p.total, rate)
}

// finish ends the redrawn line.
func (p *progress) finish() {
	if p.tty && p.shown {
		fmt.Fprintln(p.w)
	}
}
