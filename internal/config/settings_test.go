package config

import (
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// settingCase is one value of one setting: either accepted, with what it sets, or refused
// with the reason people read.
type settingCase struct {
	env, value string
	ok         func(c *Config) bool // an accepted value sets this
	reason     string               // a refused value: the exact Reason
}

func loadEnv(t *testing.T, args []string, env map[string]string) (*Config, []string, error) {
	t.Helper()
	return Load(args, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, io.Discard, nil)
}

var settingCases = []settingCase{
	{env: "SEP_MODE", value: "demo", ok: func(c *Config) bool { return c.Mode == Demo && c.Demo() }},
	{env: "SEP_MODE", value: "staging", reason: "unknown mode (want demo or production)"},
	{env: "SEP_MODE", value: "Production", reason: "unknown mode (want demo or production)"},

	{env: "SEP_DATA_DIR", value: "/srv/sep", ok: func(c *Config) bool { return c.DataDir == "/srv/sep" && c.DatabaseDSN() == "sqlite:/srv/sep/sep.db" }},

	{env: "SEP_HTTP_ADDR", value: ":0", ok: func(c *Config) bool { return c.HTTPAddr == ":0" }},
	{env: "SEP_HTTP_ADDR", value: "[::1]:8443", ok: func(c *Config) bool {
		return c.HTTPAddr == "[::1]:8443" && c.PublicURL.String() == "http://[::1]:8443"
	}},
	{env: "SEP_HTTP_ADDR", value: "localhost", reason: "not a host:port address"},

	{env: "SEP_PUBLIC_URL", value: "https://sep.example.ru/", ok: func(c *Config) bool { return c.PublicURL.String() == "https://sep.example.ru" }},
	{env: "SEP_PUBLIC_URL", value: "http://sep.example.ru:8080", ok: func(c *Config) bool { return c.PublicURL.String() == "http://sep.example.ru:8080" }},
	{env: "SEP_PUBLIC_URL", value: "sep.example.ru", reason: "not a URL (want http://host…)"},
	{env: "SEP_PUBLIC_URL", value: "ftp://sep.example.ru", reason: `unsupported scheme "ftp" (want http or https)`},
	{env: "SEP_PUBLIC_URL", value: "https://sep.example.ru/portal", reason: "a path prefix is not supported; give scheme and host only"},

	{env: "SEP_DATABASE_URL", value: "sqlite:/tmp/sep.db", ok: func(c *Config) bool { return c.DatabaseDSN() == "sqlite:/tmp/sep.db" }},
	{env: "SEP_DATABASE_URL", value: "postgres://sep:pw@db.example.ru/sep", ok: func(c *Config) bool { return c.DatabaseURL == "postgres://sep:pw@db.example.ru/sep" }},
	{env: "SEP_DATABASE_URL", value: "postgresql://db.example.ru/sep", ok: func(c *Config) bool { return c.DatabaseURL == "postgresql://db.example.ru/sep" }},
	{env: "SEP_DATABASE_URL", value: "mysql://sep:pw@db/sep", reason: `unsupported scheme "mysql" (want postgres or postgresql)`},
	{env: "SEP_DATABASE_URL", value: "postgres://sep:%zz@db/sep", reason: "not a URL (want postgres://host…)"},

	{env: "SEP_DB_MAX_CONNS", value: "1000", ok: func(c *Config) bool { return c.DBMaxConns == 1000 }},
	{env: "SEP_DB_MAX_CONNS", value: "0", reason: "out of range (1–1000)"},
	{env: "SEP_DB_MAX_CONNS", value: "ten", reason: "not a whole number"},

	{env: "SEP_AUTO_MIGRATE", value: "false", ok: func(c *Config) bool { return !c.AutoMigrate }},
	{env: "SEP_AUTO_MIGRATE", value: "maybe", reason: "not a boolean (want true or false)"},

	{env: "SEP_LOG_LEVEL", value: "debug", ok: func(c *Config) bool { return c.LogLevel == slog.LevelDebug }},
	{env: "SEP_LOG_LEVEL", value: "WARN", ok: func(c *Config) bool { return c.LogLevel == slog.LevelWarn }},
	{env: "SEP_LOG_LEVEL", value: "verbose", reason: "unknown log level (want debug, info, warn or error)"},
	{env: "SEP_LOG_LEVEL", value: "info+2", reason: "unknown log level (want debug, info, warn or error)"},

	{env: "SEP_LOG_FORMAT", value: "json", ok: func(c *Config) bool { return c.LogFormat == "json" }},
	{env: "SEP_LOG_FORMAT", value: "xml", reason: "unknown log format (want text or json)"},

	{env: "SEP_SHUTDOWN_TIMEOUT", value: "1m30s", ok: func(c *Config) bool { return c.ShutdownTimeout == 90*time.Second }},
	{env: "SEP_SHUTDOWN_TIMEOUT", value: "soon", reason: "not a duration (e.g. 30s, 2m)"},
	{env: "SEP_SHUTDOWN_TIMEOUT", value: "-1s", reason: "not a duration (e.g. 30s, 2m)"},

	{env: "SEP_WORKERS", value: "0", ok: func(c *Config) bool { return c.Workers == 0 }},
	{env: "SEP_WORKERS", value: "257", reason: "out of range (0–256)"},

	{env: "SEP_MAX_BODY", value: "1024", ok: func(c *Config) bool { return c.MaxBodyBytes == 1024 }},
	{env: "SEP_MAX_BODY", value: "1023", reason: "out of range (1024–1073741824)"},
	{env: "SEP_MAX_BODY", value: "1MiB", reason: "not a whole number"},

	{env: "SEP_TRUSTED_PROXIES", value: "10.1.2.3/8, 192.168.1.7 ,::1,", ok: func(c *Config) bool {
		return slices.Equal(c.TrustedProxies, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"),
			netip.MustParsePrefix("192.168.1.7/32"), netip.MustParsePrefix("::1/128")})
	}},
	{env: "SEP_TRUSTED_PROXIES", value: " , ", ok: func(c *Config) bool { return c.TrustedProxies == nil }},
	{env: "SEP_TRUSTED_PROXIES", value: "10.0.0.0/8,proxy.local", reason: `"proxy.local" is not an address or a network (CIDR)`},
	{env: "SEP_TRUSTED_PROXIES", value: "10.0.0.0/33", reason: `"10.0.0.0/33" is not an address or a network (CIDR)`},

	// Alone, either TLS file is refused (complete); together they make the default URL https.
	{env: "SEP_TLS_CERT_FILE", value: "/etc/sep/cert.pem", reason: "SEP_TLS_CERT_FILE and SEP_TLS_KEY_FILE go together"},
	{env: "SEP_TLS_KEY_FILE", value: "/etc/sep/key.pem", reason: "SEP_TLS_CERT_FILE and SEP_TLS_KEY_FILE go together"},

	{env: "SEP_RETAIN_CODES", value: "12h", ok: func(c *Config) bool { return c.Retention.Codes == 12*time.Hour }},
	{env: "SEP_RETAIN_CODES", value: "10m", reason: "at least 1h"},
	{env: "SEP_RETAIN_MESSAGES", value: "30d", ok: func(c *Config) bool { return c.Retention.Messages == 30*24*time.Hour }},
	{env: "SEP_RETAIN_MESSAGES", value: "1w", reason: "not a period (e.g. 90d, 12h)"},
	{env: "SEP_RETAIN_INBOX", value: "730d", ok: func(c *Config) bool { return c.Retention.Inbox == 730*24*time.Hour }},
	{env: "SEP_RETAIN_INBOX", value: "36501d", reason: "at most 36500d"},
	{env: "SEP_RETAIN_OUTBOX", value: "1d", ok: func(c *Config) bool { return c.Retention.Outbox == 24*time.Hour }},
	{env: "SEP_RETAIN_OUTBOX", value: "-1d", reason: "not a period (e.g. 90d, 12h)"},
	{env: "SEP_RETAIN_REGISTRY_CHECKS", value: "1825d", ok: func(c *Config) bool { return c.Retention.RegistryChecks == 1825*24*time.Hour }},
	{env: "SEP_RETAIN_REGISTRY_CHECKS", value: "forever", reason: "not a period (e.g. 90d, 12h)"},

	{env: "SEP_PASSWORD_MAX_AGE", value: "90", ok: func(c *Config) bool { return c.Passwords.MaxAge == 90*24*time.Hour }},
	{env: "SEP_PASSWORD_MAX_AGE", value: "365d", ok: func(c *Config) bool { return c.Passwords.MaxAge == 365*24*time.Hour }},
	{env: "SEP_PASSWORD_MAX_AGE", value: "0", ok: func(c *Config) bool { return c.Passwords.MaxAge == 0 }},
	{env: "SEP_PASSWORD_MAX_AGE", value: "3m", reason: "not a number of days (e.g. 90; 0 is off)"},
	{env: "SEP_PASSWORD_MAX_AGE", value: "4000", reason: "at most 3650 days"},

	{env: "SEP_AUDIT_ANCHORS", value: "/var/log/sep/anchors.log, syslog", ok: func(c *Config) bool {
		return slices.Equal(c.AuditAnchors, []string{"/var/log/sep/anchors.log", "syslog"})
	}},
	{env: "SEP_AUDIT_ANCHORS", value: "syslog,,https://witness.example.ru/a", reason: "an empty item in the list"},

	{env: "SEP_TLS_MIN_VERSION", value: "1.3", ok: func(c *Config) bool { return c.TLSMinVersion == tls.VersionTLS13 }},
	{env: "SEP_TLS_MIN_VERSION", value: "1.2", ok: func(c *Config) bool { return c.TLSMinVersion == tls.VersionTLS12 }},
	{env: "SEP_TLS_MIN_VERSION", value: "1.1", reason: "unknown TLS version (want 1.2 or 1.3)"},

	{env: "SEP_METRICS_TOKEN", value: "s3cr3t-metrics", ok: func(c *Config) bool { return c.MetricsToken == "s3cr3t-metrics" }},

	{env: "SEP_AUDIT_CHECKPOINT_INTERVAL", value: "1m", ok: func(c *Config) bool { return c.AuditCheckpointInterval == time.Minute }},
	{env: "SEP_AUDIT_CHECKPOINT_INTERVAL", value: "59s", reason: "at least 1m"},
	{env: "SEP_AUDIT_CHECKPOINT_INTERVAL", value: "hourly", reason: "not a duration (e.g. 30s, 2m)"},

	{env: "SEP_SMTP_URL", value: "smtps://robot:s3cr3t@mail.example.ru", ok: func(c *Config) bool { return c.SMTPURL == "smtps://robot:s3cr3t@mail.example.ru" }},
	{env: "SEP_SMTP_URL", value: "smtp:/s3cr3t", reason: "not a URL (want smtp://host…)"},
	{env: "SEP_SMTP_URL", value: "http://robot:s3cr3t@mail.example.ru", reason: `unsupported scheme "http" (want smtp or smtps)`},

	{env: "SEP_SMS_GATEWAY_URL", value: "https://user:s3cr3t@sms.example.ru/send", ok: func(c *Config) bool { return c.SMSGatewayURL == "https://user:s3cr3t@sms.example.ru/send" }},
	{env: "SEP_SMS_GATEWAY_URL", value: "http://user:s3cr3t@sms.example.ru/send", ok: func(c *Config) bool { return c.SMSGatewayURL != "" }}, // demo: never used
	{env: "SEP_SMS_GATEWAY_URL", value: "ftp://user:s3cr3t@sms.example.ru", reason: `unsupported scheme "ftp" (want http or https)`},
	{env: "SEP_SMS_GATEWAY_URL", value: "s3cr3t", reason: "not a URL (want http://host…)"},

	{env: "SEP_SMTP_FROM", value: "СЭП <noreply@sep.example.ru>", ok: func(c *Config) bool { return c.Notify.SMTPFrom == "СЭП <noreply@sep.example.ru>" }},
	{env: "SEP_SMTP_FROM", value: "noreply", reason: `not an e-mail address (want noreply@host or "Name <noreply@host>")`},

	{env: "SEP_SMS_AUTH", value: "Authorization: Bearer s3cr3t", ok: func(c *Config) bool { return c.Notify.SMSAuth == "Authorization: Bearer s3cr3t" }},
	{env: "SEP_SMS_AUTH", value: "Bearer s3cr3t", reason: `want "Name: value", e.g. "Authorization: Bearer KEY"`},
	{env: "SEP_SMS_AUTH", value: "X-Key: s3cr3t\r\nX-Other: 1", reason: `want "Name: value", e.g. "Authorization: Bearer KEY"`},
	{env: "SEP_SMS_AUTH", value: "X-Key:  ", reason: `want "Name: value", e.g. "Authorization: Bearer KEY"`},

	{env: "SEP_SMS_BODY", value: "to={{query .PhoneDigits}}", ok: func(c *Config) bool { return c.Notify.SMSBody == "to={{query .PhoneDigits}}" }},

	{env: "SEP_SMS_CONTENT_TYPE", value: "application/x-www-form-urlencoded", ok: func(c *Config) bool { return c.Notify.SMSContentType == "application/x-www-form-urlencoded" }},
	{env: "SEP_SMS_CONTENT_TYPE", value: "json", reason: "not a media type (e.g. application/json)"},
	{env: "SEP_SMS_CONTENT_TYPE", value: "text/plain\r\nX-Injected: 1", reason: "not a media type (e.g. application/json)"},

	{env: "SEP_SMS_SENDER", value: "SEP", ok: func(c *Config) bool { return c.Notify.SMSSender == "SEP" }},

	{env: "SEP_NOTIFY_OUTBOX", value: "true", ok: func(c *Config) bool { return c.Notify.Outbox != nil && *c.Notify.Outbox }},
	{env: "SEP_NOTIFY_OUTBOX", value: "false", reason: "demo mode never sends messages out; run SEP_MODE=production to send them"},
	{env: "SEP_NOTIFY_OUTBOX", value: "yes", reason: "not a boolean (want true or false)"},

	{env: "SEP_NOTIFY_CODE_LIMITS", value: "5/1h", ok: func(c *Config) bool { return slices.Equal(c.Notify.CodeLimits, []RateLimit{{5, time.Hour}}) }},
	{env: "SEP_NOTIFY_CODE_LIMITS", value: "3", reason: `"3": want COUNT/PERIOD pairs, e.g. 3/10m,10/24h`},
	{env: "SEP_NOTIFY_CODE_LIMITS", value: "3/10m,0/1h", reason: `"0/1h": want COUNT/PERIOD pairs, e.g. 3/10m,10/24h`},
	{env: "SEP_NOTIFY_CODE_LIMITS", value: "3/500ms", reason: `"3/500ms": the period must be between 1s and 744h`},
	{env: "SEP_NOTIFY_TEST_LIMITS", value: " 1/1s , 2/744h ", ok: func(c *Config) bool {
		return slices.Equal(c.Notify.TestLimits, []RateLimit{{1, time.Second}, {2, 744 * time.Hour}})
	}},
	{env: "SEP_NOTIFY_TEST_LIMITS", value: "3/745h", reason: `"3/745h": the period must be between 1s and 744h`},
	{env: "SEP_NOTIFY_TEST_LIMITS", value: "3/1h,", reason: `"": want COUNT/PERIOD pairs, e.g. 3/10m,10/24h`},
	{env: "SEP_ID_IDLE_TIMEOUT", value: "90s", ok: func(c *Config) bool { return c.IDIdleTimeout == 90*time.Second }},
	{env: "SEP_ID_IDLE_TIMEOUT", value: "5s", reason: "want between 10s and 12h"},
	{env: "SEP_PASSPORT_STATUS_MAX_AGE", value: "6h", ok: func(c *Config) bool { return c.PassportStatusMaxAge == 6*time.Hour }},
	{env: "SEP_PASSPORT_STATUS_MAX_AGE", value: "0s", reason: "not a positive duration (e.g. 30s, 2m)"},

	{env: "SEP_SIGNING_KEY_FILE", value: "/etc/sep/signing.pem", ok: func(c *Config) bool { return c.SigningKeyFile == "/etc/sep/signing.pem" }},
	{env: "SEP_DATA_KEY_FILE", value: "/etc/sep/data.key", ok: func(c *Config) bool { return c.DataKeyFile == "/etc/sep/data.key" }},
	{env: "SEP_VAPID_KEY_FILE", value: "/etc/sep/vapid.pem", ok: func(c *Config) bool { return c.Notify.VAPIDKeyFile == "/etc/sep/vapid.pem" }},

	{env: "SEP_REGISTRY_SOURCE", value: "none", ok: func(c *Config) bool { return c.RegistrySource() == RegistryNone }},
	{env: "SEP_REGISTRY_SOURCE", value: "mvd", reason: "unknown source (want simulator or none)"},
	{env: "SEP_REGISTRY_TIMEOUT", value: "2s", ok: func(c *Config) bool { return c.Registry.Timeout == 2*time.Second }},
	{env: "SEP_REGISTRY_TIMEOUT", value: "0s", reason: "not a positive duration (e.g. 30s, 2m)"},
	{env: "SEP_REGISTRY_ATTEMPTS", value: "100", ok: func(c *Config) bool { return c.Registry.Attempts == 100 }},
	{env: "SEP_REGISTRY_ATTEMPTS", value: "101", reason: "out of range (1–100)"},
	{env: "SEP_REGISTRY_BACKOFF", value: "1m", ok: func(c *Config) bool { return c.Registry.Backoff == time.Minute }},
	{env: "SEP_REGISTRY_BACKOFF", value: "soon", reason: "not a positive duration (e.g. 30s, 2m)"},
	{env: "SEP_REGISTRY_SIM_LATENCY", value: " 10ms - 20ms ", ok: func(c *Config) bool {
		return c.Registry.SimLatencyMin == 10*time.Millisecond && c.Registry.SimLatencyMax == 20*time.Millisecond
	}},
	{env: "SEP_REGISTRY_SIM_LATENCY", value: "400ms-50ms", reason: "the maximum is below the minimum"},
	{env: "SEP_REGISTRY_SIM_LATENCY", value: "fast", reason: "not a latency (e.g. 50ms-400ms, 100ms or 0)"},
	{env: "SEP_REGISTRY_SIM_LATENCY", value: "-5ms", reason: "not a latency (e.g. 50ms-400ms, 100ms or 0)"},
	{env: "SEP_REGISTRY_SIM_FAILURE_RATE", value: "1", ok: func(c *Config) bool { return c.Registry.SimFailureRate == 1 }},
	{env: "SEP_REGISTRY_SIM_FAILURE_RATE", value: "1.5", reason: "not a share between 0 and 1 (e.g. 0.05)"},
	{env: "SEP_REGISTRY_SIM_FAILURE_RATE", value: "NaN", reason: "not a share between 0 and 1 (e.g. 0.05)"},
	{env: "SEP_REGISTRY_SIM_OUTAGES", value: "2:00-2:30", ok: func(c *Config) bool {
		return slices.Equal(c.Registry.SimOutages, []DailyWindow{{2 * time.Hour, 2*time.Hour + 30*time.Minute}})
	}},
	{env: "SEP_REGISTRY_SIM_OUTAGES", value: "02:00-24:00", reason: `"02:00-24:00" is not a window HH:MM-HH:MM`},
	{env: "SEP_REGISTRY_SIM_OUTAGES", value: "02:00-02:30, 03:00", reason: `"03:00" is not a window HH:MM-HH:MM`},
}

