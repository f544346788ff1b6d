package config

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// setting is one row of the settings table: its flag, environment variable, default, help, and
// how a value is applied to a Config.
type setting struct {
	flag   string
	env    string
	def    string
	arg    string // placeholder in help, e.g. ADDR
	usage  string
	secret bool // also read from ENV_FILE; the value is never printed
	apply  func(c *Config, v string) error
}

// reason is a validation failure of one value; Load wraps it into an *Error naming the setting.
type reason string

func (r reason) Error() string { return string(r) }

func reasonf(format string, args ...any) error { return reason(fmt.Sprintf(format, args...)) }

var settings = []setting{
	{flag: "mode", env: "SEP_MODE", def: "demo", arg: "MODE",
		usage: "demo (fictitious data, nothing leaves the machine) or production",
		apply: func(c *Config, v string) error {
			switch Mode(v) {
			case Demo, Production:
				c.Mode = Mode(v)
				return nil
			}
			return reason("unknown mode (want demo or production)")
		}},
	{flag: "data-dir", env: "SEP_DATA_DIR", def: "./var", arg: "DIR",
		usage: "directory for the SQLite database, keys and documents",
		apply: func(c *Config, v string) error { c.DataDir = v; return nil }},
	{flag: "http-addr", env: "SEP_HTTP_ADDR", def: "127.0.0.1:8080", arg: "ADDR",
		usage: "address the web server listens on (host:port; port 0 picks a free one)",
		apply: func(c *Config, v string) error {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return reason("not a host:port address")
			}
			c.HTTPAddr = v
			return nil
		}},
	{flag: "public-url", env: "SEP_PUBLIC_URL", arg: "URL",
		usage: "address users reach sep at, e.g. https://sep.example.ru (required in production, where http:// is refused unless the host is loopback)",
		apply: func(c *Config, v string) error {
			u, err := parseURL(v, "http", "https")
			if err != nil {
				return err
			}
			if u.Path != "" && u.Path != "/" {
				return reason("a path prefix is not supported; give scheme and host only")
			}
			u.Path = ""
			c.PublicURL = u
			return nil
		}},
	{flag: "database-url", env: "SEP_DATABASE_URL", arg: "URL", secret: true,
		usage: "database: empty for SQLite in the data directory, sqlite:PATH, or postgres://user@host/db",
		apply: func(c *Config, v string) error {
			if v != "" && !strings.HasPrefix(v, "sqlite:") {
				if _, err := parseURL(v, "postgres", "postgresql"); err != nil {
					return err
				}
			}
			c.DatabaseURL = v
			return nil
		}},
	{flag: "db-max-conns", env: "SEP_DB_MAX_CONNS", def: "10", arg: "N",
		usage: "most open database connections (PostgreSQL; SQLite readers)",
		apply: func(c *Config, v string) error { return parseInt(v, 1, 1000, &c.DBMaxConns) }},
	{flag: "auto-migrate", env: "SEP_AUTO_MIGRATE", def: "true", arg: "BOOL",
		usage: "apply pending database migrations when serve starts",
		apply: func(c *Config, v string) error { return parseBool(v, &c.AutoMigrate) }},
	{flag: "log-level", env: "SEP_LOG_LEVEL", def: "info", arg: "LEVEL",
		usage: "debug, info, warn or error",
		apply: func(c *Config, v string) error {
			if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil || !knownLevel(v) {
				return reason("unknown log level (want debug, info, warn or error)")
			}
			return nil
		}},
	{flag: "log-format", env: "SEP_LOG_FORMAT", arg: "FORMAT",
		usage: "text or json (default: text in demo mode, json in production)",
		apply: func(c *Config, v string) error {
			switch v {
			case "", "text", "json":
				c.LogFormat = v
				return nil
			}
			return reason("unknown log format (want text or json)")
		}},
	{flag: "shutdown-timeout", env: "SEP_SHUTDOWN_TIMEOUT", def: "30s", arg: "DURATION",
		usage: "the whole stop after SIGTERM: in-flight requests and jobs, then the journal's last entry and checkpoint",
		apply: func(c *Config, v string) error { return parseDuration(v, &c.ShutdownTimeout) }},
	{flag: "workers", env: "SEP_WORKERS", def: "4", arg: "N",
		usage: "background jobs run at once by this instance (0: none, e.g. a web-only instance)",
		apply: func(c *Config, v string) error { return parseInt(v, 0, 256, &c.Workers) }},
	{flag: "max-body", env: "SEP_MAX_BODY", def: "1048576", arg: "BYTES",
		usage: "largest request body accepted by ordinary forms and API calls",
		apply: func(c *Config, v string) error {
			var n int
			err := parseInt(v, 1024, 1<<30, &n)
			c.MaxBodyBytes = int64(n)
			return err
		}},
	{flag: "trusted-proxies", env: "SEP_TRUSTED_PROXIES", arg: "CIDRS",
		usage: "comma-separated networks of reverse proxies whose X-Forwarded-For is believed",
		apply: func(c *Config, v string) error {
			c.TrustedProxies = nil
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s == "" {
					continue
				}
				p, err := netip.ParsePrefix(s)
				if err != nil {
					a, aerr := netip.ParseAddr(s)
					if aerr != nil {
						return reasonf("%q is not an address or a network (CIDR)", s)
					}
					p = netip.PrefixFrom(a, a.BitLen())
				}
				c.TrustedProxies = append(c.TrustedProxies, p.Masked())
			}
			return nil
		}},
	{flag: "tls-cert-file", env: "SEP_TLS_CERT_FILE", arg: "FILE",
		usage: "serve HTTPS with this certificate (PEM); needs --tls-key-file",
		apply: func(c *Config, v string) error { c.TLSCertFile = v; return nil }},
	{flag: "tls-key-file", env: "SEP_TLS_KEY_FILE", arg: "FILE",
		usage: "private key (PEM) for --tls-cert-file",
		apply: func(c *Config, v string) error { c.TLSKeyFile = v; return nil }},
	{flag: "tls-min-version", env: "SEP_TLS_MIN_VERSION", def: "1.2", arg: "VERSION",
		usage: "oldest TLS version accepted when sep serves HTTPS itself: 1.2 or 1.3",
		apply: func(c *Config, v string) error {
			switch v {
			case "1.2":
				c.TLSMinVersion = tls.VersionTLS12
			case "1.3":
				c.TLSMinVersion = tls.VersionTLS13
			default:
				return reason("unknown TLS version (want 1.2 or 1.3)")
			}
			return nil
		}},
	{flag: "metrics-token", env: "SEP_METRICS_TOKEN", arg: "TOKEN", secret: true,
		usage: "if set, /metrics requires the header Authorization: Bearer TOKEN",
		apply: func(c *Config, v string) error { c.MetricsToken = v; return nil }},
	{flag: "audit-checkpoint-interval", env: "SEP_AUDIT_CHECKPOINT_INTERVAL", def: "10m", arg: "DURATION",
		usage: "how often the audit journal's head is signed with the instance key (when it has moved)",
		apply: func(c *Config, v string) error {
			if err := parseDuration(v, &c.AuditCheckpointInterval); err != nil {
				return err
			}
			if c.AuditCheckpointInterval < time.Minute {
				return reason("at least 1m")
			}
			return nil
		}},
	{flag: "audit-anchors", env: "SEP_AUDIT_ANCHORS", arg: "LIST", secret: true,
		usage: "where each signed checkpoint of the audit journal is also written, outside the database: comma-separated absolute file paths (outside the data directory), syslog, https:// witness URLs (secret: a URL may carry credentials)",
		apply: func(c *Config, v string) error {
			c.AuditAnchors = nil
			for _, item := range strings.Split(v, ",") {
				if item = strings.TrimSpace(item); item == "" {
					return reason("an empty item in the list")
				}
				c.AuditAnchors = append(c.AuditAnchors, item)
			}
			return nil
		}},
	{flag: "smtp-url", env: "SEP_SMTP_URL", arg: "URL", secret: true,
		usage: "mail gateway, smtp://user:password@host:587 (STARTTLS) or smtps://… (implicit TLS)",
		apply: func(c *Config, v string) error {
			if v != "" {
				if _, err := parseURL(v, "smtp", "smtps"); err != nil {
					return err
				}
			}
			c.SMTPURL = v
			return nil
		}},
	{flag: "sms-gateway-url", env: "SEP_SMS_GATEWAY_URL", arg: "URL", secret: true,
		usage: "SMS gateway endpoint (HTTP POST), e.g. https://user:key@sms.example.ru/send (production refuses http:// unless the host is loopback)",
		apply: func(c *Config, v string) error {
			if v != "" {
				if _, err := parseURL(v, "http", "https"); err != nil {
					return err
				}
			}
			c.SMSGatewayURL = v
			return nil
		}},
	{flag: "smtp-from", env: "SEP_SMTP_FROM", arg: "ADDRESS",
		usage: "sender of e-mail, e.g. \"СЭП <noreply@sep.example.ru>\" (required with SEP_SMTP_URL when mail is sent, i.e. in production)",
		apply: func(c *Config, v string) error {
			if _, err := mail.ParseAddress(v); err != nil {
				return reason("not an e-mail address (want noreply@host or \"Name <noreply@host>\")")
			}
			c.Notify.SMTPFrom = v
			return nil
		}},
	{flag: "sms-auth", env: "SEP_SMS_AUTH", arg: "HEADER", secret: true,
		usage: "one header sent to the SMS gateway, \"Name: value\", e.g. \"Authorization: Bearer KEY\" (user:password in the URL gives basic auth instead)",
		apply: func(c *Config, v string) error {
			name, value, ok := strings.Cut(v, ":")
			if !ok || strings.TrimSpace(name) == "" || strings.TrimSpace(value) == "" || strings.ContainsAny(v, "\r\n") {
				return reason(`want "Name: value", e.g. "Authorization: Bearer KEY"`)
			}
			c.Notify.SMSAuth = v
			return nil
		}},
	{flag: "sms-body", env: "SEP_SMS_BODY", arg: "TEMPLATE",
		usage: "request body for the SMS gateway, a Go text/template with .Phone .PhoneDigits .Text .ID .Sender and json/query/xml (default: JSON with to, text, client_id)",
		apply: func(c *Config, v string) error { c.Notify.SMSBody = v; return nil }},
	{flag: "sms-content-type", env: "SEP_SMS_CONTENT_TYPE", def: "application/json", arg: "TYPE",
		usage: "Content-Type of the SMS gateway request, e.g. application/x-www-form-urlencoded",
		apply: func(c *Config, v string) error {
			if strings.ContainsAny(v, "\r\n") || !strings.Contains(v, "/") {
				return reason("not a media type (e.g. application/json)")
			}
			c.Notify.SMSContentType = v
			return nil
		}},
	{flag: "sms-sender", env: "SEP_SMS_SENDER", arg: "NAME",
		usage: "sender name or number the SMS gateway shows, if it takes one (.Sender in the body)",
		apply: func(c *Config, v string) error { c.Notify.SMSSender = v; return nil }},
	{flag: "notify-outbox", env: "SEP_NOTIFY_OUTBOX", arg: "BOOL",
		usage: "keep e-mail and SMS in the development outbox instead of sending them (default: true in demo mode, false in production)",
		apply: func(c *Config, v string) error {
			var on bool
			if err := parseBool(v, &on); err != nil {
				return err
			}
			if !on && c.Mode == Demo {
				return reason("demo mode never sends messages out; run SEP_MODE=production to send them")
			}
			c.Notify.Outbox = &on
			return nil
		}},
	{flag: "notify-code-limits", env: "SEP_NOTIFY_CODE_LIMITS", def: "3/10m,10/24h", arg: "LIMITS",
		usage: "most one-time codes to one phone or address: COUNT/PERIOD pairs",
		apply: func(c *Config, v string) error { return parseLimits(v, &c.Notify.CodeLimits) }},
	{flag: "notify-test-limits", env: "SEP_NOTIFY_TEST_LIMITS", def: "3/1h,10/24h", arg: "LIMITS",
		usage: "most test messages to one phone or address: COUNT/PERIOD pairs",
		apply: func(c *Config, v string) error { return parseLimits(v, &c.Notify.TestLimits) }},
	{flag: "vapid-key-file", env: "SEP_VAPID_KEY_FILE", arg: "FILE",
		usage: "the web-push (VAPID, RFC 8292) key: a P-256 PKCS#8 PEM key (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256); generated in the data directory in demo mode; unset in production: no web push",
		apply: func(c *Config, v string) error { c.Notify.VAPIDKeyFile = v; return nil }},
	{flag: "id-idle-timeout", env: "SEP_ID_IDLE_TIMEOUT", def: "20m", arg: "DURATION",
		usage: "a signed-in session ends after this long without a request; pages warn 2 minutes before (from 10s to 12h)",
		apply: func(c *Config, v string) error {
			if err := parseDuration(v, &c.IDIdleTimeout); err != nil {
				return err
			}
			if c.IDIdleTimeout < 10*time.Second || c.IDIdleTimeout > 12*time.Hour {
				return reason("want between 10s and 12h")
			}
			return nil
		}},
	{flag: "signing-key-file", env: "SEP_SIGNING_KEY_FILE", arg: "FILE",
		usage: "the instance's GOST R 34.10-2012 signing key (PKCS#8 PEM); generated in the data directory in demo mode",
		apply: func(c *Config, v string) error { c.SigningKeyFile = v; return nil }},
	{flag: "data-key-file", env: "SEP_DATA_KEY_FILE", arg: "FILE",
		usage: "the data key ring that seals personal data at rest (one key of 64 hex digits per line, \"current\" after the one in use; see go doc ./internal/seal); generated in the data directory in demo mode",
		apply: func(c *Config, v string) error { c.DataKeyFile = v; return nil }},
	{flag: "registry-source", env: "SEP_REGISTRY_SOURCE", arg: "SOURCE",
		usage: "who answers registry checks (МВД, СФР, ФНС): simulator (fictitious data) or none (checks end unavailable); default simulator in demo mode, none in production",
		apply: func(c *Config, v string) error {
			switch v {
			case RegistrySimulator, RegistryNone:
				c.Registry.Source = v
				return nil
			}
			return reason("unknown source (want simulator or none)")
		}},
	{flag: "passport-status-max-age", env: "SEP_PASSPORT_STATUS_MAX_AGE", def: "24h", arg: "DURATION",
		usage: "how old a passport status list may be for an offline check to still say the passport is valid",
		apply: func(c *Config, v string) error { return parsePositiveDuration(v, &c.PassportStatusMaxAge) }},
	{flag: "registry-timeout", env: "SEP_REGISTRY_TIMEOUT", def: "30s", arg: "DURATION",
		usage: "how long one registry call may take before it counts as no answer",
		apply: func(c *Config, v string) error { return parsePositiveDuration(v, &c.Registry.Timeout) }},
	{flag: "registry-attempts", env: "SEP_REGISTRY_ATTEMPTS", def: "8", arg: "N",
		usage: "registry calls made for one check before it is stored as unavailable",
		apply: func(c *Config, v string) error { return parseInt(v, 1, 100, &c.Registry.Attempts) }},
	{flag: "registry-backoff", env: "SEP_REGISTRY_BACKOFF", def: "30s", arg: "DURATION",
		usage: "delay before calling a registry that did not answer again; it doubles each time, up to an hour",
		apply: func(c *Config, v string) error { return parsePositiveDuration(v, &c.Registry.Backoff) }},
	{flag: "registry-sim-latency", env: "SEP_REGISTRY_SIM_LATENCY", def: "50ms-400ms", arg: "MIN-MAX",
		usage: "how long the registry simulator takes to answer, drawn evenly from MIN-MAX (or one duration; 0 for at once)",
		apply: func(c *Config, v string) error {
			lo, hi, found := strings.Cut(v, "-")
			if !found {
				hi = lo
			}
			var r RegistrySettings
			if parseDuration(strings.TrimSpace(lo), &r.SimLatencyMin) != nil || parseDuration(strings.TrimSpace(hi), &r.SimLatencyMax) != nil {
				return reason("not a latency (e.g. 50ms-400ms, 100ms or 0)")
			}
			if r.SimLatencyMax < r.SimLatencyMin {
				return reason("the maximum is below the minimum")
			}
			c.Registry.SimLatencyMin, c.Registry.SimLatencyMax = r.SimLatencyMin, r.SimLatencyMax
			return nil
		}},
	{flag: "registry-sim-failure-rate", env: "SEP_REGISTRY_SIM_FAILURE_RATE", def: "0", arg: "RATE",
		usage: "share of registry simulator calls that fail as unavailable, 0 to 1 (to exercise retries)",
		apply: func(c *Config, v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || !(f >= 0 && f <= 1) { // NaN is neither
				return reason("not a share between 0 and 1 (e.g. 0.05)")
			}
			c.Registry.SimFailureRate = f
			return nil
		}},
	{flag: "registry-sim-outages", env: "SEP_REGISTRY_SIM_OUTAGES", arg: "WINDOWS",
		usage: "daily windows when the registry simulator is down, Moscow time: HH:MM-HH:MM, comma-separated (may run over midnight)",
		apply: func(c *Config, v string) error {
			c.Registry.SimOutages = nil
			for _, w := range strings.Split(v, ",") {
				from, to, ok := strings.Cut(strings.TrimSpace(w), "-")
				var dw DailyWindow
				if !ok || parseClock(from, &dw.From) != nil || parseClock(to, &dw.To) != nil || dw.From == dw.To {
					return reasonf("%q is not a window HH:MM-HH:MM", strings.TrimSpace(w))
				}
				c.Registry.SimOutages = append(c.Registry.SimOutages, dw)
			}
			return nil
		}},
}

