package config

import "time"

func init() {
	settingCases = append(settingCases, []settingCase{
		{env: "SEP_ESIA_ISSUER", value: "https://id.example.ru/", ok: func(c *Config) bool { return c.Provider.Issuer == "https://id.example.ru/" }},
		{env: "SEP_ESIA_ISSUER", value: "esia", reason: "not an absolute URL"},
		{env: "SEP_ESIA_TIMESTAMP_SKEW", value: "2m", ok: func(c *Config) bool { return c.Provider.Skew == 2*time.Minute }},
		{env: "SEP_ESIA_TIMESTAMP_SKEW", value: "2h", reason: "want between 10s and 1h"},
		{env: "SEP_ESIA_RSA_KEY_FILE", value: "/etc/sep/esia-rsa.pem", ok: func(c *Config) bool { return c.Provider.RSAKeyFile == "/etc/sep/esia-rsa.pem" }},
		{env: "SEP_ESIA_RSA_KEY_FILE", value: " ", reason: "an empty file name"},
	}...)
}
