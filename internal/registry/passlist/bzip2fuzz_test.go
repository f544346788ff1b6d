package passlist

import (
	"bytes"
	"compress/bzip2"
	"io"
	"math/rand/v2"
	"testing"
)

// addBzip2Seeds seeds a fuzz target with small real .bz2 files made by the system bzip2, and
// the same cut short and with bits flipped.
func addBzip2Seeds(f *testing.F) {
	r := rand.New(rand.NewPCG(16, 17))
	random := make([]byte, 3000)
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	plains := [][]byte{nil, []byte("x"), sampleCSV(40, 18), bytes.Repeat([]byte("0"), 1000), random}
	var all []byte
	for _, plain := range plains {
		for _, level := range []string{"-1", "-9"} {
			packed := compress(f, plain, level)
			all = append(all, packed...)
			f.Add(packed)
			f.Add(packed[:len(packed)/2])
			f.Add(packed[:len(packed)-1])
			f.Add(patch(packed, len(packed)/3, 0x08))
			f.Add(patch(packed, len(packed)-3, 0x01))
		}
	}
	f.Add(all) // concatenated streams
}

// limitedRead reads at most 64 MB from r: a few bytes of bzip2 can stand for far more.
func limitedRead(r io.Reader) ([]byte, error) {
	out, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err == nil && len(out) == 64<<20 {
		_, err = r.Read(make([]byte, 1)) // surfaces an error that lies further on
		if err == io.EOF {
			err = nil
		}
	}
	return out, err
}

// FuzzBzip2 compares the parallel decoder with compress/bzip2: it must never panic or hang,
// and it must decode exactly what compress/bzip2 decodes and refuse what it refuses.
func FuzzBzip2(f *testing.F) {
	addBzip2Seeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		z := newParallelBzip2(bytes.NewReader(data), 2)
		got, err := limitedRead(z)
		z.Close()
		want, werr := limitedRead(bzip2.NewReader(bytes.NewReader(data)))
		if len(data) == 0 {
			werr = io.ErrUnexpectedEOF // compress/bzip2 reads nothing as nothing; it is no stream
		}
		switch {
		case (err == nil) != (werr == nil):
			t.Fatalf("parallel: %v; compress/bzip2: %v", err, werr)
		case err == nil && !bytes.Equal(got, want):
			t.Fatalf("parallel decoded %d bytes, compress/bzip2 %d, and they differ", len(got), len(want))
		}
	})
}

// FuzzSplitter checks the splitter alone on any input: it ends, with an error item at most and
// only last; every block it finds starts with the block magic, is no longer than a block can
// be, follows the previous one without a gap, and carries exactly the input's bytes.
func FuzzSplitter(f *testing.F) {
	addBzip2Seeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		z := &parallelBzip2{order: make(chan *item, 4), jobs: make(chan *item, 4), stop: make(chan struct{})}
		go func() {
			defer close(z.order)
			defer close(z.jobs)
			(&splitter{r: bytes.NewReader(data), z: z, read: 1 + len(data)%61}).run()
		}()
		go func() {
			for range z.jobs {
			}
		}()
		var prev *item
		failed := false
		for it := range z.order {
			if failed {
				t.Fatal("an item after the error")
			}
			switch it.kind {
			case itemError:
				failed = true
			case itemBlock:
				if it.nbits < 80 || it.nbits > maxBlockBits(it.level) {
					t.Fatalf("a block of %d bits at bit %d", it.nbits, it.at)
				}
				if prev != nil && prev.kind == itemBlock && prev.at+prev.nbits != it.at {
					t.Fatalf("a block at bit %d after one that ends at %d", it.at, prev.at+prev.nbits)
				}
				if !bytes.Equal(it.raw, data[it.at/8:(it.at+it.nbits+7)/8]) {
					t.Fatalf("the block at bit %d does not hold the input's bytes", it.at)
				}
				s := &splitter{buf: it.raw, base: it.at / 8, eof: true}
				if s.bits(it.at, 48) != blockMagic {
					t.Fatalf("the block at bit %d does not start with the magic", it.at)
				}
			}
			prev = it
		}
		if !failed && (prev == nil || prev.kind != itemEOS) {
			t.Fatal("the input ended without an error and without an end of stream")
		}
	})
}
