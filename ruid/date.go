package ruid

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// dateLayout is the canonical date form, ДД.ММ.ГГГГ.
const dateLayout = "02.01.2006"

// Date checks a calendar date and returns it as ДД.ММ.ГГГГ.
//
// Accepted forms: ДД.ММ.ГГГГ with a dot, slash, hyphen or space between the
// parts and one- or two-digit day and month ("1.2.2000"); eight digits
// ДДММГГГГ, as masked inputs send them; and ГГГГ-ММ-ДД, which is what an HTML
// date input submits. The date must exist in the calendar (no 30 February)
// and its year must lie in a plausible range for a government form.
func Date(s string) (string, error) {
	t, err := ParseDate(s)
	if err != nil {
		return "", err
	}
	return t.Format(dateLayout), nil
}

// ParseDate is Date returning the date as a time.Time at midnight UTC.
func ParseDate(s string) (time.Time, error) {
	parts, err := dateParts(s)
	if err != nil {
		return time.Time{}, err
	}
	day, month, year := parts[0], parts[1], parts[2]
	if len(year) == 2 {
		return time.Time{}, fail(DateYearShort)
	}
	if len(day) > 2 || len(month) > 2 || len(year) != 4 {
		return time.Time{}, fail(DateFormat)
	}
	d, _ := strconv.Atoi(day)
	m, _ := strconv.Atoi(month)
	y, _ := strconv.Atoi(year)
	if y < rules.Date.MinYear || y > rules.Date.MaxYear {
		return time.Time{}, fail(DateYearRange, "year", year,
			"min", strconv.Itoa(rules.Date.MinYear), "max", strconv.Itoa(rules.Date.MaxYear))
	}
	if m < 1 || m > 12 {
		return time.Time{}, fail(DateMonth, "got", month)
	}
	if last := daysIn(y, time.Month(m)); d < 1 || d > last {
		return time.Time{}, fail(DateDay, "got", day, "month", strconv.Itoa(m),
			"year", year, "days", strconv.Itoa(last))
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), nil
}

// dateParts splits a typed date into day, month and year digit strings.
func dateParts(s string) ([3]string, error) {
	var fields []string
	var cur strings.Builder
	for _, r := range strings.TrimFunc(s, isBlank) {
		if v, ok := digitValue(r); ok {
			cur.WriteByte(byte('0' + v))
			continue
		}
		if r == '.' || r == '/' || isDash(r) || unicode.IsSpace(r) {
			// "01. 02. 2000" has two characters between parts.
			if cur.Len() > 0 {
				fields = append(fields, cur.String())
				cur.Reset()
			}
			continue
		}
		return [3]string{}, fail(DateFormat)
	}
	if cur.Len() > 0 {
		fields = append(fields, cur.String())
	}
	switch {
	case len(fields) == 0:
		return [3]string{}, fail(DateEmpty)
	case len(fields) == 1 && len(fields[0]) == 8:
		f := fields[0]
		return [3]string{f[0:2], f[2:4], f[4:8]}, nil
	case len(fields) == 3 && len(fields[0]) == 4:
		return [3]string{fields[2], fields[1], fields[0]}, nil
	case len(fields) == 3:
		return [3]string{fields[0], fields[1], fields[2]}, nil
	}
	return [3]string{}, fail(DateFormat)
}

// daysIn returns the number of days in a month.
func daysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// anniversary returns the day a person born on birth turns years old. Under
// the Civil Code (ГК РФ, art. 192 п. 3) a term in years that ends in a month
// without the starting day ends on that month's last day, so someone born on
// 29 February comes of age on 28 February in a common year.
func anniversary(birth time.Time, years int) time.Time {
	y := birth.Year() + years
	d := min(birth.Day(), daysIn(y, birth.Month()))
	return time.Date(y, birth.Month(), d, 0, 0, 0, 0, time.UTC)
}

// dateOnly drops the time of day, keeping the calendar date t has in its
// own location.
func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
