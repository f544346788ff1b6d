package applications

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func day(s string) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, s, moscow)
	if err != nil {
		panic(err)
	}
	return d.Add(10 * time.Hour)
}

// The calendar's days checked against the decrees: 2025 (No. 1335 of 04.10.2024), 2026 (No.
// 1466 of 24.09.2025), 2027 (No. 1187 of 17.09.2026), with the Labour Code's own transfers.
func TestCalendarDays(t *testing.T) {
	c := DefaultCalendar()
	for d, working := range map[string]bool{
		"2025-01-08": false, "2025-01-09": true, // the new-year holidays end on 8 January
		"2025-02-24": true, // 23 February (a Sunday) moved to 8 May, not to the Monday after
		"2025-03-10": true, // 8 March (a Saturday) moved to 13 June
		"2025-05-02": false, "2025-05-08": false, "2025-06-13": false,
		"2025-11-01": true, // a working Saturday: its day off is Monday 3 November
		"2025-11-03": false, "2025-11-04": false, "2025-12-31": false,
		"2026-01-09": false, "2026-01-12": true, "2026-02-23": false,
		"2026-03-09": false, "2026-05-11": false, "2026-11-04": false, "2026-12-31": false,
		"2026-11-07": false, // an ordinary Saturday
		"2027-01-08": false, "2027-01-11": true,
		"2027-02-20": true, "2027-02-22": false, // a working Saturday for a Monday off
		"2027-05-03": false, "2027-05-10": false, "2027-06-14": false, "2027-11-05": false, "2027-12-31": false,
		"2028-01-03": true, // beyond the data: weekends only
	} {
		if got := c.Working(day(d)); got != working {
			t.Errorf("%s working %v, want %v", d, got, working)
		}
	}
	for y := 2025; y <= 2027; y++ {
		cy, ok := c.Year(y)
		if !ok || cy.Provisional || !strings.Contains(cy.Basis, "Постановление Правительства РФ") || cy.WorkingDays != 247 {
			t.Errorf("%d: %+v", y, cy)
		}
	}
}

func TestWorkingDayArithmetic(t *testing.T) {
	c := DefaultCalendar()
	for _, x := range []struct {
		from string
		n    int
		want string
	}{
		{"2025-02-28", 3, "2025-03-05"}, // Friday + 3: Monday to Wednesday
		{"2025-10-31", 1, "2025-11-01"}, // Friday + 1: the working Saturday
		{"2025-11-01", 1, "2025-11-05"}, // past 3 and 4 November
		{"2025-12-30", 2, "2026-01-13"}, // over the new-year holidays
		{"2026-12-04", 3, "2026-12-09"},
		{"2027-02-19", 1, "2027-02-20"},
	} {
		got := c.AddWorkingDays(day(x.from), x.n).In(moscow)
		if got.Format(time.DateOnly) != x.want || got.Format("15:04:05") != "23:59:59" {
			t.Errorf("%s + %d = %s, want %s 23:59:59", x.from, x.n, got.Format(time.DateTime), x.want)
		}
	}
	// One working day before Monday 12 January 2026 is Tuesday 30 December 2025.
	if got := c.SubWorkingDays(day("2026-01-12"), 1).In(moscow); got.Format(time.DateOnly) != "2025-12-30" {
		t.Errorf("a working day before 12 January 2026: %s", got.Format(time.DateOnly))
	}
}

// A data file that contradicts itself is refused at load.
func TestCalendarFileChecks(t *testing.T) {
	for name, body := range map[string]string{
		"count":    `{"year": 2025, "basis": "x", "off": [], "working": [], "working_days": 247}`,
		"weekend":  `{"year": 2025, "basis": "x", "off": ["2025-01-04"], "working": [], "working_days": 260}`,
		"weekday":  `{"year": 2025, "basis": "x", "off": [], "working": ["2025-01-09"], "working_days": 261}`,
		"transfer": `{"year": 2025, "basis": "x", "off": [], "working": [], "transfers": [{"from": "2025-01-04", "to": "2025-05-02"}], "working_days": 261}`,
		"year":     `{"year": 2025, "basis": "x", "off": ["2026-01-01"], "working": [], "working_days": 261}`,
	} {
		_, err := LoadCalendar(fstest.MapFS{"calendar/2025.json": {Data: []byte(body)}})
		if err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	if _, err := LoadCalendar(fstest.MapFS{"calendar/2025.json": {Data: []byte(`{"year": 2025, "basis": "x", "working_days": 261}`)}}); err != nil {
		t.Errorf("weekends only: %v", err)
	}
}
