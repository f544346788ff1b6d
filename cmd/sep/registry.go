package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/passport"
	"github.com/sep-platform/sep/internal/registry/passlist"
)

func cmdRegistry(env *environment, args []string) int {
	help := func(w io.Writer) {
		fmt.Fprint(w, `Usage: sep registry [flags] import-invalid-passports [-max-junk PERCENT] [-allow-shrink] FILE|-
       sep registry [flags] invalid-passports-status

  import-invalid-passports  load the МВД list of invalid passports (CSV with the header
                            PASSP_SERIES,PASSP_NUMBER, plain or .bz2; - reads standard input)
                            and make it the list every instance checks passports against.
                            A broken file changes nothing (exit 1), nor does a list with
                            fewer than half the entries of the current one, unless
                            -allow-shrink is given.
  invalid-passports-status  describe the current list
`)
	}
	cfg, rest, code, ok := loadConfig(env, args, help)
	if !ok {
		return code
	}
	if len(rest) == 0 {
		help(env.stderr)
		return exitUsage
	}
	var run func(ctx context.Context, l *passlist.List) int
	switch rest[0] {
	case "import-invalid-passports":
		fs := flag.NewFlagSet("import-invalid-passports", flag.ContinueOnError)
		fs.SetOutput(env.stderr)
		maxJunk := fs.Float64("max-junk", 100*passlist.DefaultMaxJunkShare, "refuse the file when more than this `percent` of its rows (or bytes) are junk")
		allowShrink := fs.Bool("allow-shrink", false, "let a list with fewer than half the entries of the current one replace it")
		if err := fs.Parse(rest[1:]); err != nil {
			return exitUsage
		}
		if fs.NArg() != 1 || *maxJunk <= 0 || *maxJunk > 100 {
			help(env.stderr)
			return exitUsage
		}
		name := fs.Arg(0)
		in, size, err := openInput(env, name)
		if err != nil {
			fmt.Fprintf(env.stderr, "sep: %v\n", err)
			return exitFailure
		}
		defer in.Close()
		run = func(ctx context.Context, l *passlist.List) int {
			return importInvalidPassports(ctx, env, l, in, size, name, passlist.ImportOptions{
				MaxJunkShare: *maxJunk / 100, AllowShrink: *allowShrink})
		}
	case "invalid-passports-status":
		if len(rest) != 1 {
			help(env.stderr)
			return exitUsage
		}
		run = func(ctx context.Context, l *passlist.List) int { return invalidPassportsStatus(ctx, env, l) }
	default:
		help(env.stderr)
		return exitUsage
	}
	ctx, cancel := signalContext()
	defer cancel()
	d, code := openDatabase(ctx, env, cfg)
	if d == nil {
		return code
	}
	defer d.Close()
	if cfg.AutoMigrate {
		if _, err := migrate(ctx, env, cfg, d); err != nil {
			fmt.Fprintf(env.stderr, "sep: database: %v\n", err)
			return exitFailure
		}
	}
	// The server's workers re-check the electronic passports' paper passports against the new
	// list: the job is enqueued in the import's transaction.
	q := jobs.New(d)
	return run(ctx, passlist.New(d, passlist.Options{OnImported: func(ctx context.Context, tx *sql.Tx, m passlist.Meta) error {
		return passport.EnqueuePaperRecheck(ctx, q, tx, m.Version)
	}}))
}

