package config

import "os"

// ServiceSettings say where service definitions come from besides those built into sep.
type ServiceSettings struct {
	// Dir is a directory of further service files (YAML, the format of
	// internal/services/defs), read at start-up after the built-in ones; a file replaces the
	// built-in service of the same code. Empty: the built-in services only.
	Dir string
}

var serviceSettings = []setting{
	{flag: "services-dir", env: "SEP_SERVICES_DIR", arg: "DIR",
		usage: "directory of further service files (*.yaml, as internal/services/defs), loaded after the built-in ones; one with a built-in service's code replaces it; a broken file stops start-up",
		apply: func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			if st, err := os.Stat(v); err != nil || !st.IsDir() {
				return reason("not a directory")
			}
			c.Services.Dir = v
			return nil
		}},
}

func init() { settings = append(settings, serviceSettings...) }
