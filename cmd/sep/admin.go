package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/maintenance"
)

const adminUsage = `Usage: sep admin maintenance schedule -from TIME -to TIME [-note-ru TEXT -note-en TEXT]
       sep admin maintenance list [-all]
       sep admin maintenance cancel ID
` + adminUsersUsage + `
` + adminAgencyUsage + `
` + adminClientsUsage + `

Administration. Settings (database, data directory) come from the environment or from flags
before the subcommand: sep admin -data-dir DIR maintenance list.

  maintenance schedule  plan a maintenance window: during it every page and API request is
                        answered 503 with Retry-After and the end time (health checks,
                        metrics, static files and the schedule page stay open; background
                        jobs go on); pages announce it a day ahead. TIME is
                        2026-12-05T01:00+03:00, or without the offset in Moscow time. A note,
                        if any, goes in both languages. At most 72 hours; no overlaps.
  maintenance list      the windows that have not ended (-all: every window), Moscow time
  maintenance cancel    cancel a window; one in progress ends now

` + adminUsersHelp + `
` + adminAgencyHelp + `

` + adminClientsHelp + `

Every instance sees a maintenance change within 5 seconds. Every change is journaled.`

// adminCommands are the subcommands of sep admin, each with its own subcommands.
var adminCommands = map[string]func(*environment, *config.Config, []string) int{
	"maintenance": adminMaintenance,
	"create-user": adminCreateUser,
	"block":       adminBlock,
	"unblock":     adminUnblock,
	"list-users":  adminListUsers,
	"set-agency":  adminSetAgency,

	"register-client": adminRegisterClient,
	"list-clients":    adminListClients,
	"disable-client":  adminDisableClient,
}

func cmdAdmin(env *environment, args []string) int {
	help := func(w io.Writer) { fmt.Fprintln(w, adminUsage) }
	cfg, rest, code, ok := loadConfig(env, args, help)
	if !ok {
		return code
	}
	if len(rest) == 0 {
		help(env.stderr)
		return exitUsage
	}
	sub := adminCommands[rest[0]]
	if sub == nil {
		fmt.Fprintf(env.stderr, "sep admin: unknown subcommand %q\n\n", rest[0])
		help(env.stderr)
		return exitUsage
	}
	return sub(env, cfg, rest[1:])
}

// byCLI is the journal's actor for what an administrator does from the command line.
var byCLI = audit.Entry{ActorKind: audit.ActorSystem, ActorID: "cli"}

func adminMaintenance(env *environment, cfg *config.Config, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(env.stderr, adminUsage)
		return exitUsage
	}
	fs := flag.NewFlagSet("sep admin maintenance "+args[0], flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() { fmt.Fprintln(env.stderr, adminUsage) }
	var from, to, noteRU, noteEN string
	var all bool
	nargs := 0
	switch args[0] {
	case "schedule":
		fs.StringVar(&from, "from", "", "start, e.g. 2026-12-05T01:00+03:00")
		fs.StringVar(&to, "to", "", "end, e.g. 2026-12-05T03:00+03:00")
		fs.StringVar(&noteRU, "note-ru", "", "a note for the notices, in Russian")
		fs.StringVar(&noteEN, "note-en", "", "the same note in English")
	case "list":
		fs.BoolVar(&all, "all", false, "every window, also ended and cancelled ones")
	case "cancel":
		nargs = 1
	default:
		fmt.Fprintf(env.stderr, "sep admin maintenance: unknown subcommand %q\n\n%s\n", args[0], adminUsage)
		return exitUsage
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() != nargs {
		fmt.Fprintln(env.stderr, adminUsage)
		return exitUsage
	}
	var w maintenance.Window
	if args[0] == "schedule" {
		var err error
		if from == "" || to == "" {
			fmt.Fprintln(env.stderr, "sep: -from and -to are required")
			return exitUsage
		}
		if w.From, err = maintenance.ParseTime(from); err != nil {
			fmt.Fprintf(env.stderr, "sep: -from: %v\n", err)
			return exitUsage
		}
		if w.To, err = maintenance.ParseTime(to); err != nil {
			fmt.Fprintf(env.stderr, "sep: -to: %v\n", err)
			return exitUsage
		}
		w.NoteRU, w.NoteEN = noteRU, noteEN
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, code := openDatabase(ctx, env, cfg)
	if d == nil {
		return code
	}
	defer d.Close()
	if pending, err := d.Pending(ctx); err != nil || pending > 0 {
		fmt.Fprintln(env.stderr, "sep: the database is not migrated (run sep migrate up)")
		return exitFailure
	}
	j, err := audit.New(d, audit.Options{})
	if err != nil {
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return exitFailure
	}
	// The running instances announce a scheduled window to those who keep the notices on.
	store := maintenance.NewStore(d, maintenance.Options{Journal: j, Jobs: jobs.New(d)})
	fail := func(err error) int {
		fmt.Fprintf(env.stderr, "sep: %s\n", i18n.Default().Printer(i18n.EN).T(messageID(err)))
		return exitFailure
	}
	switch args[0] {
	case "schedule":
		if w, err = store.Schedule(ctx, w, byCLI); err != nil {
			return fail(err)
		}
		fmt.Fprintf(env.stdout, "scheduled maintenance window %s: %s – %s\n", w.ID, moscow(w.From), moscow(w.To))
		fmt.Fprintf(env.stdout, "every instance answers 503 during it (they notice within %s); pages announce it a day ahead\n", maintenance.CacheFor)
	case "cancel":
		if w, err = store.Cancel(ctx, fs.Arg(0), byCLI); err != nil {
			return fail(err)
		}
		fmt.Fprintf(env.stdout, "cancelled maintenance window %s (%s – %s)\n", w.ID, moscow(w.From), moscow(w.To))
	case "list":
		list, err := store.List(ctx, all)
		if err != nil {
			return fail(err)
		}
		if len(list) == 0 {
			fmt.Fprintln(env.stdout, "no maintenance windows")
			return exitOK
		}
		now := time.Now()
		tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "ID\tFROM\tTO\tSTATE\tNOTE\n")
		for _, w := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", w.ID, moscow(w.From), moscow(w.To), w.State(now), w.NoteEN)
		}
		tw.Flush()
	}
	return exitOK
}

// moscow writes a time for administrators: ISO-like, in Moscow time, saying so.
func moscow(t time.Time) string { return t.In(i18n.Moscow).Format("2006-01-02 15:04 MST") }
