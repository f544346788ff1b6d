// Command sep is СЭП, the e-government services platform, in one binary: the web server and
// background workers (serve), and tools for operators (migrate, jobs, config, crypto, …).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/sep-platform/sep/internal/app"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/cryptocmd"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/keys"
	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/internal/version"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and failed
	exitUsage   = 2 // bad usage or a bad setting
)

func main() {
	os.Exit(run(os.Args[1:], os.LookupEnv, os.Stdin, os.Stdout, os.Stderr))
}

// command is one subcommand of sep.
type command struct {
	name    string
	summary string
	run     func(env *environment, args []string) int
}

// environment is what a command gets from the process: its streams and the environment.
type environment struct {
	lookup config.Lookup
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

var commands []command

func init() {
	commands = []command{
		{"serve", "start the web server and background workers", cmdServe},
		{"migrate", "database migrations: status, up", cmdMigrate},
		{"jobs", "background jobs: list [-state dead], retry ID", cmdJobs},
		{"notify", "messages: test [-email A] [-phone N], status ID, outbox [-to A]", cmdNotify},
		{"registry", "state registries: import-invalid-passports FILE, invalid-passports-status", cmdRegistry},
		{"audit", "audit journal: verify, export, checkpoint, checkpoints", cmdAudit},
		{"keys", "data keys: status [-watch], rotate-data-key, remove-data-key ID", cmdKeys},
		{"admin", "administration: create-user, block, unblock, list-users, maintenance", cmdAdmin},
		{"config", "print the effective settings (secrets masked)", cmdConfig},
		{"passport", "electronic passports: verify FILE.png|PAYLOAD -trust ROOT.pem [-certs F] [-status-list F]", cmdPassport},
		{"crypto", "GOST tools: hash, keygen, pubkey, cert, sign, verify, cms-sign, cms-verify", cmdCrypto},
		{"version", "print the version", cmdVersion},
	}
}

func run(args []string, lookup config.Lookup, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &environment{lookup: lookup, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help" {
		usage(stderr)
		config.PrintSettings(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(env, args[1:])
		}
	}
	fmt.Fprintf(stderr, "sep: unknown command %q (see sep --help)\n", args[0])
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "sep — СЭП, the e-government services platform.")
	fmt.Fprintln(w, "\nUsage: sep COMMAND [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'sep COMMAND --help' for a command's own help.")
}

// loadConfig parses the settings of a command; ok is false when the command should exit with
// status code (help was shown, or a setting is bad).
func loadConfig(env *environment, args []string, help func(io.Writer)) (cfg *config.Config, rest []string, code int, ok bool) {
	cfg, rest, err := config.Load(args, env.lookup, env.stderr, help)
	switch {
	case errors.Is(err, config.ErrHelp):
		return nil, nil, exitOK, false
	case err != nil:
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return nil, nil, exitUsage, false
	}
	return cfg, rest, exitOK, true
}

// openDatabase opens the configured database for an operator command, creating the data
// directory first (the default SQLite file lives there). On failure it prints one line and
// returns nil with the exit status.
func openDatabase(ctx context.Context, env *environment, cfg *config.Config) (*db.DB, int) {
	if err := cfg.PrepareDataDir(); err != nil {
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return nil, exitUsage
	}
	d, err := db.Open(ctx, cfg.DatabaseDSN(), db.Options{MaxConns: 2})
	if err != nil {
		fmt.Fprintf(env.stderr, "sep: database: %v\n", err)
		return nil, exitFailure
	}
	return d, exitOK
}

// loadBox loads the data key ring (never generating it) for a command that reads or writes
// personal data. On failure it prints one line and returns nil with the exit status.
func loadBox(env *environment, cfg *config.Config) (*seal.Box, int) {
	schema, code := loadSchema(env, cfg)
	if schema == nil {
		return nil, code
	}
	return schema.Box, exitOK
}

// loadSchema is loadBox with every declared table of personal data.
func loadSchema(env *environment, cfg *config.Config) (*seal.Schema, int) {
	ring, err := keys.LoadData(app.KeyOptions(cfg, false))
	if err != nil {
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return nil, exitUsage
	}
	schema, err := app.NewSchema(cfg, ring)
	if err != nil {
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return nil, exitFailure
	}
	return schema, exitOK
}

// migrate applies the pending migrations, sealing the personal data they move under seal with
// the data key ring (generated in demo mode if there is none yet, as sep serve would).
func migrate(ctx context.Context, env *environment, cfg *config.Config, d *db.DB) ([]db.Migration, error) {
	ring, err := keys.LoadData(app.KeyOptions(cfg, cfg.Demo()))
	if err != nil {
		return nil, err
	}
	schema, err := app.NewSchema(cfg, ring)
	if err != nil {
		return nil, err
	}
	return d.MigrateWith(ctx, db.MigrateOptions{Sealer: schema})
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// isTerminal reports whether w is a terminal, where progress is redrawn in place rather than
// written line by line.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// signalContext is cancelled by SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// cmdCrypto runs the GOST tools; they need no settings.
func cmdCrypto(env *environment, args []string) int {
	return cryptocmd.Main(args, env.stdin, env.stdout, env.stderr)
}

func cmdVersion(env *environment, args []string) int {
	fmt.Fprintln(env.stdout, version.String())
	return exitOK
}

func cmdConfig(env *environment, args []string) int {
	cfg, _, code, ok := loadConfig(env, args, func(w io.Writer) {
		fmt.Fprintln(w, "Usage: sep config [flags]\n\nPrints the effective settings, one VAR=value a line, secrets masked.")
	})
	if !ok {
		return code
	}
	cfg.Dump(env.stdout)
	return exitOK
}