// NotifySettings are the settings of outbound messages (internal/notify) beyond the gateway
// URLs.
type NotifySettings struct {
	SMTPFrom       string
	SMSAuth        string
	SMSBody        string
	SMSContentType string
	SMSSender      string
	SMSSuccess     string // a regular expression the gateway's answer must match; empty: any 2xx
	// Outbox, if set, forces the development outbox on or off; nil: on in demo mode only.
	Outbox     *bool
	CodeLimits []RateLimit
	TestLimits []RateLimit
	// VAPIDKeyFile is the web-push (VAPID) key; empty: generated in the data directory in
	// demo mode, no web push in production.
	VAPIDKeyFile string
}

// RateLimit is at most N messages within Per.
type RateLimit struct {
	N   int
	Per time.Duration
}

// parseLimits reads "3/10m,10/24h".
func parseLimits(v string, dst *[]RateLimit) error {
	var out []RateLimit
	for _, part := range strings.Split(v, ",") {
		ns, ps, ok := strings.Cut(strings.TrimSpace(part), "/")
		n, err := strconv.Atoi(ns)
		if !ok || err != nil || n < 1 {
			return reasonf("%q: want COUNT/PERIOD pairs, e.g. 3/10m,10/24h", part)
		}
		per, err := time.ParseDuration(ps)
		if err != nil || per < time.Second || per > 31*24*time.Hour {
			return reasonf("%q: the period must be between 1s and 744h", part)
		}
		out = append(out, RateLimit{N: n, Per: per})
	}
	*dst = out
	return nil
}

