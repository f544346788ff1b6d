package passlist

import (
	"bytes"
	"compress/bzip2"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"testing"
)

// requireBzip2 returns the path of the system bzip2 (Debian package bzip2), which makes the
// compressed test inputs: Go has no bzip2 writer. Missing, the test skips, or fails with CI=true.
func requireBzip2(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("bzip2")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("bzip2 (Debian package bzip2) is required when CI=true")
		}
		t.Skip("NOTICE: bzip2 is not installed (Debian package bzip2): bzip2 tests are skipped")
	}
	return path
}

// haveBzip2 reports whether the system bzip2 is there, for tests that only add cases with it
// (TestImportBzip2 requires it).
func haveBzip2() bool {
	_, err := exec.LookPath("bzip2")
	return err == nil
}

// compress runs the system bzip2 with the given flags (e.g. -1 for 100 kB blocks).
func compress(t testing.TB, data []byte, flags ...string) []byte {
	t.Helper()
	cmd := exec.Command(requireBzip2(t), append([]string{"-c"}, flags...)...)
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bzip2: %v", err)
	}
	return out
}

// sampleCSV makes a list of n random rows.
func sampleCSV(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	var b bytes.Buffer
	b.WriteString("PASSP_SERIES,PASSP_NUMBER\n")
	for range n {
		fmt.Fprintf(&b, "%04d,%06d\n", r.IntN(10000), r.IntN(1000000))
	}
	return b.Bytes()
}

func decodeParallel(data []byte, workers int) ([]byte, error) {
	z := newParallelBzip2(bytes.NewReader(data), workers)
	defer z.Close()
	return io.ReadAll(z)
}

func TestParallelBzip2MatchesTheSequentialDecoder(t *testing.T) {
	plain := sampleCSV(120_000, 1) // 1.4 MB: 15 blocks at -1, 2 at -9
	for _, level := range []string{"-1", "-9"} {
		packed := compress(t, plain, level)
		for _, workers := range []int{1, 3} {
			got, err := decodeParallel(packed, workers)
			if err != nil {
				t.Fatalf("%s, %d workers: %v", level, workers, err)
			}
			if !bytes.Equal(got, plain) {
				t.Fatalf("%s, %d workers: %d bytes decoded differ from the %d compressed", level, workers, len(got), len(plain))
			}
		}
	}
}

func TestParallelBzip2ConcatenatedStreamsAndEdgeCases(t *testing.T) {
	a, b := sampleCSV(30_000, 2), []byte("x")
	packed := append(compress(t, a, "-1"), compress(t, b)...)
	packed = append(packed, compress(t, nil)...) // an empty stream: header and end marker only
	got, err := decodeParallel(packed, 2)
	if err != nil || !bytes.Equal(got, append(append([]byte{}, a...), b...)) {
		t.Fatalf("concatenated streams: %d bytes, %v", len(got), err)
	}
	// Bytes that are no stream at all.
	if _, err := decodeParallel([]byte("PASSP_SERIES,PASSP_NUMBER\n"), 2); err == nil {
		t.Error("plain text decoded as bzip2")
	}
}

func TestParallelBzip2RejectsDamage(t *testing.T) {
	packed := compress(t, sampleCSV(60_000, 3), "-1")
	for _, cut := range []int{len(packed) - 1, len(packed) - 11, len(packed) / 2, 20} {
		if _, err := decodeParallel(packed[:cut], 2); err == nil {
			t.Errorf("input cut to %d of %d bytes decoded without error", cut, len(packed))
		}
	}
	for _, at := range []int{100, len(packed) / 3, len(packed) - 5} {
		bad := bytes.Clone(packed)
		bad[at] ^= 0x10
		if _, err := decodeParallel(bad, 2); err == nil {
			t.Errorf("a bit flipped at byte %d went unnoticed", at)
		}
	}
	if _, err := decodeParallel(append(bytes.Clone(packed), "trailing"...), 2); err == nil {
		t.Error("garbage after the stream went unnoticed")
	}
}

// The splitter holds about a block of input, however long the input is.
func TestSplitterBufferStaysSmall(t *testing.T) {
	packed := compress(t, sampleCSV(120_000, 6), "-1") // ~600 kB of ~45 kB blocks
	z := &parallelBzip2{order: make(chan *item, 100), jobs: make(chan *item, 100), stop: make(chan struct{})}
	s := &splitter{r: bytes.NewReader(packed), z: z, read: 4096}
	s.run()
	blocks, biggest := 0, 0
	for len(z.order) > 0 {
		if it := <-z.order; it.kind == itemBlock {
			blocks++
			biggest = max(biggest, len(it.raw))
		} else if it.kind == itemError {
			t.Fatal(it.err)
		}
	}
	if blocks < 10 || cap(s.buf) > 4*(biggest+s.read) {
		t.Fatalf("%d blocks of up to %d bytes; the buffer grew to %d of %d input bytes", blocks, biggest, cap(s.buf), len(packed))
	}
}

// A block magic can occur by chance inside a block's bits. Simulate it: split a real block in
// two at an arbitrary bit and check that the reader rejoins the halves.
func TestParallelBzip2RejoinsABlockSplitAtAFalseMagic(t *testing.T) {
	plain := sampleCSV(20_000, 4)
	packed := compress(t, plain, "-9") // one block
	s := &splitter{buf: packed, eof: true}
	at := int64(4 * 8)
	end, err := s.findMagic(at+80, at+maxBlockBits('9'))
	if err != nil || s.bits(end, 48) != eosMagic {
		t.Fatalf("want one block then the end marker, got %d %v", end, err)
	}
	crc := uint32(s.bits(at+48, 32))
	cut := at + 80 + (end-at-80)*3/7 // a "false magic" somewhere in the middle
	mk := func(from, to int64, crc uint32) *item {
		it := &item{kind: itemBlock, level: '9', at: from, nbits: to - from, crc: crc, done: make(chan struct{})}
		it.raw = packed[from/8 : (to+7)/8]
		it.out, it.err = decodeBlock(new(blockDecoder), it, nil)
		close(it.done)
		return it
	}
	z := &parallelBzip2{order: make(chan *item, 4)}
	z.order <- mk(at, cut, crc)
	z.order <- mk(cut, end, 0)
	z.order <- &item{kind: itemEOS, crc: crc}
	close(z.order)
	got, err := io.ReadAll(z)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("rejoined block: %d of %d bytes, %v", len(got), len(plain), err)
	}
}

// BenchmarkBzip2 compares compress/bzip2 with this package's decoder, on one worker and on all
// cores, on 10 MB of list.
func BenchmarkBzip2(b *testing.B) {
	plain := sampleCSV(850_000, 5)
	packed := compress(b, plain, "-9")
	b.Run("compress-bzip2", func(b *testing.B) {
		b.SetBytes(int64(len(plain)))
		for b.Loop() {
			io.Copy(io.Discard, bzip2.NewReader(bytes.NewReader(packed)))
		}
	})
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers-%d", workers), func(b *testing.B) {
			b.SetBytes(int64(len(plain)))
			for b.Loop() {
				z := newParallelBzip2(bytes.NewReader(packed), workers)
				io.Copy(io.Discard, z)
				z.Close()
			}
		})
	}
}
