package config

import (
	"net/url"
	"strings"
	"time"
)

// ProviderSettings configure ID as an ЕСИА provider (internal/id/provider).
type ProviderSettings struct {
	// Issuer is the iss of the tokens; ЕСИА's is "http://esia.gosuslugi.ru/", which clients
	// written for ЕСИА compare with.
	Issuer string
	// Skew is how far a system's request timestamp may be from the provider's clock.
	Skew time.Duration
	// RSAKeyFile is the RSA key of RS256 tokens (PKCS#8 PEM); empty: DATA_DIR/keys/provider-rsa.pem,
	// generated in demo mode.
	RSAKeyFile string
}

var providerSettings = []setting{
	{flag: "esia-issuer", env: "SEP_ESIA_ISSUER", def: "http://esia.gosuslugi.ru/", arg: "URL",
		usage: "the iss of the tokens ID issues as an ЕСИА provider (ЕСИА's own by default, which its clients expect)",
		apply: func(c *Config, v string) error {
			if u, err := url.Parse(v); err != nil || u.Scheme == "" || u.Host == "" {
				return reason("not an absolute URL")
			}
			c.Provider.Issuer = v
			return nil
		}},
	{flag: "esia-timestamp-skew", env: "SEP_ESIA_TIMESTAMP_SKEW", def: "5m", arg: "DURATION",
		usage: "how far the timestamp of a system's ЕСИА request may be from now before ESIA-007015 (from 10s to 1h)",
		apply: func(c *Config, v string) error {
			if err := parseDuration(v, &c.Provider.Skew); err != nil {
				return err
			}
			if c.Provider.Skew < 10*time.Second || c.Provider.Skew > time.Hour {
				return reason("want between 10s and 1h")
			}
			return nil
		}},
	{flag: "esia-rsa-key-file", env: "SEP_ESIA_RSA_KEY_FILE", arg: "FILE",
		usage: "the RSA key (PKCS#8 PEM) of RS256 tokens for systems registered with that algorithm; generated in the data directory in demo mode",
		apply: func(c *Config, v string) error {
			if strings.TrimSpace(v) == "" {
				return reason("an empty file name")
			}
			c.Provider.RSAKeyFile = v
			return nil
		}},
}

func init() { settings = append(settings, providerSettings...) }
