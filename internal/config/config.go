// Package config holds the typed settings of sep: where each comes from (a flag, an environment
// variable, a *_FILE variant for secrets, a default), how it is validated, and how it is listed in
// --help. A bad setting stops start-up with one line that names it.
package config

import (
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"time"
)

// Mode says whether sep runs with fictitious demo data and a local outbox, or for real.
type Mode string

// The modes. Demo is the default: nothing leaves the machine.
const (
	Demo       Mode = "demo"
	Production Mode = "production"
)

// Config is the validated set of settings.
type Config struct {
	Mode     Mode
	DataDir  string
	HTTPAddr string
	// PublicURL is the address users reach sep at (scheme, host, optional path prefix is not
	// supported). In demo mode it defaults to http://HTTPAddr.
	PublicURL *url.URL
	// DatabaseURL selects the database: empty for SQLite in DataDir, sqlite:PATH, or postgres://…
	DatabaseURL     string
	DBMaxConns      int
	AutoMigrate     bool
	LogLevel        slog.Level
	LogFormat       string // "text" or "json"
	ShutdownTimeout time.Duration
	Workers         int
	MaxBodyBytes    int64
	TrustedProxies  []netip.Prefix
	TLSCertFile     string
	TLSKeyFile      string
	TLSMinVersion   uint16 // tls.VersionTLS12 or tls.VersionTLS13, for HTTPS served by sep itself
	MetricsToken    string
	// AuditCheckpointInterval is how often the audit journal's head is signed (when it has
	// moved); sep also signs it when it shuts down.
	AuditCheckpointInterval time.Duration
	// AuditAnchors are the sinks each checkpoint is also written to (audit.OpenSinks checks
	// them).
	AuditAnchors []string

	// Outbound gateways and keys; production refuses to start without them.
	SMTPURL        string
	SMSGatewayURL  string
	SigningKeyFile string
	DataKeyFile    string
	Notify         NotifySettings // sender, SMS request shape, outbox, limits

	// Registry configures the state-registry checks (see settings.go).
	Registry RegistrySettings
	// Retention says how long personal data is kept (see retention.go).
	Retention RetentionSettings
	// SignIn limits sign-in attempts (see signin.go).
	SignIn SignInSettings
	// PassportStatusMaxAge is how old a passport status list may be for an offline check to
	// still answer «Действителен» (SEP_PASSPORT_STATUS_MAX_AGE).
	PassportStatusMaxAge time.Duration
	// IDIdleTimeout ends a signed-in session after this long without a request.
	IDIdleTimeout time.Duration
	// Passwords are the password rules an operator may set (see passwords.go).
	Passwords PasswordSettings
	// Services says where further service definitions are read from (see services.go).
	Services ServiceSettings
	// Documents say where uploaded documents are kept and which antivirus scans them (see
	// documents.go).
	Documents DocumentSettings
	// Provider configures ID as an ЕСИА provider (see provider.go).
	Provider ProviderSettings
	// Cabinet says which ЕСИА the cabinet signs citizens in through (see cabinet.go).
	Cabinet CabinetSettings

	raw map[string]string // the values as given, for Dump
}

// Demo reports whether sep runs in demo mode.
func (c *Config) Demo() bool { return c.Mode == Demo }

// Error is a bad setting. Its message names the setting and what is wrong with it.
type Error struct {
	Setting string // e.g. "SEP_LOG_LEVEL"
	Value   string // the offending value; empty for secrets
	Reason  string
}

func (e *Error) Error() string {
	if e.Value != "" {
		return fmt.Sprintf("%s=%q: %s", e.Setting, e.Value, e.Reason)
	}
	return e.Setting + ": " + e.Reason
}
