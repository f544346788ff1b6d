// Package retention deletes stored personal data once its retention period is over (152-ФЗ
// art. 5: kept no longer than its purpose needs). Each kind of data — one-time codes, other
// messages, the inbox, the development outbox, superseded registry checks, rate-limit counts
// — has its period (settings SEP_RETAIN_*), and a durable job (internal/jobs, once an hour on
// one instance) deletes what is past it in bounded batches, so that a large backlog never holds
// a long transaction, and journals each run with the count per kind. The audit journal holds
// no personal data values and is never purged.
package retention

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/sep-platform/sep/internal/jobs"
)

// JobKind is the kind of the purge job.
const JobKind = "retention.purge"

// Kind is one kind of stored data with its retention period.
type Kind struct {
	Name string        // a code, e.g. "codes"; the journal names its count "<name>_count"
	Keep time.Duration // how long it is kept
	// Purge deletes up to limit items created (or last used) before before, and reports how many.
	Purge func(ctx context.Context, before time.Time, limit int) (int, error)
}

// Options configure the purge.
type Options struct {
	Jobs  *jobs.Queue
	Kinds []Kind
	Every time.Duration // default 1h
	Batch int           // items per delete; default 1000
	Now   func() time.Time
	// Journal records a run's counts per kind (every kind, zeros included).
	Journal func(ctx context.Context, counts map[string]int) error
	Logger  *slog.Logger
}

// Purger runs the purges.
type Purger struct{ o Options }

// New returns a purger; Schedule starts its periodic job.
func New(o Options) *Purger {
	if o.Every <= 0 {
		o.Every = time.Hour
	}
	if o.Batch <= 0 {
		o.Batch = 1000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Purger{o: o}
}

// Schedule registers the purge job and enqueues its next run.
func (p *Purger) Schedule(ctx context.Context) error {
	return p.o.Jobs.Every(ctx, JobKind, p.o.Every, func(ctx context.Context, _ *jobs.Job) error {
		_, err := p.Run(ctx)
		return err
	}, jobs.KindOptions{MaxAttempts: 20, Timeout: 30 * time.Minute, Backoff: jobs.Exponential(time.Minute, p.o.Every)})
}

// Run purges every kind once and journals the counts. A repeated run after a failure deletes
// only what is still there, so it is safe to retry.
func (p *Purger) Run(ctx context.Context) (map[string]int, error) {
	counts := map[string]int{}
	now := p.o.Now().UTC()
	for _, k := range p.o.Kinds {
		before := now.Add(-k.Keep)
		for {
			n, err := k.Purge(ctx, before, p.o.Batch)
			counts[k.Name] += n
			if err != nil {
				return counts, fmt.Errorf("retention: purge %s: %w", k.Name, err)
			}
			if n < p.o.Batch {
				break
			}
		}
	}
	attrs := []any{}
	for _, k := range p.o.Kinds {
		attrs = append(attrs, k.Name, strconv.Itoa(counts[k.Name]))
	}
	p.o.Logger.Info("retention: purged", attrs...)
	if p.o.Journal != nil {
		if err := p.o.Journal(ctx, counts); err != nil {
			return counts, fmt.Errorf("retention: journal: %w", err)
		}
	}
	return counts, nil
}
