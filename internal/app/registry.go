package app

import (
	"context"
	"errors"
	"time"

	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/internal/registry/passlist"
	"github.com/sep-platform/sep/internal/registry/sim"
)

// openRegistry sets up the registry checks: the simulator or no registry at all, as
// SEP_REGISTRY_SOURCE says, and the МВД invalid-passport list. Real adapters (СМЭВ) plug into
// registry.Adapters the same way.
func (m *Main) openRegistry(ctx context.Context) {
	cfg := m.Config
	m.InvalidPassports = passlist.New(m.DB, passlist.Options{Logger: m.Logger, OnImported: m.paperRecheck})
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	if meta, err := m.InvalidPassports.Status(sctx); err == nil && meta.Version == 0 {
		m.Logger.Info("no list of invalid passports is imported: passport checks rely on the registry alone " +
			"(sep registry import-invalid-passports)")
	}
	cancel()
	var adapters registry.Adapters
	if cfg.RegistrySource() == config.RegistrySimulator {
		if !cfg.Demo() {
			m.Logger.Warn("registry checks are answered by the simulator from fictitious data (SEP_REGISTRY_SOURCE=simulator)")
		}
		var outages []sim.Window
		for _, w := range cfg.Registry.SimOutages {
			outages = append(outages, sim.Window{From: w.From, To: w.To})
		}
		m.RegistrySim = sim.New(sim.Options{LatencyMin: cfg.Registry.SimLatencyMin, LatencyMax: cfg.Registry.SimLatencyMax,
			FailureRate: cfg.Registry.SimFailureRate, Outages: outages})
		adapters = m.RegistrySim.Adapters()
	} else {
		m.Logger.Info("no state registry is configured: registry checks end unavailable (SEP_REGISTRY_SOURCE=none)")
	}
	var backoff func(int) time.Duration // zero settings (a Config not from Load) keep the defaults
	if cfg.Registry.Backoff > 0 {
		backoff = jobs.Exponential(cfg.Registry.Backoff, time.Hour)
	}
	m.Registry = registry.NewService(registry.Options{DB: m.DB, Jobs: m.Jobs, Box: m.Seal.Box, Adapters: adapters,
		InvalidPassports: invalidList{m.InvalidPassports}, Attempts: cfg.Registry.Attempts,
		Timeout: cfg.Registry.Timeout, Backoff: backoff, Logger: m.Logger})
}

// invalidList is the МВД list as passport checks consult it: before any list is imported it
// has nothing to say, and the registry alone answers. While an imported list is still loading
// (passlist.ErrNotLoaded) the check gets no answer and is retried: a passport is never
// confirmed without the list.
type invalidList struct{ *passlist.List }

func (l invalidList) Contains(ctx context.Context, series, number string) (bool, error) {
	on, err := l.List.Contains(ctx, series, number)
	if errors.Is(err, passlist.ErrNotImported) {
		return false, nil
	}
	return on, err
}
