package applications

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/sep-platform/sep/internal/errs"
)

// Live status. The card and «Мои обращения» follow their applications while open: the page
// opens GET /applications/events (server-sent events, web_live.go) and is told of every
// change of the citizen's own applications, from whichever instance made it.
//
// The source is the database, never the instance's memory: every event of an application's
// history takes the next number of one counter (numberChange, in the transaction of the
// change, migration 0131), and a change numbered n+1 cannot commit before the one numbered n,
// because the counter row stays locked to the commit. A reader that has seen n has therefore
// seen everything up to n, and the number is the stream's cursor: the `id:` of each event,
// the Last-Event-ID of a reconnection, the data-live-after of a page (what it was rendered
// after).
//
// Each instance runs one poller, only while someone follows: it reads the changes after its
// cursor (at once when this instance made one, else every LivePoll) and hands each to the
// followers of its account on this instance. A follower's buffer is small; one that does not
// keep up is dropped, never waited for, and its browser reconnects and catches up from the
// database. Followers are bounded per account and per instance.

// liveEvent is one change of an application, in the order changes commit.
type liveEvent struct {
	Seq         int64
	Application string
	Account     string
}

// The bounds of live status.
const (
	liveBuffer     = 32   // events waiting for one follower before it is dropped
	livePerAccount = 8    // streams open at once by one account on one instance (tabs)
	liveMax        = 2000 // streams open at once on one instance
	liveBatch      = 500  // changes read by one poll
)

// live fans the database's changes out to this instance's followers.
type live struct {
	store *Store
	every time.Duration
	log   *slog.Logger
	wake  chan struct{} // a change was committed here: poll now

	ctx    context.Context // ended by close
	cancel context.CancelFunc

	mu      sync.Mutex
	subs    map[string]map[*follower]struct{} // account → its followers
	n       int
	cursor  int64 // the last change handed out
	running bool
	closed  bool
	done    chan struct{} // closed when the running poller stops
}

// follower is one open stream.
type follower struct {
	account string
	events  chan liveEvent
	gone    chan struct{} // closed when it is dropped (too slow) or the instance stops
}

func newLive(s *Store, every time.Duration) *live {
	ctx, cancel := context.WithCancel(context.Background())
	return &live{store: s, every: every, log: s.opt.Logger, wake: make(chan struct{}, 1), ctx: ctx, cancel: cancel,
		subs: map[string]map[*follower]struct{}{}}
}

// follow opens a follower of the account's changes after now (see Live status: the caller
// catches up on what came before from the database). The poller starts with the first
// follower, at the last change committed at that moment.
func (l *live) follow(ctx context.Context, account string) (*follower, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.closed:
		return nil, errs.E(errs.Unavailable, "applications.live_closed", nil)
	case len(l.subs[account]) >= livePerAccount:
		return nil, errs.E(errs.TooMany, "applications.live_too_many", nil)
	case l.n >= liveMax:
		return nil, errs.E(errs.Unavailable, "applications.live_busy", nil)
	}
	if !l.running {
		cur, err := l.store.lastChange(ctx)
		if err != nil {
			return nil, err
		}
		l.cursor, l.running, l.done = cur, true, make(chan struct{})
		go l.poll(l.done)
	}
	f := &follower{account: account, events: make(chan liveEvent, liveBuffer), gone: make(chan struct{})}
	if l.subs[account] == nil {
		l.subs[account] = map[*follower]struct{}{}
	}
	l.subs[account][f] = struct{}{}
	l.n++
	return f, nil
}

// unfollow closes a follower the stream no longer needs.
func (l *live) unfollow(f *follower) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.remove(f)
}

// remove takes f out (with l.mu held) and reports whether it was in.
func (l *live) remove(f *follower) bool {
	fs := l.subs[f.account]
	if _, ok := fs[f]; !ok {
		return false
	}
	delete(fs, f)
	if len(fs) == 0 {
		delete(l.subs, f.account)
	}
	l.n--
	return true
}