func parseURL(v string, schemes ...string) (*url.URL, error) {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return nil, reasonf("not a URL (want %s://host…)", schemes[0])
	}
	for _, s := range schemes {
		if u.Scheme == s {
			return u, nil
		}
	}
	return nil, reasonf("unsupported scheme %q (want %s)", u.Scheme, strings.Join(schemes, " or "))
}

func parseInt(v string, lo, hi int, dst *int) error {
	n, err := strconv.Atoi(v)
	if err != nil {
		return reason("not a whole number")
	}
	if n < lo || n > hi {
		return reasonf("out of range (%d–%d)", lo, hi)
	}
	*dst = n
	return nil
}

func parseBool(v string, dst *bool) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return reason("not a boolean (want true or false)")
	}
	*dst = b
	return nil
}

func parseDuration(v string, dst *time.Duration) error {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return reason("not a duration (e.g. 30s, 2m)")
	}
	*dst = d
	return nil
}

func knownLevel(v string) bool {
	switch strings.ToLower(v) {
	case "debug", "info", "warn", "error":
		return true
	}
	return false
}

// Registry sources (SEP_REGISTRY_SOURCE).
const (
	RegistrySimulator = "simulator" // the built-in simulator with fictitious people and organisations
	RegistryNone      = "none"      // no registry: checks end unavailable (not configured)
)

