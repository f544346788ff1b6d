package config

func init() {
	settingCases = append(settingCases, []settingCase{
		{env: "SEP_SERVICES_DIR", value: ".", ok: func(c *Config) bool { return c.Services.Dir == "." }},
		{env: "SEP_SERVICES_DIR", value: "./no-such-directory", reason: "not a directory"},
		{env: "SEP_SERVICES_DIR", value: "services.go", reason: "not a directory"},
	}...)
}
