package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/sep-platform/sep/internal/app"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/id/provider"
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
	var demo []id.DemoUser
	var seeded id.DemoOutcome
	if cfg.Demo() && m.Audit != nil { // nil: migrations pending
		var err error
		if demo, seeded, err = m.SeedDemo(ctx); err != nil {
			fmt.Fprintf(env.stderr, "sep: demo users: %v\n", err)
			return exitFailure
		}
	}
	fmt.Fprintf(env.stdout, "СЭП is running at %s (%s). Press Ctrl+C to stop.\n", m.URL(), mode)
	if cfg.Demo() && m.Audit != nil {
		printDemoUsers(env.stdout, m.URL(), cfg, demo, seeded)
		printSandbox(env.stdout, m.URL(), m.Sandbox())
	}
	if err := m.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return exitFailure
	}
	log.Info("sep stopped")
	return exitOK
}

// printDemoUsers shows the demo users under the address: their logins and, on the start that
// made them, their passwords — on standard output only, never in the log.
func printDemoUsers(w io.Writer, url string, cfg *config.Config, users []id.DemoUser, outcome id.DemoOutcome) {
	switch outcome {
	case id.DemoExist:
		fmt.Fprintf(w, "Demo users exist (their passwords were shown when they were made). To make them afresh, stop sep\n"+
			"and delete %s, or point SEP_DATABASE_URL at an empty database.\n", demoDatabase(cfg))
		return
	case id.DemoSkipped:
		fmt.Fprintln(w, "The database has accounts already: no demo users were made.")
		return
	}
	fmt.Fprintf(w, "Demo users (fictitious; sign in with the phone or e-mail, then the SMS code from %s/dev/outbox):\n", url)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ROLE\tLEVEL\tPHONE\tE-MAIL\tPASSWORD")
	for _, u := range users {
		level := string(u.Level)
		if u.Role.Staff() {
			level = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", u.Role, level, u.Phone, u.Email, u.Password)
	}
	tw.Flush()
	fmt.Fprintln(w, "The passwords are shown this once.")
}

// printSandbox shows the ЕСИА test stand made at this start: the test users with their oids,
// organisations and passwords (standard output only), and the demo systems.
func printSandbox(w io.Writer, url string, sb *provider.Sandbox) {
	if sb == nil {
		return
	}
	fmt.Fprintf(w, "ЕСИА test stand (how to use it: %s/docs/esia-sandbox). Test users (sign in as the demo users do):\n", url)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  NAME\tLEVEL\tOID\tPHONE\tE-MAIL\tPASSWORD\tORGANISATIONS")
	for _, u := range sb.Users {
		var orgs []string
		for _, r := range u.Roles {
			o := strconv.FormatInt(r.Org.OID, 10)
			if r.Chief {
				o += " (chief)"
			}
			orgs = append(orgs, o)
		}
		if orgs == nil {
			orgs = []string{"-"}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\t%s\t%s\n", u.Name, u.Level, u.OID, u.Phone, u.Email, u.Password, strings.Join(orgs, ", "))
	}
	tw.Flush()
	fmt.Fprintf(w, "Demo ЕСИА system %s: key %s, certificate %s,\n  client_certificate_hash %s, redirect_uri %s\n",
		sb.Client.Mnemonic, sb.KeyFile, sb.CertFile, strings.ToUpper(sb.Client.CertHash), provider.SandboxRedirect)
	fmt.Fprintf(w, "Demo OpenID Connect client %s (public, PKCE): %s%s\n", provider.SandboxOIDCClientID, url, provider.OIDCDiscoveryPath)
}

// demoDatabase says where the demo database is, for the advice to delete it.
func demoDatabase(cfg *config.Config) string {
	if dsn := cfg.DatabaseDSN(); strings.HasPrefix(dsn, "sqlite:") {
		file, _, _ := strings.Cut(strings.TrimPrefix(dsn, "sqlite:"), "?")
		return "the database " + file + " with its -wal and -shm files"
	}
	return "the tables of the PostgreSQL database of SEP_DATABASE_URL"
}
