package passlist

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
)

// Message IDs of the errors this package returns to callers that show them.
const (
	MsgNotImported = "registry.invalid_passports.not_imported"
	MsgNotLoaded   = "registry.invalid_passports.not_loaded"
	MsgFormat      = "registry.invalid_passports.format"
)

// ErrNotImported is returned by lookups while no list has been imported into the database.
var ErrNotImported = errs.E(errs.Unavailable, MsgNotImported,
	errors.New("passlist: no list of invalid passports has been imported (sep registry import-invalid-passports)"))

// ErrNotLoaded is returned by lookups while a list is imported but this instance has none in
// memory yet: it is being loaded in the background, and the lookup has no answer meanwhile.
var ErrNotLoaded = errs.E(errs.Unavailable, MsgNotLoaded,
	errors.New("passlist: the list of invalid passports is imported but not loaded yet"))

// DefaultCheckEvery is how often, by default, a lookup asks the database whether another
// instance imported a new list.
const DefaultCheckEvery = 30 * time.Second

// DefaultLoadTimeout bounds, by default, one background load of a list.
const DefaultLoadTimeout = 10 * time.Minute

// Options tune a List.
type Options struct {
	// CheckEvery bounds how stale the list may be: a lookup at least this long after the last
	// check asks the database for the current version (one cheap query) and starts loading the
	// new list in the background if there is one. Default DefaultCheckEvery.
	CheckEvery time.Duration
	// LoadTimeout bounds one background load. Default DefaultLoadTimeout.
	LoadTimeout time.Duration
	// Logger receives a warning when a check or a load fails and an older list keeps serving.
	Logger *slog.Logger
	// Now is the clock (tests). Default time.Now.
	Now func() time.Time
	// OnImported runs at the completion of an import, in the transaction that makes the new
	// list current: whoever follows the list (the electronic passports re-check their paper
	// passports) enqueues its job there, so that it runs if and only if the list changed. An
	// error undoes the import.
	OnImported func(ctx context.Context, tx *sql.Tx, m Meta) error
}

// List is the invalid-passport list as this instance sees it: the database holds the current
// list for every instance; the List keeps it in memory as a compact Set and reloads it when
// another instance has imported a new one. Loads run in the background, under the List's own
// context and Options.LoadTimeout, never under a lookup's: lookups answer from the list in
// memory meanwhile. It is safe for concurrent use; Close stops a running load.
type List struct {
	db      *db.DB
	opt     Options
	state   atomic.Pointer[listState]
	check   chan struct{} // held by the one lookup that reads the head version
	loading chan struct{} // held by the one goroutine that loads a list

	ctx    context.Context // of background loads; cancelled by Close
	stop   context.CancelFunc
	mu     sync.Mutex // guards closed and the start of a background load
	closed bool
	loads  sync.WaitGroup
}

// listState is an immutable snapshot: the set in memory (nil when none is loaded) with its
// description, the version the database named at the last check (0: no list is imported),
// and when that check was.
type listState struct {
	set     *Set
	meta    Meta
	head    int64
	checked time.Time
}

// New returns the List of the database d. Nothing is loaded until the first lookup or
// StartLoading.
func New(d *db.DB, opt Options) *List {
	if opt.CheckEvery <= 0 {
		opt.CheckEvery = DefaultCheckEvery
	}
	if opt.LoadTimeout <= 0 {
		opt.LoadTimeout = DefaultLoadTimeout
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	ctx, stop := context.WithCancel(context.Background())
	return &List{db: d, opt: opt, check: make(chan struct{}, 1), loading: make(chan struct{}, 1),
		ctx: ctx, stop: stop}
}

// Contains reports whether the passport with this series and number is on the list of invalid
// passports. The series is 4 digits, the number 6 (spaces ignored); anything else is an
// errs.Invalid error. ErrNotImported while no list exists, ErrNotLoaded while this instance
// has not loaded one yet: it never waits for a load.
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
	if err := st.missing(); err != nil {
		return false, err
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
	if err := st.missing(); err != nil {
		return nil, st.meta, err
	}
	return st.set, st.meta, nil
}

// missing says why a state has no set to answer from.
func (st *listState) missing() error {
	switch {
	case st.set != nil:
		return nil
	case st.head > 0:
		return ErrNotLoaded
	}
	return ErrNotImported
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

// current returns the state to answer from, first reading the head version if the last check
// is CheckEvery old. That read is one indexed row, under the lookup's ctx; a new version is
// loaded in the background.
func (l *List) current(ctx context.Context) (*listState, error) {
	st := l.state.Load()
	if st != nil && l.opt.Now().Sub(st.checked) < l.opt.CheckEvery {
		return st, nil
	}
	if st != nil {
		// Time to check. One goroutine does; the others answer from the state they have.
		select {
		case l.check <- struct{}{}:
		default:
			return st, nil
		}
	} else {
		// Nothing is known yet, not even whether a list is imported: wait for the one check.
		select {
		case l.check <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	defer func() { <-l.check }()
	if now := l.state.Load(); now != st && now != nil {
		return now, nil // another goroutine checked while this one waited
	}
	now := l.opt.Now()
	v, err := headVersion(ctx, l.db.Reader())
	if err != nil {
		if st != nil && st.set != nil {
			l.opt.Logger.Warn("invalid-passport list: check failed; serving the list in memory",
				"version", st.meta.Version, "err", err)
			l.publish(&listState{set: st.set, meta: st.meta, head: st.head, checked: now})
			return st, nil
		}
		return nil, err
	}
	next := &listState{head: v, checked: now}
	if st != nil {
		next.set, next.meta = st.set, st.meta
	}
	l.publish(next)
	if v != next.meta.Version {
		l.loadInBackground()
	}
	return l.state.Load(), nil
}

// install makes a list this instance has just stored current, without reading it back.
func (l *List) install(set *Set, m Meta) {
	l.publish(&listState{set: set, meta: m, head: m.Version, checked: l.opt.Now()})
}

// publish makes st the state, but never goes back: a check or a load that read the database
// just before an import in this process committed must not bring the old list back, nor hide
// that a newer version exists. The newer set and the higher head version win.
func (l *List) publish(st *listState) {
	for {
		cur := l.state.Load()
		next := *st
		if cur != nil {
			if cur.meta.Version > next.meta.Version {
				next.set, next.meta = cur.set, cur.meta
			}
			next.head = max(next.head, cur.head)
		}
		if l.state.CompareAndSwap(cur, &next) {
			return
		}
	}
}
