// Package hits stores the times of recent events — the attempts a rate limit or a sign-in
// throttle counts — as one text column: Unix milliseconds, space-separated, ascending. Any
// instance reads and rewrites the row inside its transaction, so the counters are shared.
package hits

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Parse reads stored hits, keeping those after since, in ascending order (instances' clocks
// differ a little, so the order is restored rather than trusted). Unreadable fields are
// skipped.
func Parse(raw string, since time.Time) []time.Time {
	var out []time.Time
	for _, f := range strings.Fields(raw) {
		ms, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			continue
		}
		if t := time.UnixMilli(ms).UTC(); t.After(since) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return out
}

// Format writes hits as Parse reads them.
func Format(hits []time.Time) string {
	parts := make([]string, len(hits))
	for i, h := range hits {
		parts[i] = strconv.FormatInt(h.UnixMilli(), 10)
	}
	return strings.Join(parts, " ")
}
