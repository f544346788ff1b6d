package config

import (
	"testing"
	"time"
)

// The retention periods' defaults (their parsing is in the table of settings_test.go).
func TestRetentionDefaults(t *testing.T) {
	c, err := load(t, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	if r := c.Retention; r.Codes != day || r.Messages != 90*day || r.Inbox != 365*day || r.Outbox != 7*day ||
		r.RegistryChecks != 1095*day {
		t.Fatalf("defaults: %+v", r)
	}
}
