package app

import (
	"fmt"

	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/services"
)

// LoadServices reads the built-in service files and those of SEP_SERVICES_DIR. A broken file
// stops start-up: the error names each file and field that is wrong.
func LoadServices(cfg *config.Config) (*services.Catalogue, error) {
	sources := []services.Source{services.Builtin()}
	if cfg.Services.Dir != "" {
		sources = append(sources, services.Dir(cfg.Services.Dir))
	}
	c, err := services.Load(sources...)
	if err != nil {
		return nil, fmt.Errorf("service files:\n%w", err)
	}
	return c, nil
}
