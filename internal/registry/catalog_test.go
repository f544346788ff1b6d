package registry_test

import (
	"testing"

	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/registry"
)

// Every name a check stores is shown to citizens and operators through the
// catalogs (both languages: i18n.Load refuses a key missing in one).
func TestEveryStoredNameHasAMessage(t *testing.T) {
	cat := i18n.Default()
	var keys []string
	for _, r := range registry.Registries() {
		keys = append(keys, "registry.name."+string(r))
	}
	for _, s := range registry.Statuses() {
		keys = append(keys, "registry.status."+string(s))
	}
	for _, r := range registry.Reasons() {
		keys = append(keys, "registry.reason."+string(r))
	}
	for _, f := range registry.Fields() {
		keys = append(keys, "registry.field."+f)
	}
	keys = append(keys, "registry.check_not_found", "registry.subject_invalid", "registry.query_invalid",
		"registry.rerun_conflict")
	for _, k := range keys {
		if !cat.Has(k) {
			t.Errorf("no message %q", k)
		}
	}
}
