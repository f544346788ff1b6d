package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/sep-platform/sep/internal/app"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/version"
)

func cmdServe(env *environment, args []string) int {
	cfg, _, code, ok := loadConfig(env, args, func(w io.Writer) {
		fmt.Fprintln(w, "Usage: sep serve [flags]\n\nStarts the web server and the background workers. With no settings at all it runs in\ndemo mode on an SQLite database in ./var and prints the address to open.")
	})
	if !ok {
		return code
	}
	log := newLogger(cfg, env.stderr)
	ctx, stop := signalContext()
	defer stop()

	m := app.New(cfg, log)
	defer m.Close()
	if err := m.Open(ctx); err != nil {
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		var cerr *config.Error
		if errors.As(err, &cerr) {
			return exitUsage
		}
		return exitFailure
	}
	log.Info("sep started", "version", version.String(), "mode", string(cfg.Mode),
		"database", m.DB.Dialect().String(), "url", m.URL())
	mode := "demo mode: fictitious data, no message leaves this machine"
	if !cfg.Demo() {
		mode = "production mode"
	}
	fmt.Fprintf(env.stdout, "СЭП is running at %s (%s). Press Ctrl+C to stop.\n", m.URL(), mode)
	if err := m.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return exitFailure
	}
	log.Info("sep stopped")
	return exitOK
}
