package maintenance

import (
	"errors"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/i18n"
)

// ParseTime reads a time as an administrator types it: 2026-12-05T01:00+03:00 (any offset,
// seconds optional, Z for UTC), or without an offset, 2026-12-05T01:00 or 2026-12-05 01:00,
// in Moscow time.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02T15:04Z07:00", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, i18n.Moscow); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("not a time: want 2026-12-05T01:00+03:00 (or without the offset, in Moscow time)")
}
