package applications

import (
	"time"

	"github.com/sep-platform/sep/internal/i18n"
)

var moscow = i18n.Moscow

// Calendar is the working-day calendar deadlines are counted on: Saturdays and Sundays off,
// and the public holidays (with the government's transfers) of the years it knows.
type Calendar struct {
	off map[string]bool // "2026-01-02": a day off that is not a weekend
	on  map[string]bool // a weekend day that is a working day (a transfer)
}

// holidays are the non-working days that are not Saturdays or Sundays, 2025–2027, from the
// government's yearly decrees on transfers (2025: No. 1335 of 04.10.2024; 2026: the decree of
// 2025). 2027 holds the statutory holidays of Labour Code art. 112 only, until its decree.
var holidays = []string{
	// 2025
	"2025-01-01", "2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07", "2025-01-08",
	"2025-05-01", "2025-05-02", "2025-05-08", "2025-05-09", "2025-06-12", "2025-06-13",
	"2025-11-03", "2025-11-04", "2025-12-31",
	// 2026
	"2026-01-01", "2026-01-02", "2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09",
	"2026-02-23", "2026-03-09", "2026-05-01", "2026-05-11", "2026-06-12", "2026-11-04", "2026-12-31",
	// 2027
	"2027-01-01", "2027-01-04", "2027-01-05", "2027-01-06", "2027-01-07", "2027-01-08",
	"2027-02-23", "2027-03-08", "2027-05-03", "2027-05-10", "2027-06-14", "2027-11-04",
}

// workingWeekends are Saturdays made working days by a transfer.
var workingWeekends = []string{"2025-11-01"}

// DefaultCalendar is the Russian working-day calendar of 2025–2027 (weekends only outside).
func DefaultCalendar() *Calendar {
	c := &Calendar{off: map[string]bool{}, on: map[string]bool{}}
	for _, d := range holidays {
		c.off[d] = true
	}
	for _, d := range workingWeekends {
		c.on[d] = true
	}
	return c
}

// Working reports whether day (in Moscow) is a working day.
func (c *Calendar) Working(day time.Time) bool {
	d := day.In(moscow)
	key := d.Format(time.DateOnly)
	if c.on[key] {
		return true
	}
	if c.off[key] {
		return false
	}
	return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
}

// AddWorkingDays is the end (23:59:59 Moscow time) of the n-th working day after from: an
// application submitted on Friday evening with 3 working days is due by Wednesday's end.
func (c *Calendar) AddWorkingDays(from time.Time, n int) time.Time {
	d := from.In(moscow)
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, moscow)
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if c.Working(day) {
			n--
		}
	}
	return day.Add(24*time.Hour - time.Second).UTC()
}
