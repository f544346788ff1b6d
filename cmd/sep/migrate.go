package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

func cmdMigrate(env *environment, args []string) int {
	help := func(w io.Writer) {
		fmt.Fprintln(w, "Usage: sep migrate status|up [flags]\n\n  status  list the migrations and whether each is applied (exit 1 if any is pending)\n  up      apply the pending migrations")
	}
	cfg, rest, code, ok := loadConfig(env, args, help)
	if !ok {
		return code
	}
	if len(rest) != 1 || (rest[0] != "status" && rest[0] != "up") {
		help(env.stderr)
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	d, code := openDatabase(ctx, env, cfg)
	if d == nil {
		return code
	}
	defer d.Close()

	if rest[0] == "up" {
		applied, err := migrate(ctx, env, cfg, d)
		for _, m := range applied {
			fmt.Fprintf(env.stdout, "applied %04d_%s\n", m.Version, m.Name)
		}
		if err != nil {
			fmt.Fprintf(env.stderr, "sep: %v\n", err)
			return exitFailure
		}
		if len(applied) == 0 {
			fmt.Fprintln(env.stdout, "the database is up to date")
		}
		return exitOK
	}
	st, err := d.Status(ctx)
	if err != nil {
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return exitFailure
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "VERSION\tNAME\tSTATE\tAPPLIED AT\n")
	pending := 0
	for _, s := range st {
		state, at := "pending", ""
		if s.Applied {
			state, at = "applied", s.AppliedAt.Format(time.RFC3339)
			if s.Changed {
				state = "applied, file changed since"
			}
		} else {
			pending++
		}
		fmt.Fprintf(tw, "%04d\t%s\t%s\t%s\n", s.Version, s.Name, state, at)
	}
	tw.Flush()
	fmt.Fprintf(env.stdout, "%s database: %d applied, %d pending\n", d.Dialect(), len(st)-pending, pending)
	if pending > 0 {
		return exitFailure
	}
	return exitOK
}
