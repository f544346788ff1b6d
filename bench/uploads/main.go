// Command uploads measures the document store (internal/documents) against the goals of the
// issue: 50 concurrent uploads of 5 MB through the store — checks, sealing, storage, the
// database row — with
//
//   - the growth of the process's memory while they run (goal < 64 MB): the peak of the Go
//     heap and stacks in use (garbage not yet collected included) above the baseline taken
//     just before the uploads start; the uploads are generated as they are read, as a server
//     receives them, so no file is in memory unless the store holds it;
//
//   - their throughput against the lower of a plain disk write (the same files written to the
//     same directory by as many goroutines, no sealing) and the sealing speed (the same bytes
//     sealed to nowhere by as many goroutines), both measured in the same run (goal ≥ 70 %).
//
//     go run ./bench/uploads                        # 50 × 5 MB, SQLite and disk in a temporary directory
//     go run ./bench/uploads -n 20 -size 2097152    # other figures
//     go run ./bench/uploads -dir /srv/sep/bench    # on another disk
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/documents"
	"github.com/sep-platform/sep/internal/seal"
)

const (
	goalMemory = 64 << 20
	goalShare  = 0.70
)

func main() {
	n := flag.Int("n", 50, "concurrent uploads")
	size := flag.Int("size", 5<<20, "bytes per upload (a PDF of about this size)")
	dir := flag.String("dir", "", "directory for the database and the storage (default: a temporary one)")
	flag.Parse()
	if err := run(*n, *size, *dir, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "uploads bench:", err)
		os.Exit(1)
	}
}

// result is what one run measured.
type result struct {
	diskMBs, sealMBs, uploadMBs float64
	heapGrowth                  uint64
}

func run(n, size int, dir string, out io.Writer) error {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "sep-bench-uploads-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite:"+filepath.Join(dir, "sep.db"), db.Options{})
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	box := seal.NewBox(seal.GenerateRing(), nil)
	storeDir := filepath.Join(dir, "documents")
	store, err := documents.New(documents.Options{DB: d, Box: box, Storage: documents.Disk{Dir: storeDir},
		SpoolDir: filepath.Join(storeDir, ".spool")})
	if err != nil {
		return err
	}
	// The uploads are generated as they are read, as a server receives them from the
	// network: no file is in memory before the store reads it.
	total := float64(n) * float64(newPDF(0, size).size) / 1e6

	var r result
	// 1. A plain disk write of the same bytes, as many at once.
	plainDir := filepath.Join(dir, "plain")
	os.MkdirAll(plainDir, 0o750)
	elapsed, err := together(n, func(i int) error {
		f, err := os.Create(filepath.Join(plainDir, fmt.Sprint(i)))
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, newPDF(i, size)); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
	if err != nil {
		return err
	}
	r.diskMBs = total / elapsed.Seconds()
	os.RemoveAll(plainDir)

	// 2. Sealing alone, to nowhere.
	elapsed, err = together(n, func(i int) error {
		w, _, err := documents.SealTo(io.Discard, box, fmt.Sprint(i))
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, newPDF(i, size)); err != nil {
			return err
		}
		return w.Close()
	})
	if err != nil {
		return err
	}
	r.sealMBs = total / elapsed.Seconds()

	// 3. The uploads through the store, with the memory watched.
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peakHeap atomic.Uint64
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if h := m.HeapInuse + m.StackInuse; h > peakHeap.Load() {
				peakHeap.Store(h)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	var refused atomic.Int32
	elapsed, err = together(n, func(i int) error {
		doc, err := store.Put(ctx, newPDF(i, size), documents.Upload{Name: "bench.pdf",
			Rule: documents.Rule{Kind: "bench", MaxBytes: int64(size) + 1<<20}})
		if err == nil && doc.Verdict.State != documents.Accepted {
			refused.Add(1)
		}
		return err
	})
	close(stop)
	<-watched
	if err != nil {
		return err
	}
	if refused.Load() > 0 {
		return fmt.Errorf("%d of the uploads were refused", refused.Load())
	}
	r.uploadMBs = total / elapsed.Seconds()
	r.heapGrowth = sub(peakHeap.Load(), base.HeapInuse+base.StackInuse)
	report(out, n, newPDF(0, size).size, r)
	return nil
}

func sub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

// together runs f(0) … f(n-1) at once and returns how long they took together.
func together(n int, f func(i int) error) (time.Duration, error) {
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = f(i) }()
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, err := range errs {
		if err != nil {
			return 0, err
		}
	}
	return elapsed, nil
}

// pdf is a well-formed PDF of about the size asked, generated as it is read: one page whose
// content stream is pseudo-random hex text (nothing compresses or repeats), between a
// prefix and a suffix whose cross-reference offsets are computed in advance.
type pdf struct {
	io.Reader
	size int
}

func newPDF(seed, size int) *pdf {
	var head bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, head.Len())
		fmt.Fprintf(&head, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	head.WriteString("%PDF-1.7\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>")
	filler := max(0, size-700) &^ 1
	content := len("BT (") + filler + len(") Tj ET")
	offsets = append(offsets, head.Len())
	fmt.Fprintf(&head, "4 0 obj\n<< /Length %d >>\nstream\nBT (", content)
	var tail bytes.Buffer
	tail.WriteString(") Tj ET\nendstream\nendobj\n")
	xref := head.Len() + filler + tail.Len()
	fmt.Fprintf(&tail, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&tail, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&tail, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	body := io.LimitReader(&hexNoise{rng: mrand.NewPCG(uint64(seed), 1)}, int64(filler))
	return &pdf{Reader: io.MultiReader(&head, body, &tail), size: head.Len() + filler + tail.Len()}
}

// hexNoise is an endless stream of pseudo-random lower-case hex digits.
type hexNoise struct{ rng *mrand.PCG }

func (h *hexNoise) Read(p []byte) (int, error) {
	const digits = "0123456789abcdef"
	for i := 0; i < len(p); {
		v := h.rng.Uint64()
		for k := 0; k < 16 && i < len(p); k++ {
			p[i] = digits[v&15]
			v >>= 4
			i++
		}
	}
	return len(p), nil
}

func report(out io.Writer, n, size int, r result) {
	bound, boundName := r.diskMBs, "plain disk write"
	if r.sealMBs < bound {
		bound, boundName = r.sealMBs, "sealing"
	}
	share := r.uploadMBs / bound
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%d concurrent uploads of %.1f MB (%d CPUs)\n", n, float64(size)/1e6, runtime.NumCPU())
	fmt.Fprintf(tw, "plain disk write\t%.0f MB/s\n", r.diskMBs)
	fmt.Fprintf(tw, "sealing (Kuznyechik-MGM, chunked)\t%.1f MB/s\n", r.sealMBs)
	fmt.Fprintf(tw, "uploads through the store\t%.1f MB/s\t%.0f %% of %s (goal ≥ %.0f %%: %s)\n", r.uploadMBs,
		100*share, boundName, 100*goalShare, verdict(share >= goalShare))
	fmt.Fprintf(tw, "memory growth, heap and stacks in use\t%.1f MB\t(goal < %d MB: %s)\n", float64(r.heapGrowth)/(1<<20),
		goalMemory>>20, verdict(r.heapGrowth < goalMemory))
	tw.Flush()
}
