package config

import (
	"net/url"
	"regexp"
	"strings"
)

// CabinetSettings say which ЕСИА the cabinet («Войти через Госуслуги») signs citizens in
// through, and as which registered system. With URL empty the cabinet signs in through this
// instance's own ID, registering itself there at start; with URL set (the real ЕСИА, its test
// stand, another СЭП) nothing else changes but these settings.
type CabinetSettings struct {
	// URL is the ЕСИА base URL (https://esia.gosuslugi.ru); empty: this instance's ID.
	URL string
	// Mnemonic is the system's client_id.
	Mnemonic string
	// CertFile is the system's certificate (PEM or DER) registered for the mnemonic.
	CertFile string
	// KeyFile is the system's GOST R 34.10-2012-256 key (PEM), for the in-process signer.
	KeyFile string
	// Signer is an external signer instead of KeyFile: an http(s):// URL of a signing service,
	// or a command line with {in} and {out} (CryptoPro csptest, openssl dgst).
	Signer string
	// SignerReverse reverses the command's signature bytes (csptest writes them little-endian).
	SignerReverse bool
	// ProviderCertFiles verify the provider's tokens (several while ЕСИА rotates them).
	ProviderCertFiles []string
	// Issuer, when set, must equal the tokens' iss.
	Issuer string
}

// External reports whether the cabinet signs in through another provider than this instance.
func (c CabinetSettings) External() bool { return c.URL != "" }

var mnemonicPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{2,64}$`)

var cabinetSettings = []setting{
	{flag: "esia-url", env: "SEP_ESIA_URL", arg: "URL",
		usage: "the ЕСИА the cabinet signs citizens in through (https://esia.gosuslugi.ru, https://esia-portal1.test.gosuslugi.ru); empty: this instance's own ID, where the cabinet registers itself at start",
		apply: func(c *Config, v string) error {
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
				return reason("not an absolute http(s) URL without query")
			}
			c.Cabinet.URL = strings.TrimRight(v, "/")
			return nil
		}},
	{flag: "esia-mnemonic", env: "SEP_ESIA_MNEMONIC", def: "SEPCABINET", arg: "NAME",
		usage: "the mnemonic (client_id) the cabinet is registered with in ЕСИА",
		apply: func(c *Config, v string) error {
			if !mnemonicPattern.MatchString(v) {
				return reason("want 2 to 64 letters, digits, _ . -")
			}
			c.Cabinet.Mnemonic = v
			return nil
		}},
	{flag: "esia-cert-file", env: "SEP_ESIA_CERT_FILE", arg: "FILE",
		usage: "the cabinet's certificate (PEM or DER) registered in ЕСИА for the mnemonic; required with SEP_ESIA_URL",
		apply: func(c *Config, v string) error { return fileName(v, &c.Cabinet.CertFile) }},
	{flag: "esia-key-file", env: "SEP_ESIA_KEY_FILE", arg: "FILE",
		usage: "the cabinet's GOST R 34.10-2012-256 key (PEM) signing client_secret in this process; or use SEP_ESIA_SIGNER",
		apply: func(c *Config, v string) error { return fileName(v, &c.Cabinet.KeyFile) }},
	{flag: "esia-signer", env: "SEP_ESIA_SIGNER", arg: "COMMAND|URL",
		usage: "an external signer of client_secret: the http(s) URL of a signing service, or a command with {in} and {out} (e.g. csptest -keyset -sign GOST12_256 -container NAME -in {in} -out {out})",
		apply: func(c *Config, v string) error {
			if strings.TrimSpace(v) == "" {
				return reason("empty")
			}
			if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") &&
				(!strings.Contains(v, "{in}") || !strings.Contains(v, "{out}")) {
				return reason("a command needs {in} and {out}, or give an http(s) URL")
			}
			c.Cabinet.Signer = v
			return nil
		}},
	{flag: "esia-signer-reverse", env: "SEP_ESIA_SIGNER_REVERSE", def: "false", arg: "BOOL",
		usage: "reverse the bytes the signer command writes (true for CryptoPro csptest, false for OpenSSL)",
		apply: func(c *Config, v string) error { return parseBool(v, &c.Cabinet.SignerReverse) }},
	{flag: "esia-provider-cert-files", env: "SEP_ESIA_PROVIDER_CERT_FILES", arg: "FILE,FILE",
		usage: "ЕСИА's certificates (PEM or DER, comma-separated while ЕСИА rotates them) that verify its tokens; required with SEP_ESIA_URL",
		apply: func(c *Config, v string) error {
			c.Cabinet.ProviderCertFiles = nil
			for _, f := range strings.Split(v, ",") {
				if f = strings.TrimSpace(f); f == "" {
					return reason("an empty file name")
				}
				c.Cabinet.ProviderCertFiles = append(c.Cabinet.ProviderCertFiles, f)
			}
			return nil
		}},
	{flag: "esia-provider-issuer", env: "SEP_ESIA_PROVIDER_ISSUER", arg: "URL",
		usage: "the iss the provider's tokens must carry (http://esia.gosuslugi.ru/ for ЕСИА); empty: not checked",
		apply: func(c *Config, v string) error {
			if u, err := url.Parse(v); err != nil || u.Scheme == "" || u.Host == "" {
				return reason("not an absolute URL")
			}
			c.Cabinet.Issuer = v
			return nil
		}},
}

func fileName(v string, dst *string) error {
	if strings.TrimSpace(v) == "" {
		return reason("an empty file name")
	}
	*dst = v
	return nil
}

func init() { settings = append(settings, cabinetSettings...) }
