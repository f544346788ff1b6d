package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// production returns the smallest environment production starts with, plus more.
func production(t *testing.T, more ...string) map[string]string {
	t.Helper()
	key := filepath.Join(t.TempDir()) // exists; the key files themselves are read by internal/keys
	env := map[string]string{"SEP_MODE": "production", "SEP_PUBLIC_URL": "https://sep.example.ru",
		"SEP_SMTP_URL": "smtps://mail.example.ru", "SEP_SIGNING_KEY_FILE": key, "SEP_DATA_KEY_FILE": key}
	for i := 0; i+1 < len(more); i += 2 {
		if more[i+1] == "" {
			delete(env, more[i])
		} else {
			env[more[i]] = more[i+1]
		}
	}
	return env
}

func TestProductionStartsWithTheRequiredSettings(t *testing.T) {
	c, err := load(t, production(t, "SEP_NOTIFY_OUTBOX", "false"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Demo() || c.LogFormat != "json" || c.RegistrySource() != RegistryNone || *c.Notify.Outbox {
		t.Fatalf("production: %+v", c)
	}
	// SMS alone is enough too.
	if _, err := load(t, production(t, "SEP_SMTP_URL", "", "SEP_SMS_GATEWAY_URL", "https://sms.example.ru/send")); err != nil {
		t.Fatal(err)
	}
}

// TestProductionRefusals: production names what is missing or unsafe, in one line.
func TestProductionRefusals(t *testing.T) {
	const loopback = "http:// only for a loopback host (localhost, 127.0.0.0/8, ::1)"
	publicReason := "production needs https:// (over http:// the session cookie is not Secure and HSTS is off); " + loopback
	smsReason := "production needs https:// (over http:// phone numbers, codes and the gateway credentials travel in clear); " + loopback
	missing := filepath.Join(t.TempDir(), "missing.pem")
	secretFile := filepath.Join(t.TempDir(), "sms-url")
	if err := os.WriteFile(secretFile, []byte("http://[2001:db8::1]/send?key=s3cr3t\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		env  map[string]string
		want string // the whole error line
	}{
		{"nothing", map[string]string{"SEP_MODE": "production"},
			`SEP_MODE="production": production needs SEP_PUBLIC_URL, SEP_SMTP_URL or SEP_SMS_GATEWAY_URL, SEP_SIGNING_KEY_FILE, SEP_DATA_KEY_FILE (or run SEP_MODE=demo)`},
		{"no gateway", production(t, "SEP_SMTP_URL", ""),
			`SEP_MODE="production": production needs SEP_SMTP_URL or SEP_SMS_GATEWAY_URL (or run SEP_MODE=demo)`},
		{"no data key", production(t, "SEP_DATA_KEY_FILE", ""),
			`SEP_MODE="production": production needs SEP_DATA_KEY_FILE (or run SEP_MODE=demo)`},
		{"unreadable key", production(t, "SEP_SIGNING_KEY_FILE", missing),
			`SEP_SIGNING_KEY_FILE="` + missing + `": the file cannot be read`},
		{"plain public URL", production(t, "SEP_PUBLIC_URL", "http://sep.example.ru"),
			`SEP_PUBLIC_URL="http://sep.example.ru": ` + publicReason},
		{"plain public URL by address", production(t, "SEP_PUBLIC_URL", "http://10.0.0.5:8080"),
			`SEP_PUBLIC_URL="http://10.0.0.5:8080": ` + publicReason},
		{"a name that only starts like loopback", production(t, "SEP_PUBLIC_URL", "http://127.0.0.1.example.ru"),
			`SEP_PUBLIC_URL="http://127.0.0.1.example.ru": ` + publicReason},
		{"plain SMS gateway", production(t, "SEP_SMS_GATEWAY_URL", "http://user:s3cr3t@sms.example.ru/send"),
			`SEP_SMS_GATEWAY_URL: ` + smsReason},
		{"plain SMS gateway from a file", production(t, "SEP_SMS_GATEWAY_URL_FILE", secretFile),
			`SEP_SMS_GATEWAY_URL: ` + smsReason},
	} {
		_, err := load(t, c.env)
		var e *Error
		if !errors.As(err, &e) || err.Error() != c.want {
			t.Errorf("%s: %v\nwant %s", c.name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%s: the gateway's secret is echoed", c.name)
		}
	}
}

// TestProductionAllowsPlainHTTPOnLoopback: a proxy or a gateway relay on the same machine may
// be reached without TLS, and demo mode never sends anything out, so it keeps http://.
func TestProductionAllowsPlainHTTPOnLoopback(t *testing.T) {
	for _, host := range []string{"127.0.0.1:8080", "127.10.20.30", "[::1]:9000", "localhost:8080", "LocalHost"} {
		env := production(t, "SEP_PUBLIC_URL", "http://"+host, "SEP_SMS_GATEWAY_URL", "http://"+host+"/send")
		c, err := load(t, env)
		if err != nil {
			t.Errorf("%s: %v", host, err)
			continue
		}
		if c.PublicURL.Scheme != "http" {
			t.Errorf("%s: %v", host, c.PublicURL)
		}
	}
	if _, err := load(t, map[string]string{"SEP_PUBLIC_URL": "http://sep.example.ru",
		"SEP_SMS_GATEWAY_URL": "http://sms.example.ru/send"}); err != nil {
		t.Errorf("demo mode: %v", err)
	}
}

func TestLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "127.0.0.1": true, "127.255.255.254": true, "::1": true,
		"::ffff:127.0.0.1": true, "": false, "localhost.example.ru": false, "128.0.0.1": false,
		"0.0.0.0": false, "::": false, "10.0.0.1": false, "[::1]": false, "127.1": false,
	} {
		if got := LoopbackHost(host); got != want {
			t.Errorf("LoopbackHost(%q) = %v", host, got)
		}
	}
}
