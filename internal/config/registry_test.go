package config

import (
	"io"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, env map[string]string) (*Config, error) {
	t.Helper()
	c, _, err := Load(nil, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, io.Discard, nil)
	return c, err
}

func TestRegistrySettings(t *testing.T) {
	c, err := load(t, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	r := c.Registry
	if c.RegistrySource() != RegistrySimulator || r.Timeout != 30*time.Second || r.Attempts != 8 ||
		r.Backoff != 30*time.Second || r.SimLatencyMin != 50*time.Millisecond || r.SimLatencyMax != 400*time.Millisecond ||
		r.SimFailureRate != 0 || r.SimOutages != nil {
		t.Fatalf("defaults: source %s, %+v", c.RegistrySource(), r)
	}

	c, err = load(t, map[string]string{"SEP_REGISTRY_SIM_LATENCY": "0", "SEP_REGISTRY_SIM_FAILURE_RATE": "0.25",
		"SEP_REGISTRY_SIM_OUTAGES": "02:00-02:30, 23:50-00:10", "SEP_REGISTRY_SOURCE": "none"})
	if err != nil {
		t.Fatal(err)
	}
	r = c.Registry
	want := []DailyWindow{{2 * time.Hour, 2*time.Hour + 30*time.Minute}, {23*time.Hour + 50*time.Minute, 10 * time.Minute}}
	if r.SimLatencyMin != 0 || r.SimLatencyMax != 0 || r.SimFailureRate != 0.25 || len(r.SimOutages) != 2 ||
		r.SimOutages[0] != want[0] || r.SimOutages[1] != want[1] || c.RegistrySource() != RegistryNone {
		t.Fatalf("set: source %s, %+v", c.RegistrySource(), r)
	}
	c, _ = load(t, map[string]string{"SEP_REGISTRY_SIM_LATENCY": "100ms"})
	if c.Registry.SimLatencyMin != 100*time.Millisecond || c.Registry.SimLatencyMax != 100*time.Millisecond {
		t.Fatalf("one duration: %+v", c.Registry)
	}
}

func TestRegistrySourceInProduction(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SEP_MODE": "production", "SEP_PUBLIC_URL": "https://sep.example.ru",
		"SEP_SMTP_URL": "smtp://mail.example.ru", "SEP_SIGNING_KEY_FILE": dir, "SEP_DATA_KEY_FILE": dir}
	c, err := load(t, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.RegistrySource() != RegistryNone {
		t.Fatalf("production without a setting answers from %q", c.RegistrySource())
	}
	env["SEP_REGISTRY_SOURCE"] = "simulator"
	if c, _ = load(t, env); c.RegistrySource() != RegistrySimulator {
		t.Fatal("production with an explicit simulator")
	}
}

func TestBadRegistrySettingsNameTheSetting(t *testing.T) {
	for env, value := range map[string]string{
		"SEP_REGISTRY_SOURCE":           "mvd",
		"SEP_REGISTRY_TIMEOUT":          "0s",
		"SEP_REGISTRY_ATTEMPTS":         "0",
		"SEP_REGISTRY_BACKOFF":          "soon",
		"SEP_REGISTRY_SIM_LATENCY":      "400ms-50ms",
		"SEP_REGISTRY_SIM_FAILURE_RATE": "1.5",
		"SEP_REGISTRY_SIM_OUTAGES":      "2:00-25:00",
	} {
		_, err := load(t, map[string]string{env: value})
		if err == nil || !strings.HasPrefix(err.Error(), env+"=") {
			t.Errorf("%s=%s: %v", env, value, err)
		}
	}
	for _, v := range []string{"02:00", "02:00-02:00", "x-y", "02:00-02:30,"} {
		if _, err := load(t, map[string]string{"SEP_REGISTRY_SIM_OUTAGES": v}); err == nil {
			t.Errorf("outages %q accepted", v)
		}
	}
}
