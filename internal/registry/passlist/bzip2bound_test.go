package passlist

import (
	"bytes"
	"io"
	"runtime"
	"testing"
	"time"
)

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