// drop takes f out and tells its stream to end (with l.mu held).
func (l *live) drop(f *follower) {
	if l.remove(f) {
		close(f.gone)
	}
}

// committed wakes the poller after a change committed by this instance.
func (l *live) committed() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// close ends every stream and the poller; at shutdown (http.Server.RegisterOnShutdown), so
// that the server's drain does not wait for streams that never end by themselves.
func (l *live) close() {
	l.mu.Lock()
	l.closed = true
	for _, fs := range l.subs {
		for f := range fs {
			l.drop(f)
		}
	}
	done := l.done
	l.mu.Unlock()
	l.cancel()
	if done != nil {
		<-done
	}
}

func (l *live) poll(done chan struct{}) {
	defer close(done)
	t := time.NewTicker(l.every)
	defer t.Stop()
	more := false
	for {
		if !more {
			select {
			case <-l.ctx.Done():
				return
			case <-t.C:
			case <-l.wake:
			}
		}
		l.mu.Lock()
		if l.n == 0 || l.closed {
			l.running = false
			l.mu.Unlock()
			return
		}
		cursor := l.cursor
		l.mu.Unlock()
		ctx, cancel := context.WithTimeout(l.ctx, 10*time.Second)
		evs, err := l.store.changesAfter(ctx, cursor, liveBatch)
		cancel()
		if err != nil {
			if l.ctx.Err() == nil {
				l.log.Warn("applications: live status: cannot read the changes", "err", err)
			}
			more = false
			continue
		}
		l.mu.Lock()
		for _, e := range evs {
			for f := range l.subs[e.Account] {
				select {
				case f.events <- e:
				default:
					l.drop(f) // too slow: it reconnects and catches up from the database
				}
			}
			l.cursor = e.Seq
		}
		l.mu.Unlock()
		more = len(evs) == liveBatch
	}
}

// numberChange gives the event its place in the changes, in the change's transaction: the
// counter row stays locked to the commit, so changes are numbered in the order they commit.
func numberChange(ctx context.Context, tx *sql.Tx, eventID string) error {
	var n int64
	if err := tx.QueryRowContext(ctx, `UPDATE application_changes SET last = last + 1 WHERE id = 1 RETURNING last`).Scan(&n); err != nil {
		return fmt.Errorf("applications: change number: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE application_events SET change_seq = $2 WHERE id = $1`, eventID, n); err != nil {
		return fmt.Errorf("applications: change number: %w", err)
	}
	return nil
}

// lastChange is the number of the last change committed.
func (s *Store) lastChange(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Reader().QueryRowContext(ctx, `SELECT last FROM application_changes WHERE id = 1`).Scan(&n)
	return n, err
}

// changesAfter returns up to limit changes after the number after, in order.
func (s *Store) changesAfter(ctx context.Context, after int64, limit int) ([]liveEvent, error) {
	return s.liveEvents(ctx, `SELECT e.change_seq, e.application_id, a.account_id FROM application_events e
		JOIN applications a ON a.id = e.application_id WHERE e.change_seq > $1 ORDER BY e.change_seq LIMIT $2`, after, limit)
}

// ownChangesAfter returns, for each of the account's applications changed after the number
// after, its last change, in order: what a stream catching up must tell (the state now of
// each application that changed, not every step).
func (s *Store) ownChangesAfter(ctx context.Context, accountID string, after int64) ([]liveEvent, error) {
	return s.liveEvents(ctx, `SELECT MAX(e.change_seq) AS last_seq, e.application_id, a.account_id FROM application_events e
		JOIN applications a ON a.id = e.application_id WHERE a.account_id = $1 AND e.change_seq > $2
		GROUP BY e.application_id, a.account_id ORDER BY last_seq LIMIT 500`, accountID, after)
}

func (s *Store) liveEvents(ctx context.Context, q string, args ...any) ([]liveEvent, error) {
	rows, err := s.db.Reader().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []liveEvent
	for rows.Next() {
		var e liveEvent
		if err := rows.Scan(&e.Seq, &e.Application, &e.Account); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