func (sc settingCase) String() string { return sc.env + "=" + sc.value }

func settingNamed(env string) (setting, bool) {
	for _, s := range settings {
		if s.env == env {
			return s, true
		}
	}
	return setting{}, false
}

// TestEverySettingIsTested keeps the table above complete: a new setting without an accepted
// value (and a refused one, where any value can be wrong) fails here.
func TestEverySettingIsTested(t *testing.T) {
	freeForm := map[string]bool{"SEP_DATA_DIR": true, "SEP_METRICS_TOKEN": true, "SEP_SMS_BODY": true,
		"SEP_SMS_SENDER": true, "SEP_SIGNING_KEY_FILE": true, "SEP_DATA_KEY_FILE": true, "SEP_VAPID_KEY_FILE": true,
		"SEP_TLS_CERT_FILE": true, "SEP_TLS_KEY_FILE": true}
	for _, s := range settings {
		var good, bad bool
		for _, sc := range settingCases {
			if sc.env == s.env {
				good = good || sc.ok != nil
				bad = bad || sc.reason != ""
			}
		}
		if !good && !freeForm[s.env] || !bad && !freeForm[s.env] {
			t.Errorf("%s: accepted value tested %v, refused value tested %v", s.env, good, bad)
		}
	}
	for _, sc := range settingCases {
		if _, ok := settingNamed(sc.env); !ok {
			t.Errorf("%s is not a setting", sc.env)
		}
	}
}

