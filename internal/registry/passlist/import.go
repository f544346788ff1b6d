package passlist

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
	"time"
)

// DefaultMaxJunkShare is the share of junk rows (and of junk bytes) above which a file is
// refused as broken.
const DefaultMaxJunkShare = 0.01

// ImportOptions tune an import.
type ImportOptions struct {
	// Source names the file in the list's description (sep registry invalid-passports-status).
	Source string
	// MaxJunkShare is the share of rows, and of bytes, that may be junk; above it the file is
	// broken. Default DefaultMaxJunkShare.
	MaxJunkShare float64
	// Progress, if set, is called from time to time with what has been done.
	Progress func(Progress)
	// AllowShrink lets a list with fewer than half the entries of the current one replace it.
	// Without it such an import fails with a *ShrinkError: a list that shrinks that much is
	// more likely a wrong or cut file than the МВД's new list.
	AllowShrink bool
}

// ShrinkError refuses a new list much smaller than the current one (see
// ImportOptions.AllowShrink). The list in the database is left as it was.
type ShrinkError struct {
	Entries int64 // of the new list
	Current int64 // of the current list
}

func (e *ShrinkError) Error() string {
	return fmt.Sprintf("passlist: the new list has %d entries, the current one %d: fewer than half; "+
		"set AllowShrink if that is intended", e.Entries, e.Current)
}

// shrinks reports whether a list of entries may not replace one of current without
// AllowShrink: below half of it.
func shrinks(entries, current int64) bool { return 2*entries < current }

// Phases of an import, as Progress reports them.
const (
	PhaseRead  = "read"  // reading and parsing the file
	PhaseBuild = "build" // sorting the keys into the compact set
	PhaseStore = "store" // writing it to the database
)

// Progress is a report on a running import.
type Progress struct {
	Phase string
	Bytes int64 // of the input consumed (compressed bytes for a .bz2 file)
	Rows  int64 // data rows read
}

// Report is the outcome of an import.
type Report struct {
	Meta
	Compressed bool  // the input was bzip2
	Bytes      int64 // of input read
	Read       time.Duration
	Build      time.Duration
	Store      time.Duration
}

// Elapsed is the whole time the import took.
func (r Report) Elapsed() time.Duration { return r.Read + r.Build + r.Store }

// Import reads a list of invalid passports — the МВД CSV, plain or bzip2-compressed (detected by
// its content) — and makes it the current list for every instance, replacing the previous one
// in one transaction. A broken file (*BrokenFileError), a list less than half the size of the
// current one (*ShrinkError, unless opt.AllowShrink), a cancelled context or a database error
// changes nothing. The rules for rows and broken files are in the package doc.
func (l *List) Import(ctx context.Context, r io.Reader, opt ImportOptions) (Report, error) {
	if opt.MaxJunkShare <= 0 {
		opt.MaxJunkShare = DefaultMaxJunkShare
	}
	var rep Report
	counter := &countingReader{r: r}
	progress := func(phase string, rows int64) {
		if opt.Progress != nil {
			opt.Progress(Progress{Phase: phase, Bytes: counter.n.Load(), Rows: rows})
		}
	}

	start := time.Now()
	br := bufio.NewReaderSize(counter, 64<<10)
	head, _ := br.Peek(10)
	var src io.Reader = br
	if isBzip2(head) {
		rep.Compressed = true
		z := newParallelBzip2(br, runtime.GOMAXPROCS(0))
		defer z.Close()
		src = z
	}
	kb, counts, err := readList(ctx, src, opt.MaxJunkShare, func(rows int64) { progress(PhaseRead, rows) })
	if err != nil {
		return rep, err
	}
	rep.Bytes = counter.n.Load()
	rep.Read = time.Since(start)
	progress(PhaseBuild, counts.Rows)

	start = time.Now()
	set, dups := buildSet(kb)
	counts.Duplicates = int64(dups)
	counts.Entries = int64(set.Len())
	rep.Build = time.Since(start)
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	progress(PhaseStore, counts.Rows)

	start = time.Now()
	m, err := saveSet(ctx, l.db, set, Meta{
		Entries:    counts.Entries,
		Source:     opt.Source,
		Counts:     counts,
		ImportedAt: time.Now().UTC().Truncate(time.Microsecond),
	}, opt.AllowShrink, l.opt.OnImported)
	rep.Store = time.Since(start)
	if err != nil {
		return rep, err
	}
	rep.Meta = m
	l.install(set, m)
	return rep, nil
}

// countingReader counts the bytes read through it; Progress reads the count from another
// goroutine's point of view, hence the atomic.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
