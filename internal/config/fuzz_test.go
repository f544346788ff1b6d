package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// applyOne runs the parser of one setting on v, as Load does.
func applyOne(t *testing.T, env, v string) (*Config, error) {
	t.Helper()
	s, ok := settingNamed(env)
	if !ok {
		t.Fatalf("no setting %s", env)
	}
	c := &Config{Mode: Demo}
	return c, s.apply(c, v)
}

// refusedWell checks what every parser promises of a refusal: a reason (which Load wraps in
// an *Error naming the setting), in one line.
func refusedWell(t *testing.T, env, v string, err error) {
	t.Helper()
	var r reason
	if !errors.As(err, &r) {
		t.Fatalf("%s=%q: %T %v, want a reason", env, v, err, err)
	}
	if strings.ContainsAny(err.Error(), "\r\n") {
		t.Fatalf("%s=%q: the reason spans lines: %q", env, v, err)
	}
}

// FuzzRateLimits: SEP_NOTIFY_*_LIMITS either yields limits within the documented bounds, which
// read back the same when written as COUNT/PERIOD pairs, or a one-line reason.
func FuzzRateLimits(f *testing.F) {
	for _, s := range []string{"3/10m,10/24h", "1/1s", "5/744h", " 2/1h , 3/2h ", "0/1h", "3/", "/1h", "3/1h,", "1/1.5s", "9223372036854775807/1h", "3/-1h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		c, err := applyOne(t, "SEP_NOTIFY_CODE_LIMITS", v)
		if err != nil {
			refusedWell(t, "SEP_NOTIFY_CODE_LIMITS", v, err)
			return
		}
		ls := c.Notify.CodeLimits
		if len(ls) == 0 {
			t.Fatalf("%q: accepted with no limit", v)
		}
		var parts []string
		for _, l := range ls {
			if l.N < 1 || l.Per < time.Second || l.Per > 744*time.Hour {
				t.Fatalf("%q: limit %+v out of bounds", v, l)
			}
			parts = append(parts, fmt.Sprintf("%d/%s", l.N, l.Per))
		}
		back, err := applyOne(t, "SEP_NOTIFY_CODE_LIMITS", strings.Join(parts, ","))
		if err != nil || !slices.Equal(back.Notify.CodeLimits, ls) {
			t.Fatalf("%q → %v does not read back: %v %v", v, parts, back.Notify.CodeLimits, err)
		}
	})
}

// FuzzTrustedProxies: SEP_TRUSTED_PROXIES yields masked networks that read back the same from
// their text, or a reason quoting the entry that is not one.
func FuzzTrustedProxies(f *testing.F) {
	for _, s := range []string{"10.0.0.0/8", "10.1.2.3/8, 192.168.1.7 ,::1,", "", " , ", "fe80::1%eth0", "::ffff:10.0.0.1/104", "10.0.0.0/33", "proxy.local", "1.2.3.4/0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		c, err := applyOne(t, "SEP_TRUSTED_PROXIES", v)
		if err != nil {
			refusedWell(t, "SEP_TRUSTED_PROXIES", v, err)
			if !strings.HasSuffix(err.Error(), "is not an address or a network (CIDR)") {
				t.Fatalf("%q: %v", v, err)
			}
			return
		}
		var parts []string
		for _, p := range c.TrustedProxies {
			if !p.IsValid() || p != p.Masked() {
				t.Fatalf("%q: %v is not a masked network", v, p)
			}
			parts = append(parts, p.String())
		}
		back, err := applyOne(t, "SEP_TRUSTED_PROXIES", strings.Join(parts, ","))
		if err != nil || !slices.Equal(back.TrustedProxies, c.TrustedProxies) {
			t.Fatalf("%q → %v does not read back: %v %v", v, parts, back.TrustedProxies, err)
		}
	})
}

