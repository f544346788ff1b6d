package passlist

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
)

// Message IDs of the errors this package returns to callers that show them.
const (
	MsgNotImported = "registry.invalid_passports.not_imported"
	MsgFormat      = "registry.invalid_passports.format"
)

// ErrNotImported is returned by lookups while no list has been imported into the database.
var ErrNotImported = errs.E(errs.Unavailable, MsgNotImported,
	errors.New("passlist: no list of invalid passports has been imported (sep registry import-invalid-passports)"))

// DefaultCheckEvery is how often, by default, a lookup asks the database whether another
// instance imported a new list.
const DefaultCheckEvery = 30 * time.Second

// Options tune a List.
type Options struct {
	// CheckEvery bounds how stale the list may be: a lookup at least this long after the last
	// check asks the database for the current version (one cheap query) and loads the new list
	// if there is one. Default DefaultCheckEvery.
	CheckEvery time.Duration
	// Logger receives a warning when a check fails and an older list keeps serving.
	Logger *slog.Logger
	// Now is the clock (tests). Default time.Now.
	Now func() time.Time
}

// List is the invalid-passport list as this instance sees it: the database holds the current
// list for every instance; the List keeps it in memory as a compact Set and reloads it when
// another instance has imported a new one. It is safe for concurrent use.
type List struct {
	db    *db.DB
	opt   Options
	state atomic.Pointer[listState]
	sem   chan struct{} // held by the one goroutine that checks or loads
}

// listState is an immutable snapshot: the set (nil when no list exists) and when it was
// last confirmed current.
type listState struct {
	set     *Set
	meta    Meta
	checked time.Time
}

// New returns the List of the database d. Nothing is loaded until the first lookup.
func New(d *db.DB, opt Options) *List {
	if opt.CheckEvery <= 0 {
		opt.CheckEvery = DefaultCheckEvery
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &List{db: d, opt: opt, sem: make(chan struct{}, 1)}
}

// Contains reports whether the passport with this series and number is on the list of invalid
// passports. The series is 4 digits, the number 6 (spaces ignored); anything else is an
// errs.Invalid error. ErrNotImported while no list exists.
func (l *List) Contains(ctx context.Context, series, number string) (bool, error) {
	k, err := ParseKey(series, number)
	if err != nil {
		return false, errs.E(errs.Invalid, MsgFormat, err)
	}
	return l.ContainsKey(ctx, k)
}

// ContainsKey is Contains for a key already parsed.
func (l *List) ContainsKey(ctx context.Context, k Key) (bool, error) {
	st, err := l.current(ctx)
	if err != nil {
		return false, err
	}
	if st.set == nil {
		return false, ErrNotImported
	}
	return st.set.Contains(k), nil
}

// Current returns the list in memory and its description, checking the database first as a
// lookup would. The Set stays valid (and unchanged) after a newer list replaces it.
func (l *List) Current(ctx context.Context) (*Set, Meta, error) {
	st, err := l.current(ctx)
	if err != nil {
		return nil, Meta{}, err
	}
	if st.set == nil {
		return nil, st.meta, ErrNotImported
	}
	return st.set, st.meta, nil
}

// Refresh checks the database now, loading a newer list if there is one.
func (l *List) Refresh(ctx context.Context) error {
	if err := l.acquire(ctx); err != nil {
		return err
	}
	defer l.release()
	return l.refresh(ctx)
}

// Status describes the current list in the database without loading it. Version 0 means no list
// has been imported.
func (l *List) Status(ctx context.Context) (Meta, error) {
	v, err := headVersion(ctx, l.db.Reader())
	if err != nil || v == 0 {
		return Meta{}, err
	}
	m, err := readMeta(ctx, l.db.Reader(), v)
	if errors.Is(err, errVanished) { // replaced just now: ask again
		return l.Status(ctx)
	}
	return m, err
}

func (l *List) current(ctx context.Context) (*listState, error) {
	st := l.state.Load()
	if st != nil && l.opt.Now().Sub(st.checked) < l.opt.CheckEvery {
		return st, nil
	}
	if st != nil {
		// Time to check. One goroutine does; the others answer from the list they have.
		select {
		case l.sem <- struct{}{}:
		default:
			return st, nil
		}
	} else if err := l.acquire(ctx); err != nil {
		return nil, err
	}
	defer l.release()
	if now := l.state.Load(); now != st && now != nil {
		return now, nil // another goroutine checked while this one waited
	}
	if err := l.refresh(ctx); err != nil {
		if st != nil && st.set != nil {
			l.opt.Logger.Warn("invalid-passport list: check failed; serving the list in memory",
				"version", st.meta.Version, "err", err)
			l.publish(&listState{set: st.set, meta: st.meta, checked: l.opt.Now()})
			return st, nil
		}
		return nil, err
	}
	return l.state.Load(), nil
}

func (l *List) acquire(ctx context.Context) error {
	select {
	case l.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *List) release() { <-l.sem }

// refresh brings the state up to date with the database. The caller holds sem.
func (l *List) refresh(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		now := l.opt.Now()
		v, err := headVersion(ctx, l.db.Reader())
		if err != nil {
			return err
		}
		st := l.state.Load()
		switch {
		case st != nil && st.meta.Version == v:
			l.publish(&listState{set: st.set, meta: st.meta, checked: now})
			return nil
		case v == 0:
			l.publish(&listState{checked: now})
			return nil
		}
		set, m, err := loadSet(ctx, l.db, v)
		if errors.Is(err, errVanished) && attempt < 3 {
			continue // replaced while it was read: read the head again
		}
		if err != nil {
			return fmt.Errorf("passlist: load list %d: %w", v, err)
		}
		l.opt.Logger.Info("invalid-passport list loaded", "version", m.Version, "entries", m.Entries)
		l.publish(&listState{set: set, meta: m, checked: now})
		return nil
	}
}

// install makes a list this instance has just stored current, without reading it back.
func (l *List) install(set *Set, m Meta) {
	l.publish(&listState{set: set, meta: m, checked: l.opt.Now()})
}

// publish makes st the state unless a newer list is already there: a check that read the head
// just before an import in this process committed must not bring the old list back.
func (l *List) publish(st *listState) {
	for {
		cur := l.state.Load()
		if cur != nil && cur.meta.Version > st.meta.Version {
			return
		}
		if l.state.CompareAndSwap(cur, st) {
			return
		}
	}
}
