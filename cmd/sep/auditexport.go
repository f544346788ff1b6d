package main

import (
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/sep-platform/sep/internal/atomicfile"
	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/i18n"
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
	crit := audit.Criteria{From: *from, To: *to, Actor: *actor, Org: *org}
	filter, bad := crit.Filter()
	if len(bad) > 0 {
		en := i18n.Default().Printer(i18n.EN)
		for _, field := range slices.Sorted(maps.Keys(bad)) {
			fmt.Fprintf(env.stderr, "sep: -%s: %s\n", field, en.T(bad[field]))
		}
		return exitUsage
	}

	ctx, stop := signalContext()
	defer stop()
	j, closeDB, code := openJournal(ctx, env, cfg, nil)
	if code != exitOK {
		return code
	}
	defer closeDB()
	total, err := j.Count(ctx, filter)
	if err != nil {
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return exitFailure
	}
	// The export is an action like any other: on record before a byte is written.
	entry := crit.ExportEntry(f)
	entry.ActorKind, entry.ActorID = audit.ActorSystem, "cli"
	if _, err := j.Append(ctx, nil, entry); err != nil {
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
	f, err := atomicfile.Create(path, 0o600)
	if err != nil {
		return nil, nil, err
	}
	return f, func(err error) error {
		if err != nil {
			f.Abort()
			return err
		}
		return f.Commit()
	}, nil
}
