package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/sep-platform/sep/internal/errs"
)

// SchedulePath is the public page that lists the maintenance windows (package maintenance
// serves it); the footer and the maintenance notices link to it.
const SchedulePath = "/maintenance"

// noticeAhead is how long before a window every page announces it.
const noticeAhead = 24 * time.Hour

// MaintenanceWindow is a scheduled maintenance window, as pages show it.
type MaintenanceWindow struct {
	From, To time.Time
	Notes    map[string]string // optional note by language code
}

// MaintenanceSchedule tells the site when it is closed for maintenance (package maintenance
// implements it on the database).
type MaintenanceSchedule interface {
	// Windows returns the windows that have not ended at now, earliest first, which the
	// caller must not change. It is asked on every request, so it answers from memory; when
	// the schedule cannot be read it returns what it knew last.
	Windows(ctx context.Context, now time.Time) []MaintenanceWindow
}

// MaintenanceNotice is the banner of a window, in the page's language: the window in progress
// (seen on the pages that stay open), or the next one within a day.
type MaintenanceNotice struct {
	From, To time.Time
	Now      bool // the window is in progress
	Note     string
}

// maintenanceError refuses a request during a window: 503 with Retry-After until its end.
type maintenanceError struct {
	window *MaintenanceWindow
	wait   time.Duration
}

func (e *maintenanceError) Error() string {
	return fmt.Sprintf("closed for maintenance until %s", e.window.To.UTC().Format(time.RFC3339))
}

func (e *maintenanceError) RetryAfter() time.Duration { return e.wait }

// ServeDuringMaintenance keeps the routes (ServeMux patterns as registered) open during
// maintenance windows: health checks, metrics, the schedule page, the language switch.
// Static assets always stay open.
func (s *Site) ServeDuringMaintenance(patterns ...string) {
	for _, p := range patterns {
		s.open[p] = true
	}
}

// maintenanceState finds the window in progress and the next one to announce, once per
// request.
func (s *Site) maintenanceState(r *http.Request) (current, next *MaintenanceWindow) {
	ri := info(r)
	if ri.windowsChecked || s.opt.Maintenance == nil {
		return ri.current, ri.next
	}
	ri.windowsChecked = true
	now := time.Now()
	ws := s.opt.Maintenance.Windows(r.Context(), now)
	for i := range ws {
		w := &ws[i]
		switch {
		case !w.To.After(now):
		case !w.From.After(now):
			if ri.current == nil {
				ri.current = w
			}
		case ri.next == nil && w.From.Sub(now) <= noticeAhead:
			ri.next = w
		}
	}
	return ri.current, ri.next
}

// closedFor reports the refusal of the request if a window is in progress and its route is
// not kept open.
func (s *Site) closedFor(r *http.Request, pattern string) error {
	current, _ := s.maintenanceState(r)
	if current == nil || s.open[pattern] {
		return nil
	}
	info(r).closed = true
	return errs.E(errs.Unavailable, "error.maintenance", &maintenanceError{window: current, wait: time.Until(current.To)})
}

// notice is the banner for the page of r, if any; none on the refusal itself, which says it
// all.
func (s *Site) notice(r *http.Request) *MaintenanceNotice {
	if info(r).closed {
		return nil
	}
	current, next := s.maintenanceState(r)
	w := current
	if w == nil {
		w = next
	}
	if w == nil {
		return nil
	}
	return &MaintenanceNotice{From: w.From, To: w.To, Now: w == current, Note: w.Notes[Lang(r)]}
}
