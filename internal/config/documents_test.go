package config

func init() {
	settingCases = append(settingCases,
		settingCase{env: "SEP_DOCUMENTS_DIR", value: "/srv/sep/documents", ok: func(c *Config) bool { return c.Documents.Dir == "/srv/sep/documents" }},
		settingCase{env: "SEP_DOCUMENTS_DIR", value: "documents", reason: "not an absolute path"},
		settingCase{env: "SEP_DOCUMENTS_S3_URL", value: "https://storage.example.ru/sep-documents/prod", ok: func(c *Config) bool {
			return c.Documents.S3URL == "https://storage.example.ru/sep-documents/prod"
		}},
		settingCase{env: "SEP_DOCUMENTS_S3_URL", value: "https://storage.example.ru", reason: "not an http(s)://host/bucket address"},
		settingCase{env: "SEP_DOCUMENTS_S3_URL", value: "s3://bucket", reason: "not an http(s)://host/bucket address"},
		settingCase{env: "SEP_DOCUMENTS_S3_ACCESS_KEY", value: "AKIAEXAMPLE", ok: func(c *Config) bool { return c.Documents.S3AccessKey == "AKIAEXAMPLE" }},
		settingCase{env: "SEP_DOCUMENTS_S3_ACCESS_KEY", value: "two words", reason: "holds a space or a control character"},
		settingCase{env: "SEP_DOCUMENTS_S3_SECRET_KEY", value: "c2VjcmV0LWV4YW1wbGU=", ok: func(c *Config) bool { return c.Documents.S3SecretKey == "c2VjcmV0LWV4YW1wbGU=" }},
		settingCase{env: "SEP_DOCUMENTS_S3_SECRET_KEY", value: "tab\there", reason: "holds a space or a control character"},
		settingCase{env: "SEP_DOCUMENTS_S3_REGION", value: "ru-central1", ok: func(c *Config) bool { return c.Documents.S3Region == "ru-central1" }},
		settingCase{env: "SEP_DOCUMENTS_S3_REGION", value: "Москва", reason: "not a region name (e.g. ru-central1)"},
		settingCase{env: "SEP_CLAMD_URL", value: "unix:///run/clamav/clamd.ctl", ok: func(c *Config) bool { return c.Documents.ClamdURL == "unix:///run/clamav/clamd.ctl" }},
		settingCase{env: "SEP_CLAMD_URL", value: "tcp://127.0.0.1:3310", ok: func(c *Config) bool { return c.Documents.ClamdURL == "tcp://127.0.0.1:3310" }},
		settingCase{env: "SEP_CLAMD_URL", value: "127.0.0.1:3310", reason: "not tcp://host:port or unix:///path"},
	)
}
