package passlist

import (
	"context"
	"errors"
	"fmt"
)

// Refresh checks the database now and loads a newer list if there is one, waiting for it under
// ctx (a command or a test that wants the list in memory; lookups never wait).
func (l *List) Refresh(ctx context.Context) error {
	select {
	case l.loading <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-l.loading }()
	return l.load(ctx)
}

// StartLoading starts loading the current list in the background, unless a load is running,
// so that the first lookups find it in memory sooner.
func (l *List) StartLoading() { l.loadInBackground() }

// Close stops a background load and waits for it to end. Lookups still answer from the list
// in memory afterwards, but no new list is loaded.
func (l *List) Close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.stop()
	l.loads.Wait()
}

// loadInBackground starts a load of the current list unless one is running. The load is
// bounded by the List's own context and LoadTimeout, not by the lookup that asked for it.
func (l *List) loadInBackground() {
	select {
	case l.loading <- struct{}{}:
	default:
		return // a load is running; it reads the head version itself
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		<-l.loading
		return
	}
	l.loads.Add(1)
	l.mu.Unlock()
	go func() {
		defer l.loads.Done()
		defer func() { <-l.loading }()
		ctx, cancel := context.WithTimeout(l.ctx, l.opt.LoadTimeout)
		defer cancel()
		if err := l.load(ctx); err != nil && l.ctx.Err() == nil {
			st := l.state.Load()
			var serving int64
			if st != nil {
				serving = st.meta.Version
			}
			l.opt.Logger.Warn("invalid-passport list: load failed; lookups answer from the list in memory (version 0: none)",
				"version", serving, "err", err)
		}
	}()
}

// load brings the list in memory up to date with the database. The caller holds loading.
func (l *List) load(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		now := l.opt.Now()
		v, err := headVersion(ctx, l.db.Reader())
		if err != nil {
			return err
		}
		st := l.state.Load()
		next := &listState{head: v, checked: now}
		if st != nil {
			next.set, next.meta = st.set, st.meta
		}
		l.publish(next) // lookups meanwhile know that a list exists, and need not check again
		if v == next.meta.Version {
			return nil // up to date, or no list (version 0)
		}
		set, m, err := loadSet(ctx, l.db, v)
		if errors.Is(err, errVanished) && attempt < 3 {
			continue // replaced while it was read: read the head again
		}
		if err != nil {
			return fmt.Errorf("passlist: load list %d: %w", v, err)
		}
		l.opt.Logger.Info("invalid-passport list loaded", "version", m.Version, "entries", m.Entries)
		l.publish(&listState{set: set, meta: m, head: v, checked: now})
		return nil
	}
}
