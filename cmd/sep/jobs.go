package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/jobs"
)

func cmdJobs(env *environment, args []string) int {
	help := func(w io.Writer) {
		fmt.Fprintln(w, "Usage: sep jobs list [-state queued|running|done|dead] [-n N] [flags]\n       sep jobs retry JOB-ID [flags]\n\nInspect the background job queue; retry puts a dead-lettered job back in the queue.")
	}
	cfg, rest, code, ok := loadConfig(env, args, help)
	if !ok {
		return code
	}
	if len(rest) == 0 {
		help(env.stderr)
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	open := func() (*db.DB, bool) {
		d, _ := openDatabase(ctx, env, cfg)
		return d, d != nil
	}
	switch rest[0] {
	case "list":
		fs := flag.NewFlagSet("jobs list", flag.ContinueOnError)
		fs.SetOutput(env.stderr)
		state := fs.String("state", "dead", "which jobs: queued, running, done or dead")
		n := fs.Int("n", 50, "how many, newest first")
		if err := fs.Parse(rest[1:]); err != nil {
			return exitUsage
		}
		switch jobs.State(*state) {
		case jobs.Queued, jobs.Running, jobs.Done, jobs.Dead:
		default:
			fmt.Fprintf(env.stderr, "sep: -state %q: want queued, running, done or dead\n", *state)
			return exitUsage
		}
		d, ok := open()
		if !ok {
			return exitFailure
		}
		defer d.Close()
		list, err := jobs.New(d).List(ctx, jobs.State(*state), *n)
		if err != nil {
			fmt.Fprintf(env.stderr, "sep: %v\n", err)
			return exitFailure
		}
		tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "ID\tKIND\tSTATE\tATTEMPTS\tUPDATED\tLAST ERROR\n")
		for _, j := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d/%d\t%s\t%s\n", j.ID, j.Kind, j.State, j.Attempts, j.MaxAttempts,
				j.UpdatedAt.UTC().Format(time.RFC3339), firstLine(j.LastError))
		}
		tw.Flush()
		return exitOK
	case "retry":
		if len(rest) != 2 {
			help(env.stderr)
			return exitUsage
		}
		d, ok := open()
		if !ok {
			return exitFailure
		}
		defer d.Close()
		if err := jobs.New(d).Retry(ctx, rest[1]); err != nil {
			fmt.Fprintf(env.stderr, "sep: %v\n", err)
			return exitFailure
		}
		fmt.Fprintf(env.stdout, "job %s is queued again\n", rest[1])
		return exitOK
	}
	help(env.stderr)
	return exitUsage
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
