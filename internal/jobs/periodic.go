package jobs

import (
	"context"
	"errors"
	"time"
)

// Every registers h as the handler of kind and runs it once per time slot of length every
// (slots aligned as time.Time.Truncate aligns them): each run enqueues the next slot, and the
// slot's time is the job's dedup key, so however many instances call Every, each slot runs
// once, on one of them. A failed run is retried (opt's backoff) without holding up the slots
// after it, which are enqueued before the handler runs.
func (q *Queue) Every(ctx context.Context, kind string, every time.Duration, h Handler, opt KindOptions) error {
	if every <= 0 {
		return errors.New("jobs: the period of " + kind + " must be positive")
	}
	next := func(ctx context.Context) error {
		at := q.now().UTC().Truncate(every).Add(every)
		_, err := q.Enqueue(ctx, nil, Spec{Kind: kind, RunAt: at, Key: at.Format(time.RFC3339Nano)})
		return err
	}
	q.Register(kind, func(ctx context.Context, job *Job) error {
		if err := next(ctx); err != nil {
			return err
		}
		return h(ctx, job)
	}, opt)
	return next(ctx)
}
