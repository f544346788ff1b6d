package maintenance

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/web"
)

// CacheFor is how long an instance answers from its copy of the schedule before reading it
// again: a window scheduled or cancelled anywhere takes effect everywhere within this time.
const CacheFor = 5 * time.Second

// Cache is one instance's copy of the schedule, which the web layer asks on every request
// (it implements web.MaintenanceSchedule). The request that finds the copy older than the
// TTL reads the database; the others go on with the copy meanwhile. When the database cannot
// be read, the copy stays as it was (the site is not closed by a database hiccup, nor opened
// in the middle of a window) and the failure is logged once until a read succeeds.
type Cache struct {
	store *Store
	ttl   time.Duration
	log   *slog.Logger

	mu       sync.Mutex
	windows  []web.MaintenanceWindow // not cancelled, by start time
	loadedAt time.Time               // the last read, successful or not; zero before any
	loading  bool
	failing  bool
}

// CacheOptions tune a Cache.
type CacheOptions struct {
	TTL    time.Duration // CacheFor by default
	Logger *slog.Logger
}

// NewCache returns an empty cache of the store's schedule; Refresh fills it.
func NewCache(s *Store, opt CacheOptions) *Cache {
	if opt.TTL <= 0 {
		opt.TTL = CacheFor
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Cache{store: s, ttl: opt.TTL, log: opt.Logger}
}

// Windows returns the windows not ended at now, earliest first; see web.MaintenanceSchedule.
func (c *Cache) Windows(ctx context.Context, now time.Time) []web.MaintenanceWindow {
	c.mu.Lock()
	stale := c.loadedAt.IsZero() || time.Since(c.loadedAt) >= c.ttl
	if stale && !c.loading {
		c.loading = true
		c.mu.Unlock()
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		c.Refresh(rctx)
		cancel()
		c.mu.Lock()
	}
	ws := c.windows
	c.mu.Unlock()
	// Windows never overlap, so by start time they are also by end time: the ended ones are a
	// prefix.
	for len(ws) > 0 && !ws[0].To.After(now) {
		ws = ws[1:]
	}
	return ws
}

// Refresh reads the schedule now.
func (c *Cache) Refresh(ctx context.Context) error {
	list, err := c.store.Upcoming(ctx, c.store.now())
	c.mu.Lock()
	defer c.mu.Unlock()
	c.loading, c.loadedAt = false, time.Now()
	if err != nil {
		if !c.failing {
			c.log.Warn("cannot read the maintenance schedule; going on with the last one read", "err", err)
		}
		c.failing = true
		return err
	}
	if c.failing {
		c.log.Info("the maintenance schedule can be read again")
	}
	c.failing = false
	ws := make([]web.MaintenanceWindow, len(list))
	for i, w := range list {
		ws[i] = web.MaintenanceWindow{From: w.From, To: w.To}
		if w.NoteRU != "" {
			ws[i].Notes = map[string]string{i18n.RU: w.NoteRU, i18n.EN: w.NoteEN}
		}
	}
	c.windows = ws
	return nil
}