// RegistrySettings configure the state-registry checks (internal/registry).
type RegistrySettings struct {
	// Source is RegistrySimulator or RegistryNone; empty until set, see
	// Config.RegistrySource for the effective one.
	Source   string
	Timeout  time.Duration
	Attempts int
	Backoff  time.Duration

	SimLatencyMin, SimLatencyMax time.Duration
	SimFailureRate               float64
	SimOutages                   []DailyWindow
}

// DailyWindow is a time span repeated every day, as offsets from midnight; To
// before From runs over midnight.
type DailyWindow struct{ From, To time.Duration }

// RegistrySource is who answers registry checks: the setting if given, else
// the simulator in demo mode and none in production (no real adapter exists
// yet, and production must not confirm anyone against fictitious data
// unless told to).
func (c *Config) RegistrySource() string {
	switch {
	case c.Registry.Source != "":
		return c.Registry.Source
	case c.Demo():
		return RegistrySimulator
	}
	return RegistryNone
}

func parsePositiveDuration(v string, dst *time.Duration) error {
	if err := parseDuration(v, dst); err != nil || *dst == 0 {
		return reason("not a positive duration (e.g. 30s, 2m)")
	}
	return nil
}

// parseClock reads HH:MM as an offset from midnight.
func parseClock(v string, dst *time.Duration) error {
	t, err := time.Parse("15:04", strings.TrimSpace(v))
	if err != nil {
		return err
	}
	*dst = time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	return nil
}
