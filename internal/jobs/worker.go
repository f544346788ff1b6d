package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// RunOptions tune a worker pool.
type RunOptions struct {
	Concurrency  int           // jobs run at once; default 4
	PollInterval time.Duration // how often to look for due jobs; default 1s
	Lease        time.Duration // how long a claim holds without a heartbeat; default 30s
	// Grace is how long in-flight jobs may go on after ctx is cancelled before their own
	// contexts are cancelled; jobs interrupted that way go back to the queue. Default 10s.
	Grace     time.Duration
	Retention time.Duration // how long done jobs are kept; default 7 days
	Logger    *slog.Logger
	Metrics   *Metrics // optional
}

// Run claims and runs due jobs of the registered kinds until ctx is cancelled, then waits for
// in-flight jobs (see RunOptions.Grace) and returns.
func (q *Queue) Run(ctx context.Context, opt RunOptions) error {
	if opt.Concurrency <= 0 {
		opt.Concurrency = 4
	}
	if opt.PollInterval <= 0 {
		opt.PollInterval = time.Second
	}
	if opt.Lease <= 0 {
		opt.Lease = 30 * time.Second
	}
	if opt.Grace <= 0 {
		opt.Grace = 10 * time.Second
	}
	if opt.Retention <= 0 {
		opt.Retention = 7 * 24 * time.Hour
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if len(q.kinds) == 0 {
		<-ctx.Done()
		return nil
	}
	w := &worker{q: q, opt: opt, id: workerID(), slots: make(chan struct{}, opt.Concurrency), freed: make(chan struct{}, 1)}
	// Jobs get their own context, cancelled only after the grace period, so that a shutdown
	// lets short jobs finish instead of failing them.
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	w.loop(ctx, jobCtx)

	done := make(chan struct{})
	go func() { w.inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(opt.Grace):
		cancelJobs()
		<-done
	}
	return nil
}

type worker struct {
	q        *Queue
	opt      RunOptions
	id       string
	slots    chan struct{}
	freed    chan struct{}
	inflight sync.WaitGroup
}

func workerID() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

func (w *worker) loop(ctx, jobCtx context.Context) {
	tick := time.NewTicker(w.opt.PollInterval)
	defer tick.Stop()
	lastCleanup := time.Time{}
	for {
		free := cap(w.slots) - len(w.slots)
		if free > 0 {
			if time.Since(lastCleanup) > time.Hour {
				w.cleanup(ctx)
				lastCleanup = time.Now()
			}
			jobs, err := w.q.claim(ctx, w.id, free, w.opt.Lease)
			if err != nil && ctx.Err() == nil {
				w.opt.Logger.Warn("jobs: claim failed", "err", err)
			}
			for _, j := range jobs {
				w.slots <- struct{}{}
				w.inflight.Add(1)
				go func() {
					defer func() {
						<-w.slots
						w.inflight.Done()
						select { // a slot is free: look for more work now, not at the next tick
						case w.freed <- struct{}{}:
						default:
						}
					}()
					w.run(ctx, jobCtx, j)
				}()
			}
			if len(jobs) == free && len(jobs) > 0 {
				continue // there may be more due right now
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-w.q.wake:
		case <-w.freed:
		}
	}
}

func (w *worker) cleanup(ctx context.Context) {
	n, err := w.q.purgeDone(ctx, w.opt.Retention)
	if err != nil && ctx.Err() == nil {
		w.opt.Logger.Warn("jobs: cleanup failed", "err", err)
	} else if n > 0 {
		w.opt.Logger.Debug("jobs: removed finished jobs", "count", n)
	}
}

// run executes one claimed job: heartbeat while the handler runs, then record the outcome.
func (w *worker) run(ctx, jobCtx context.Context, j *Job) {
	k := w.q.kinds[j.Kind]
	attemptCtx, cancel := context.WithTimeout(jobCtx, k.opt.Timeout)
	defer cancel()
	lost := make(chan struct{})
	stopBeat := make(chan struct{})
	go w.heartbeat(attemptCtx, j, cancel, stopBeat, lost)

	start := time.Now()
	err := safeCall(attemptCtx, k.handler, j)
	close(stopBeat)
	elapsed := time.Since(start)

	log := w.opt.Logger.With("job", j.ID, "kind", j.Kind, "attempt", j.Attempt)
	select {
	case <-lost:
		log.Warn("jobs: lost the lease while running; another worker may run the job again")
		w.opt.Metrics.observe(j.Kind, "lost", elapsed)
		return
	default:
	}
	// Record the outcome even if the pool is shutting down.
	bg := context.WithoutCancel(ctx)
	switch {
	case err == nil:
		if e := w.q.finish(bg, j, w.id); e != nil {
			log.Error("jobs: cannot mark done", "err", e)
		}
		w.opt.Metrics.observe(j.Kind, "done", elapsed)
	case jobCtx.Err() != nil && ctx.Err() != nil:
		// Interrupted by shutdown, not by its own fault: give the attempt back.
		if e := w.q.release(bg, j, w.id); e != nil {
			log.Error("jobs: cannot release", "err", e)
		}
		w.opt.Metrics.observe(j.Kind, "released", elapsed)
	default:
		var p permanent
		if errors.As(err, &p) || j.Attempt >= j.MaxAttempts {
			if e := w.q.bury(bg, j, w.id, err); e != nil {
				log.Error("jobs: cannot record failure", "err", e)
			}
			log.Error("jobs: job failed for good (dead-letter)", "err", err)
			w.opt.Metrics.observe(j.Kind, "dead", elapsed)
			return
		}
		next, e := w.q.requeue(bg, j, w.id, err, k.opt.Backoff(j.Attempt))
		if e != nil {
			log.Error("jobs: cannot record failure", "err", e)
		}
		log.Warn("jobs: attempt failed, will retry", "err", err, "retry_at", next.Format(time.RFC3339))
		w.opt.Metrics.observe(j.Kind, "retry", elapsed)
	}
}

func (w *worker) heartbeat(ctx context.Context, j *Job, cancel context.CancelFunc, stop <-chan struct{}, lost chan<- struct{}) {
	t := time.NewTicker(w.opt.Lease / 3)
	defer t.Stop()
	// The worker gives the job up a quarter of a lease before the lease runs out unless it has
	// been extended, so that by the time another worker may claim the job this one has already
	// cancelled its handler. Times are measured conservatively from before each database call
	// (the claim's included), on this process's monotonic clock; the lease itself runs on the
	// database's clock, which the database read after that.
	margin := w.opt.Lease / 4
	deadline := j.leased.Add(w.opt.Lease - margin)
	// The deadline is kept by a timer, not only checked at the next tick: after a heartbeat
	// that failed quickly, the next tick may come after the lease has run out.
	expire := time.NewTimer(time.Until(deadline))
	defer expire.Stop()
	giveUp := func() {
		close(lost)
		cancel()
	}
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-expire.C:
			giveUp()
			return
		case <-t.C:
			// Bound the extension by the lease itself: past the deadline another worker may
			// own the job, so this one must stop rather than wait for the database.
			sent := time.Now()
			ectx, ecancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
			ok, err := w.q.extend(ectx, j, w.id, w.opt.Lease)
			ecancel()
			switch {
			case ok:
				deadline = sent.Add(w.opt.Lease - margin)
				expire.Reset(time.Until(deadline))
			case err != nil && time.Now().Before(deadline):
				w.opt.Logger.Warn("jobs: heartbeat failed", "job", j.ID, "err", err)
			default:
				giveUp()
				return
			}
		}
	}
}

// safeCall runs the handler, turning a panic into an error with its stack logged.
func safeCall(ctx context.Context, h Handler, j *Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			stack := string(debug.Stack())
			if i := strings.Index(stack, "\n"); i > 0 {
				stack = stack[i+1:]
			}
			err = fmt.Errorf("panic: %v\n%s", p, stack)
		}
	}()
	return h(ctx, j)
}

func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	f := 0.8 + 0.4*mrand.Float64()
	return time.Duration(float64(d) * f)
}
