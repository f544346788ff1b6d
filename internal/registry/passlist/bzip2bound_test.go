package passlist

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

// noMarker is a 400 MB .bz2 "file" made on the fly: a valid stream header and the first block's
// magic number, then pseudo-random bytes without another magic number. It fails the read
// (and so the test) once more than failAfter bytes have been asked for.
type noMarker struct {
	size, read, failAfter int64
	x                     uint64
}

var errReadTooFar = errors.New("the decoder read far past any possible block")

func (g *noMarker) Read(p []byte) (int, error) {
	if g.read >= g.size {
		return 0, io.EOF
	}
	if g.read >= g.failAfter {
		return 0, errReadTooFar
	}
	p = p[:min(int64(len(p)), g.size-g.read)]
	for i := range p {
		if off := g.read + int64(i); off < 10 {
			p[i] = "BZh91AY&SY"[off]
			continue
		}
		g.x ^= g.x << 13 // xorshift64: bytes without structure, cheap to make
		g.x ^= g.x >> 7
		g.x ^= g.x << 17
		p[i] = byte(g.x >> 32)
	}
	g.read += int64(len(p))
	return len(p), nil
}

// A block is never longer than maxBlockBits: a file that goes on without another block marker
// is refused once that is exceeded, after reading and allocating a few MB, not 400 MB.
func TestSplitterGivesUpAtTheLongestPossibleBlock(t *testing.T) {
	bound := maxBlockBits('9') / 8
	g := &noMarker{size: 400 << 20, failAfter: 64 << 20, x: 0x9e3779b97f4a7c15}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	z := newParallelBzip2(g, 2)
	_, err := io.Copy(io.Discard, z)
	z.Close()
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	if err == nil || errors.Is(err, errReadTooFar) || !strings.Contains(err.Error(), "no block boundary within") {
		t.Fatalf("after %d MB: %v; want the error that no block ends", g.read>>20, err)
	}
	if g.read > bound+2*splitRead || alloc > 16<<20 {
		t.Errorf("read %d bytes and allocated %d to refuse it; a block is at most %d bytes", g.read, alloc, bound)
	}
	t.Logf("refused after reading %.1f MB and allocating %.1f MB", float64(g.read)/1e6, float64(alloc)/1e6)
}

// However slowly the output is read, at most maxQueued blocks wait between the splitter and
// the reader, and each holds only its bytes before run expansion: 60 MB of zeros, two blocks
// that expand to 45 MB each, decode in a few MB.
func TestDecodedBlocksWaitingAreBounded(t *testing.T) {
	const workers = 2
	t.Run("blocks queued", func(t *testing.T) {
		plain := sampleCSV(300_000, 15)
		packed := compress(t, plain, "-1") // about 36 blocks
		z := newParallelBzip2(bytes.NewReader(packed), workers)
		defer z.Close()
		// Read nothing until the splitter and the workers have stopped for want of room.
		last, stable := int64(-1), 0
		for stable < 20 {
			time.Sleep(5 * time.Millisecond)
			if n := z.live.Load(); n == last {
				stable++
			} else {
				last, stable = n, 0
			}
		}
		if limit := int64(maxQueued(workers) + 1); last > limit || last == 0 {
			t.Fatalf("%d blocks waiting with nothing read; want 1 to %d", last, limit)
		}
		got, err := io.ReadAll(z)
		if err != nil || !bytes.Equal(got, plain) || z.live.Load() != 0 {
			t.Fatalf("then read %d of %d bytes, %v; %d blocks left", len(got), len(plain), err, z.live.Load())
		}
	})
	t.Run("long runs", func(t *testing.T) {
		plain := make([]byte, 60<<20)
		packed := compress(t, plain, "-9")
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		z := newParallelBzip2(bytes.NewReader(packed), workers)
		n, err := io.CopyBuffer(io.Discard, z, make([]byte, 64<<10))
		z.Close()
		runtime.ReadMemStats(&after)
		alloc := after.TotalAlloc - before.TotalAlloc
		if err != nil || n != int64(len(plain)) || alloc > 24<<20 {
			t.Fatalf("%d of %d bytes, %v; allocated %d MB", n, len(plain), err, alloc>>20)
		}
		t.Logf("%d MB decoded, %.1f MB allocated", n>>20, float64(alloc)/1e6)
	})
}
