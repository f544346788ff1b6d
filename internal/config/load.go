package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Lookup reads an environment variable; os.LookupEnv in production, a map in tests.
type Lookup func(key string) (string, bool)

// ErrHelp is returned by Load when the arguments ask for help; the usage has been printed.
var ErrHelp = flag.ErrHelp

// Load builds a Config from command-line flags (args, without the command name), the
// environment and the defaults, in that order of precedence. It returns the arguments left after
// the flags. usage, if not nil, prints the command's own help before the settings table.
func Load(args []string, env Lookup, stderr io.Writer, usage func(w io.Writer)) (*Config, []string, error) {
	fs := flag.NewFlagSet("sep", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fromFlags := map[string]string{}
	for _, s := range settings {
		fs.Func(s.flag, s.usage, func(v string) error { fromFlags[s.env] = v; return nil })
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			if usage != nil {
				usage(stderr)
			}
			PrintSettings(stderr)
			return nil, nil, ErrHelp
		}
		return nil, nil, fmt.Errorf("%s (see --help)", strings.TrimPrefix(err.Error(), "invalid value "))
	}

	c := &Config{raw: map[string]string{}}
	for _, s := range settings {
		v, err := value(s, fromFlags, env)
		if err != nil {
			return nil, nil, err
		}
		c.raw[s.env] = v
		if v == "" {
			continue // an optional setting left unset
		}
		if err := s.apply(c, v); err != nil {
			e := &Error{Setting: s.env, Reason: err.Error()}
			if !s.secret {
				e.Value = v
			}
			return nil, nil, e
		}
	}
	if err := c.complete(); err != nil {
		return nil, nil, err
	}
	return c, fs.Args(), nil
}

// value picks a setting's raw value: the flag, then the variable, then VAR_FILE for secrets,
// then the default.
func value(s setting, fromFlags map[string]string, env Lookup) (string, error) {
	if v, ok := fromFlags[s.env]; ok {
		return v, nil
	}
	v, ok := env(s.env)
	if s.secret {
		path, fok := env(s.env + "_FILE")
		switch {
		case ok && v != "" && fok && path != "":
			return "", &Error{Setting: s.env, Reason: "set either " + s.env + " or " + s.env + "_FILE, not both"}
		case fok && path != "":
			b, err := os.ReadFile(path)
			if err != nil {
				return "", &Error{Setting: s.env + "_FILE", Value: path, Reason: "cannot read the file"}
			}
			return strings.TrimRight(string(b), "\r\n"), nil
		}
	}
	if ok && v != "" {
		return v, nil
	}
	return s.def, nil
}

// complete fills derived defaults and checks settings against each other.
func (c *Config) complete() error {
	if c.LogFormat == "" {
		c.LogFormat = "text"
		if c.Mode == Production {
			c.LogFormat = "json"
		}
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		given, path := "SEP_TLS_CERT_FILE", c.TLSCertFile
		if path == "" {
			given, path = "SEP_TLS_KEY_FILE", c.TLSKeyFile
		}
		return &Error{Setting: given, Value: path, Reason: "SEP_TLS_CERT_FILE and SEP_TLS_KEY_FILE go together"}
	}
	if c.Mode == Production {
		var missing []string
		if c.PublicURL == nil {
			missing = append(missing, "SEP_PUBLIC_URL")
		}
		if c.SMTPURL == "" && c.SMSGatewayURL == "" {
			missing = append(missing, "SEP_SMTP_URL or SEP_SMS_GATEWAY_URL")
		}
		if c.SigningKeyFile == "" {
			missing = append(missing, "SEP_SIGNING_KEY_FILE")
		}
		if c.DataKeyFile == "" {
			missing = append(missing, "SEP_DATA_KEY_FILE")
		}
		if len(missing) > 0 {
			return &Error{Setting: "SEP_MODE", Value: "production",
				Reason: "production needs " + strings.Join(missing, ", ") + " (or run SEP_MODE=demo)"}
		}
		for _, f := range []struct{ env, path string }{
			{"SEP_SIGNING_KEY_FILE", c.SigningKeyFile}, {"SEP_DATA_KEY_FILE", c.DataKeyFile},
		} {
			if _, err := os.Stat(f.path); err != nil {
				return &Error{Setting: f.env, Value: f.path, Reason: "the file cannot be read"}
			}
		}
		if err := c.checkTransport(); err != nil {
			return err
		}
	}
	if c.PublicURL == nil {
		scheme := "http"
		if c.TLSCertFile != "" {
			scheme = "https"
		}
		c.PublicURL = &url.URL{Scheme: scheme, Host: c.HTTPAddr}
	}
	return nil
}

// PrepareDataDir creates the data directory if needed and checks that sep can write to it.
func (c *Config) PrepareDataDir() error {
	fail := func(why string) error {
		return &Error{Setting: "SEP_DATA_DIR", Value: c.DataDir, Reason: why}
	}
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return fail("cannot create the directory")
	}
	f, err := os.CreateTemp(c.DataDir, ".write-test-*")
	if err != nil {
		return fail("the directory is not writable")
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	abs, err := filepath.Abs(c.DataDir)
	if err == nil {
		c.DataDir = abs
	}
	return nil
}

// DatabaseDSN returns the database URL to open: the configured one, or the SQLite file in the
// data directory.
func (c *Config) DatabaseDSN() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return "sqlite:" + filepath.Join(c.DataDir, "sep.db")
}

// PrintSettings writes the settings table: flag, environment variable, default and meaning.
func PrintSettings(w io.Writer) {
	fmt.Fprintln(w, "\nSettings (a flag wins over its environment variable; secrets may also come from VAR_FILE):")
	for _, s := range settings {
		def := s.def
		if def == "" {
			def = "(none)"
		}
		env := s.env
		if s.secret {
			env += " | " + s.env + "_FILE"
		}
		fmt.Fprintf(w, "  -%s %s\n      %s, default %s\n      %s\n", s.flag, s.arg, env, def, s.usage)
	}
}

// Value is one setting's effective value as it was given.
type Value struct {
	Env    string // e.g. SEP_LOG_LEVEL
	Value  string // empty when unset
	Secret bool   // never print or store Value
}

// Values lists every setting's effective value, in the order of the settings table.
func (c *Config) Values() []Value {
	out := make([]Value, len(settings))
	for i, s := range settings {
		out[i] = Value{Env: s.env, Value: c.raw[s.env], Secret: s.secret}
	}
	return out
}

// Dump writes the effective settings, one VAR=value a line, with secrets masked.
func (c *Config) Dump(w io.Writer) {
	for _, v := range c.Values() {
		if v.Secret && v.Value != "" {
			v.Value = "(set)"
		}
		fmt.Fprintf(w, "%s=%s\n", v.Env, v.Value)
	}
}
