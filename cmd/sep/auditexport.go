package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/config"
)

func auditExport(env *environment, cfg *config.Config, args []string) int {
	fs := subFlags(env, "export")
	format := fs.String("format", "", "csv or json (required)")
	from := fs.String("from", "", "first day, YYYY-MM-DD (UTC)")
	to := fs.String("to", "", "last day, inclusive, YYYY-MM-DD (UTC)")
	actor := fs.String("actor", "", "only entries of this actor id")
	org := fs.String("org", "", "only entries of this organisation id")
	out := fs.String("out", "", "write to this file (mode 0600) instead of stdout")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	f, err := audit.ParseFormat(*format)
	if err != nil {
		fmt.Fprintf(env.stderr, "sep: -format: %v\n", err)
		return exitUsage
	}
	var filter audit.Filter
	for _, d := range []struct {
		flag, v string
		dst     *time.Time
		days    int
	}{{"from", *from, &filter.From, 0}, {"to", *to, &filter.To, 1}} {
		if d.v == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", d.v)
		if err != nil {
			fmt.Fprintf(env.stderr, "sep: -%s %q: want a date as YYYY-MM-DD\n", d.flag, d.v)
			return exitUsage
		}
		*d.dst = t.AddDate(0, 0, d.days)
	}
	if !filter.From.IsZero() && !filter.To.IsZero() && !filter.From.Before(filter.To) {
		fmt.Fprintln(env.stderr, "sep: -to is before -from")
		return exitUsage
	}
	filter.ActorID, filter.OrgID = *actor, *org
	details := map[string]string{"format": string(f), "from": *from, "to": *to, "actor": *actor, "org": *org}
	for k, v := range details {
		if v == "" {
			delete(details, k)
		}
	}

	ctx, stop := signalContext()
	defer stop()
	j, closeDB, ok := openJournal(ctx, env, cfg, nil)
	if !ok {
		return exitFailure
	}
	defer closeDB()
	total, err := j.Count(ctx, filter)
	if err != nil {
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return exitFailure
	}
	// The export is an action like any other: on record before a byte is written.
	if _, err := j.Append(ctx, nil, audit.Entry{ActorKind: audit.ActorSystem, ActorID: "cli", Action: audit.ActionExport,
		ObjectType: "audit_journal", Details: details}); err != nil {
		if errors.Is(err, audit.ErrInvalidEntry) {
			fmt.Fprintf(env.stderr, "sep: -actor and -org take ids: %v\n", err)
			return exitUsage
		}
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return exitFailure
	}
	w, commit, err := output(env, *out)
	if err != nil {
		fmt.Fprintf(env.stderr, "sep: -out: %v\n", err)
		return exitFailure
	}
	p := newProgress(env.stderr, "exported")
	p.total = total
	n, err := j.Export(ctx, w, filter, f, p.update)
	p.finish()
	if err = commit(err); err != nil {
		fmt.Fprintf(env.stderr, "sep: export failed after %d entries: %v\n", n, err)
		return exitFailure
	}
	if *out != "" {
		fmt.Fprintf(env.stderr, "exported %d entries to %s\n", n, *out)
	}
	return exitOK
}

// output opens where the export goes: stdout, or a temporary file renamed to path when the
// export succeeds, so that a failed export never leaves a complete-looking file.
func output(env *environment, path string) (io.Writer, func(error) error, error) {
	if path == "" || path == "-" {
		return env.stdout, func(err error) error { return err }, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return nil, nil, err
	}
	return f, func(err error) error {
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(f.Name(), path)
		}
		if err != nil {
			os.Remove(f.Name())
		}
		return err
	}, nil
}
