package config

func init() {
	settingCases = append(settingCases, []settingCase{
		{env: "SEP_ESIA_URL", value: "https://esia.gosuslugi.ru/", ok: func(c *Config) bool { return c.Cabinet.URL == "https://esia.gosuslugi.ru" && c.Cabinet.External() }},
		{env: "SEP_ESIA_URL", value: "esia.gosuslugi.ru", reason: "not an absolute http(s) URL without query"},
		{env: "SEP_ESIA_MNEMONIC", value: "MYSYSTEM", ok: func(c *Config) bool { return c.Cabinet.Mnemonic == "MYSYSTEM" }},
		{env: "SEP_ESIA_MNEMONIC", value: "две буквы", reason: "want 2 to 64 letters, digits, _ . -"},
		{env: "SEP_ESIA_CERT_FILE", value: "/etc/sep/esia/system.cer", ok: func(c *Config) bool { return c.Cabinet.CertFile == "/etc/sep/esia/system.cer" }},
		{env: "SEP_ESIA_CERT_FILE", value: "  ", reason: "an empty file name"},
		{env: "SEP_ESIA_KEY_FILE", value: " ", reason: "an empty file name"},
		{env: "SEP_ESIA_KEY_FILE", value: "/etc/sep/esia/system.key", ok: func(c *Config) bool { return c.Cabinet.KeyFile == "/etc/sep/esia/system.key" }},
		{env: "SEP_ESIA_SIGNER", value: "https://signer.example.ru/sign", ok: func(c *Config) bool { return c.Cabinet.Signer == "https://signer.example.ru/sign" }},
		{env: "SEP_ESIA_SIGNER", value: "csptest -keyset -sign GOST12_256", reason: "a command needs {in} and {out}, or give an http(s) URL"},
		{env: "SEP_ESIA_SIGNER_REVERSE", value: "true", ok: func(c *Config) bool { return c.Cabinet.SignerReverse }},
		{env: "SEP_ESIA_SIGNER_REVERSE", value: "yes", reason: "not a boolean (want true or false)"},
		{env: "SEP_ESIA_PROVIDER_CERT_FILES", value: "/a.pem, /b.pem", ok: func(c *Config) bool {
			return len(c.Cabinet.ProviderCertFiles) == 2 && c.Cabinet.ProviderCertFiles[1] == "/b.pem"
		}},
		{env: "SEP_ESIA_PROVIDER_CERT_FILES", value: "/a.pem,", reason: "an empty file name"},
		{env: "SEP_ESIA_PROVIDER_ISSUER", value: "esia", reason: "not an absolute URL"},
		{env: "SEP_ESIA_PROVIDER_ISSUER", value: "http://esia.gosuslugi.ru/", ok: func(c *Config) bool { return c.Cabinet.Issuer == "http://esia.gosuslugi.ru/" }},
	}...)
}
