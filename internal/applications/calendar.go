package applications

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"time"

	"github.com/sep-platform/sep/internal/i18n"
)

var moscow = i18n.Moscow

// Calendar is the working-day calendar deadlines are counted on: Saturdays and Sundays off,
// and the public holidays (with the government's transfers) of the years it knows. Outside
// those years only weekends are off.
type Calendar struct {
	off   map[string]bool // "2026-01-02": a day off that is not a weekend
	on    map[string]bool // a weekend day that is a working day (a transfer)
	years map[int]CalendarYear
}

// CalendarYear is one year of the calendar as its data file calendar/YEAR.json states it:
// the legal basis (Labour Code art. 112 and the government's decree on transfers of that
// year), the transfers, the weekdays off, the weekend days that are working days, and the
// year's number of working days, which the file is checked against.
type CalendarYear struct {
	Year        int    `json:"year"`
	Basis       string `json:"basis"`
	Provisional bool   `json:"provisional"` // no decree yet: art. 112 holidays only
	Transfers   []struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"transfers"`
	Off         []string `json:"off"`
	Working     []string `json:"working"`
	WorkingDays int      `json:"working_days"`
}

//go:embed calendar/*.json
var calendarFiles embed.FS

var defaultCalendar = func() *Calendar {
	c, err := LoadCalendar(calendarFiles)
	if err != nil {
		panic(err)
	}
	return c
}()

// DefaultCalendar is the Russian working-day calendar of the years in calendar/*.json
// (2025–2027).
func DefaultCalendar() *Calendar { return defaultCalendar }

// LoadCalendar reads calendar/*.json from fsys. Each file is checked: its days off are
// weekdays and its working days weekends of its year, every transfer lands on a day off,
// and the year has the number of working days the file states.
func LoadCalendar(fsys fs.FS) (*Calendar, error) {
	files, err := fs.Glob(fsys, "calendar/*.json")
	if err != nil {
		return nil, err
	}
	c := &Calendar{off: map[string]bool{}, on: map[string]bool{}, years: map[int]CalendarYear{}}
	for _, name := range files {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var y CalendarYear
		if err := json.Unmarshal(b, &y); err != nil {
			return nil, fmt.Errorf("applications: %s: %w", name, err)
		}
		if err := c.add(y); err != nil {
			return nil, fmt.Errorf("applications: %s: %w", name, err)
		}
	}
	return c, nil
}

func (c *Calendar) add(y CalendarYear) error {
	if _, dup := c.years[y.Year]; dup || y.Year == 0 || y.Basis == "" {
		return fmt.Errorf("year %d: twice, or without its year or basis", y.Year)
	}
	day := func(s string) (time.Time, error) {
		d, err := time.ParseInLocation(time.DateOnly, s, moscow)
		if err != nil || d.Year() != y.Year {
			return d, fmt.Errorf("%q is not a day of %d", s, y.Year)
		}
		return d, nil
	}
	for _, s := range y.Off {
		d, err := day(s)
		if err != nil {
			return err
		}
		if weekend(d) {
			return fmt.Errorf("%s is a weekend: only weekdays are listed as off", s)
		}
		c.off[s] = true
	}
	for _, s := range y.Working {
		d, err := day(s)
		if err != nil {
			return err
		}
		if !weekend(d) {
			return fmt.Errorf("%s is a weekday: only weekends are listed as working", s)
		}
		c.on[s] = true
	}
	for _, t := range y.Transfers {
		if _, err := day(t.From); err != nil {
			return err
		}
		if !c.off[t.To] {
			return fmt.Errorf("the transfer from %s lands on %s, which is not listed as off", t.From, t.To)
		}
	}
	c.years[y.Year] = y
	n := 0
	for d := time.Date(y.Year, 1, 1, 12, 0, 0, 0, moscow); d.Year() == y.Year; d = d.AddDate(0, 0, 1) {
		if c.Working(d) {
			n++
		}
	}
	if n != y.WorkingDays {
		return fmt.Errorf("%d has %d working days by the file, which says %d", y.Year, n, y.WorkingDays)
	}
	return nil
}

func weekend(d time.Time) bool { return d.Weekday() == time.Saturday || d.Weekday() == time.Sunday }

// Year returns the data of a year the calendar knows.
func (c *Calendar) Year(year int) (CalendarYear, bool) {
	y, ok := c.years[year]
	return y, ok
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
	return !weekend(d)
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

// SubWorkingDays is the same time of day n working days before t, skipping days off: the
// moment a reminder «one working day before» is due. A t on a day off counts from the
// working day before it.
func (c *Calendar) SubWorkingDays(t time.Time, n int) time.Time {
	d := t.In(moscow)
	for n > 0 {
		d = d.AddDate(0, 0, -1)
		if c.Working(d) {
			n--
		}
	}
	return d.UTC()
}
