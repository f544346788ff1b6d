package config

import (
	"strings"
	"testing"
	"time"
)

func TestRetentionSettings(t *testing.T) {
	c, err := load(t, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	if r := c.Retention; r.Codes != day || r.Messages != 90*day || r.Inbox != 365*day || r.Outbox != 7*day ||
		r.RegistryChecks != 1095*day {
		t.Fatalf("defaults: %+v", r)
	}
	c, err = load(t, map[string]string{"SEP_RETAIN_CODES": "12h", "SEP_RETAIN_OUTBOX": "2d"})
	if err != nil || c.Retention.Codes != 12*time.Hour || c.Retention.Outbox != 2*day {
		t.Fatalf("set: %+v, %v", c.Retention, err)
	}
	for v, want := range map[string]string{
		"":       "", // unset: the default
		"10m":    "at least 1h",
		"-1d":    "not a period",
		"1w":     "not a period",
		"d":      "not a period",
		"36501d": "at most 36500d",
	} {
		_, err := load(t, map[string]string{"SEP_RETAIN_MESSAGES": v})
		if want == "" {
			if err != nil {
				t.Errorf("%q: %v", v, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "SEP_RETAIN_MESSAGES") || !strings.Contains(err.Error(), want) {
			t.Errorf("SEP_RETAIN_MESSAGES=%q: %v, want an error naming the setting and saying %q", v, err, want)
		}
	}
}