// FuzzSimLatency: SEP_REGISTRY_SIM_LATENCY yields 0 ≤ MIN ≤ MAX, which reads back the same as
// MIN-MAX, or a reason.
func FuzzSimLatency(f *testing.F) {
	for _, s := range []string{"50ms-400ms", "0", "100ms", " 10ms - 20ms ", "400ms-50ms", "-5ms", "1h-", "-", "1ms-2ms-3ms", "2562047h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		c, err := applyOne(t, "SEP_REGISTRY_SIM_LATENCY", v)
		if err != nil {
			refusedWell(t, "SEP_REGISTRY_SIM_LATENCY", v, err)
			return
		}
		lo, hi := c.Registry.SimLatencyMin, c.Registry.SimLatencyMax
		if lo < 0 || hi < lo {
			t.Fatalf("%q: latency %v-%v", v, lo, hi)
		}
		back, err := applyOne(t, "SEP_REGISTRY_SIM_LATENCY", lo.String()+"-"+hi.String())
		if err != nil || back.Registry.SimLatencyMin != lo || back.Registry.SimLatencyMax != hi {
			t.Fatalf("%q → %v-%v does not read back: %v", v, lo, hi, err)
		}
	})
}

// FuzzSimOutages: SEP_REGISTRY_SIM_OUTAGES yields whole-minute windows within a day, each of
// some length, which read back the same as HH:MM-HH:MM, or a reason quoting the bad window.
func FuzzSimOutages(f *testing.F) {
	for _, s := range []string{"02:00-02:30", "02:00-02:30, 23:50-00:10", "2:00-2:30", "02:00-02:00", "02:00", "24:00-01:00", "x-y", "02:00-02:30,", "23:59-00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		c, err := applyOne(t, "SEP_REGISTRY_SIM_OUTAGES", v)
		if err != nil {
			refusedWell(t, "SEP_REGISTRY_SIM_OUTAGES", v, err)
			if !strings.HasSuffix(err.Error(), "is not a window HH:MM-HH:MM") {
				t.Fatalf("%q: %v", v, err)
			}
			return
		}
		ws := c.Registry.SimOutages
		if len(ws) == 0 {
			t.Fatalf("%q: accepted with no window", v)
		}
		clock := func(d time.Duration) string { return fmt.Sprintf("%02d:%02d", d/time.Hour, d%time.Hour/time.Minute) }
		var parts []string
		for _, w := range ws {
			for _, d := range []time.Duration{w.From, w.To} {
				if d < 0 || d >= 24*time.Hour || d%time.Minute != 0 {
					t.Fatalf("%q: window %+v is not whole minutes of one day", v, w)
				}
			}
			if w.From == w.To {
				t.Fatalf("%q: an empty window", v)
			}
			parts = append(parts, clock(w.From)+"-"+clock(w.To))
		}
		back, err := applyOne(t, "SEP_REGISTRY_SIM_OUTAGES", strings.Join(parts, ","))
		if err != nil || !slices.Equal(back.Registry.SimOutages, ws) {
			t.Fatalf("%q → %v does not read back: %v", v, parts, err)
		}
	})
}

// FuzzLoad: whatever one setting holds, Load either succeeds or returns one *Error naming a
// setting, in one line, that never repeats a secret.
func FuzzLoad(f *testing.F) {
	for i, sc := range settingCases {
		f.Add(uint8(i), sc.value)
	}
	f.Fuzz(func(t *testing.T, which uint8, v string) {
		s := settings[int(which)%len(settings)]
		_, _, err := loadEnv(t, nil, map[string]string{s.env: v})
		if err == nil {
			return
		}
		var e *Error
		if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), e.Setting) || !strings.HasPrefix(e.Setting, "SEP_") {
			t.Fatalf("%s=%q: %v is not an *Error naming the setting", s.env, v, err)
		}
		// Short values may match words of the reason; a secret of any length is never quoted.
		if s.secret && e.Setting == s.env && (e.Value != "" || len(v) >= 16 && strings.Contains(err.Error(), v)) {
			t.Fatalf("%s: the secret is in %q", s.env, err)
		}
	})
}