// openInput opens the file to import, or standard input for "-", and tells its size when known.
func openInput(env *environment, name string) (io.ReadCloser, int64, error) {
	if name == "-" {
		return io.NopCloser(env.stdin), 0, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if st.IsDir() {
		f.Close()
		return nil, 0, fmt.Errorf("%s is a directory", name)
	}
	return f, st.Size(), nil
}

// importInvalidPassports imports in with opt (Source and Progress are set here) and prints the
// summary.
func importInvalidPassports(ctx context.Context, env *environment, l *passlist.List, in io.Reader, size int64, name string, opt passlist.ImportOptions) int {
	bar := newProgressBar(env.stderr, size)
	source := name
	if name != "-" {
		source = filepath.Base(name)
	}
	opt.Source, opt.Progress = source, bar.update
	rep, err := l.Import(ctx, in, opt)
	bar.done()
	if err != nil {
		var broken *passlist.BrokenFileError
		var shrink *passlist.ShrinkError
		switch {
		case errors.As(err, &broken):
			fmt.Fprintf(env.stderr, "sep: %s: %v; the list was not changed\n", name, err)
		case errors.As(err, &shrink):
			fmt.Fprintf(env.stderr, "sep: %s: the new list has %s entries, the current one %s: fewer than half, "+
				"more likely a wrong or cut file than the new list; pass -allow-shrink if that is intended; "+
				"the list was not changed\n", name, grouped(shrink.Entries), grouped(shrink.Current))
		case errors.Is(err, context.Canceled):
			fmt.Fprintln(env.stderr, "sep: interrupted; the list was not changed")
		default:
			fmt.Fprintf(env.stderr, "sep: %v; the list was not changed\n", err)
		}
		return exitFailure
	}
	kind := "CSV"
	if rep.Compressed {
		kind = "bzip2 CSV"
	}
	c := rep.Counts
	fmt.Fprintf(env.stdout, "imported list version %d from %s (%s, %s)\n", rep.Version, source, kind, bytesText(rep.Bytes))
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  rows read\t%s\n", grouped(c.Rows))
	fmt.Fprintf(tw, "  valid\t%s\t(%s with dropped leading zeros restored)\n", grouped(c.Valid), grouped(c.Padded))
	fmt.Fprintf(tw, "  duplicates\t%s\n", grouped(c.Duplicates))
	fmt.Fprintf(tw, "  junk skipped\t%s\n", grouped(c.Junk))
	fmt.Fprintf(tw, "  entries\t%s\n", grouped(c.Entries))
	fmt.Fprintf(tw, "  structure\t%s\t(%.2f bytes per entry)\n", bytesText(rep.SizeBytes), float64(rep.SizeBytes)/float64(max(c.Entries, 1)))
	el := rep.Elapsed()
	fmt.Fprintf(tw, "  elapsed\t%s\t(read %s, build %s, store %s; %s rows/s)\n", round(el), round(rep.Read), round(rep.Build),
		round(rep.Store), rate(c.Rows, el))
	tw.Flush()
	return exitOK
}

func invalidPassportsStatus(ctx context.Context, env *environment, l *passlist.List) int {
	m, err := l.Status(ctx)
	if err != nil {
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return exitFailure
	}
	if m.Version == 0 {
		fmt.Fprintln(env.stdout, "no list of invalid passports has been imported (sep registry import-invalid-passports FILE)")
		return exitOK
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "version\t%d\n", m.Version)
	fmt.Fprintf(tw, "entries\t%s\n", grouped(m.Entries))
	fmt.Fprintf(tw, "imported at\t%s\n", m.ImportedAt.Format(time.RFC3339))
	fmt.Fprintf(tw, "source\t%s\n", m.Source)
	fmt.Fprintf(tw, "rows read\t%s (junk %s, duplicates %s, leading zeros restored %s)\n", grouped(m.Counts.Rows),
		grouped(m.Counts.Junk), grouped(m.Counts.Duplicates), grouped(m.Counts.Padded))
	fmt.Fprintf(tw, "structure\t%s, sha256 %s\n", bytesText(m.SizeBytes), m.SHA256)
	tw.Flush()
	return exitOK
}

// progressBar shows an import's progress on stderr: redrawn in place on a terminal, a line
// every few seconds otherwise (a log file should not fill with carriage returns).
type progressBar struct {
	mu       sync.Mutex
	w        io.Writer
	size     int64
	terminal bool
	every    time.Duration
	start    time.Time
	last     time.Time
	phase    string
	drawn    bool
}

func newProgressBar(w io.Writer, size int64) *progressBar {
	b := &progressBar{w: w, size: size, start: time.Now(), every: 5 * time.Second}
	if isTerminal(w) {
		b.terminal, b.every = true, 200*time.Millisecond
	}
	b.last = b.start
	return b
}

func (b *progressBar) update(p passlist.Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if p.Phase == b.phase && now.Sub(b.last) < b.every {
		return
	}
	b.phase, b.last = p.Phase, now
	el := now.Sub(b.start)
	var line string
	switch p.Phase {
	case passlist.PhaseRead:
		line = "reading " + bytesText(p.Bytes)
		if b.size > 0 {
			frac := float64(p.Bytes) / float64(b.size)
			line += fmt.Sprintf(" / %s %s %3.0f%%", bytesText(b.size), bar(frac, 20), 100*frac)
			if frac > 0.01 {
				eta := time.Duration(float64(el) * (1 - frac) / frac)
				line += " ETA " + round(eta).String()
			}
		}
		line += fmt.Sprintf("  %s rows  %s rows/s", grouped(p.Rows), rate(p.Rows, el))
	case passlist.PhaseBuild:
		line = fmt.Sprintf("read %s rows in %s; sorting", grouped(p.Rows), round(el))
	case passlist.PhaseStore:
		line = "storing the list in the database"
	}
	if b.terminal {
		fmt.Fprintf(b.w, "\r\033[K%s", line)
		b.drawn = true
	} else {
		fmt.Fprintln(b.w, line)
	}
}

func (b *progressBar) done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
	}
}

func bar(frac float64, width int) string {
	n := int(frac*float64(width) + 0.5)
	n = min(max(n, 0), width)
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
}

// grouped writes n with thousands separated by commas.
func grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func rate(rows int64, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	r := float64(rows) / d.Seconds()
	if r >= 1e6 {
		return fmt.Sprintf("%.2f M", r/1e6)
	}
	return grouped(int64(r))
}

func round(d time.Duration) time.Duration {
	if d > 10*time.Second {
		return d.Round(time.Second)
	}
	return d.Round(10 * time.Millisecond)
}