// TestSettingValues: each value is applied as documented, or stops start-up with one error
// that names the setting, repeats the value unless it is a secret, and gives the exact reason.
func TestSettingValues(t *testing.T) {
	for _, sc := range settingCases {
		t.Run(sc.String(), func(t *testing.T) {
			s, _ := settingNamed(sc.env)
			c, _, err := loadEnv(t, nil, map[string]string{sc.env: sc.value})
			if sc.ok != nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if !sc.ok(c) {
					t.Fatalf("accepted but not applied: %+v", c)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want a *config.Error", err)
			}
			if e.Setting != sc.env || e.Reason != sc.reason {
				t.Fatalf("got %s: %q\nwant %s: %q", e.Setting, e.Reason, sc.env, sc.reason)
			}
			msg := err.Error()
			switch {
			case !strings.HasPrefix(msg, sc.env):
				t.Errorf("%q does not start with the setting", msg)
			case s.secret && (e.Value != "" || strings.Contains(msg, "s3cr3t") || strings.Contains(msg, sc.value)):
				t.Errorf("a secret is echoed: %q", msg)
			case !s.secret && !strings.Contains(msg, strconv.Quote(sc.value)):
				t.Errorf("%q does not repeat the value", msg)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	c, rest, err := loadEnv(t, []string{"extra", "-x"}, map[string]string{"SEP_LOG_LEVEL": ""})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rest, []string{"extra", "-x"}) {
		t.Errorf("arguments after the flags: %q", rest)
	}
	if c.Mode != Demo || c.DataDir != "./var" || c.HTTPAddr != "127.0.0.1:8080" ||
		c.PublicURL.String() != "http://127.0.0.1:8080" || c.DatabaseDSN() != "sqlite:var/sep.db" ||
		c.DBMaxConns != 10 || !c.AutoMigrate || c.LogLevel != slog.LevelInfo || c.LogFormat != "text" ||
		c.ShutdownTimeout != 30*time.Second || c.Workers != 4 || c.MaxBodyBytes != 1<<20 ||
		c.TrustedProxies != nil || c.AuditCheckpointInterval != 10*time.Minute ||
		c.Notify.SMSContentType != "application/json" || c.Notify.Outbox != nil ||
		!slices.Equal(c.Notify.CodeLimits, []RateLimit{{3, 10 * time.Minute}, {10, 24 * time.Hour}}) ||
		!slices.Equal(c.Notify.TestLimits, []RateLimit{{3, time.Hour}, {10, 24 * time.Hour}}) {
		t.Fatalf("defaults: %+v", c)
	}
	// Both TLS files: sep serves HTTPS, so its own default address is https.
	c, _, err = loadEnv(t, nil, map[string]string{"SEP_TLS_CERT_FILE": "c.pem", "SEP_TLS_KEY_FILE": "k.pem"})
	if err != nil || c.PublicURL.String() != "https://127.0.0.1:8080" {
		t.Fatalf("with TLS: %v %v", c, err)
	}
}

// TestFlagWinsOverEnvironment: for every setting, -flag VALUE is used and the variable is not
// even parsed (a bad value there does not matter).
func TestFlagWinsOverEnvironment(t *testing.T) {
	for _, sc := range settingCases {
		if sc.ok == nil {
			continue
		}
		s, _ := settingNamed(sc.env)
		env := map[string]string{sc.env: "from the environment\x00"}
		c, _, err := loadEnv(t, []string{"-" + s.flag, sc.value}, env)
		if err != nil {
			t.Errorf("-%s %q with %s set: %v", s.flag, sc.value, sc.env, err)
			continue
		}
		if !sc.ok(c) {
			t.Errorf("-%s %q: the environment won", s.flag, sc.value)
		}
	}
	_, _, err := loadEnv(t, []string{"-no-such-setting", "1"}, nil)
	if err == nil || err.Error() != "flag provided but not defined: -no-such-setting (see --help)" {
		t.Errorf("unknown flag: %v", err)
	}
}

// TestSecretsFromFiles: every secret may come from VAR_FILE, not from both places, and what is
// read from a file is never repeated in an error.
func TestSecretsFromFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var secrets int
	for _, sc := range settingCases {
		s, _ := settingNamed(sc.env)
		if !s.secret {
			continue
		}
		secrets++
		file := write(strings.ToLower(sc.env), sc.value+"\r\n")
		c, _, err := loadEnv(t, nil, map[string]string{sc.env + "_FILE": file})
		switch {
		case sc.ok != nil && (err != nil || !sc.ok(c)):
			t.Errorf("%s_FILE holding %q: %v", sc.env, sc.value, err)
		case sc.ok == nil && (err == nil || strings.Contains(err.Error(), sc.value) || strings.Contains(err.Error(), file)):
			t.Errorf("%s_FILE holding a bad value: %v", sc.env, err)
		}
		_, _, err = loadEnv(t, nil, map[string]string{sc.env: sc.value, sc.env + "_FILE": file})
		if want := sc.env + ": set either " + sc.env + " or " + sc.env + "_FILE, not both"; err == nil || err.Error() != want {
			t.Errorf("both set: %v, want %q", err, want)
		}
		missing := filepath.Join(dir, "missing")
		_, _, err = loadEnv(t, nil, map[string]string{sc.env + "_FILE": missing})
		if want := sc.env + `_FILE="` + missing + `": cannot read the file`; err == nil || err.Error() != want {
			t.Errorf("missing file: %v, want %q", err, want)
		}
	}
	if secrets < 4 {
		t.Fatalf("only %d secret cases", secrets)
	}
	// Only secrets have a _FILE variant.
	file := write("level", "debug")
	if c, _, err := loadEnv(t, nil, map[string]string{"SEP_LOG_LEVEL_FILE": file}); err != nil || c.LogLevel != slog.LevelInfo {
		t.Errorf("SEP_LOG_LEVEL_FILE was read: %v", err)
	}
}

// TestDumpMasksSecrets: the config command shows every setting, a secret only as (set).
func TestDumpMasksSecrets(t *testing.T) {
	c, _, err := loadEnv(t, nil, map[string]string{"SEP_METRICS_TOKEN": "s3cr3t-metrics",
		"SEP_DATABASE_URL": "postgres://sep:s3cr3t@db/sep", "SEP_LOG_LEVEL": "debug"})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	c.Dump(&b)
	out := b.String()
	if strings.Contains(out, "s3cr3t") || !strings.Contains(out, "SEP_METRICS_TOKEN=(set)\n") ||
		!strings.Contains(out, "SEP_DATABASE_URL=(set)\n") || !strings.Contains(out, "SEP_LOG_LEVEL=debug\n") ||
		!strings.Contains(out, "SEP_SMTP_URL=\n") || strings.Count(out, "\n") != len(settings) {
		t.Fatalf("dump:\n%s", out)
	}
	b.Reset()
	PrintSettings(&b)
	for _, s := range settings {
		want := s.env
		if s.secret {
			want += " | " + s.env + "_FILE"
		}
		if !strings.Contains(b.String(), "-"+s.flag+" ") || !strings.Contains(b.String(), want+", default") {
			t.Errorf("--help does not list %s as %q", s.flag, want)
		}
	}
}
