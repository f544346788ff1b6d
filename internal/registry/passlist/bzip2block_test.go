package passlist

import (
	"bytes"
	"compress/bzip2"
	"io"
	"math/rand/v2"
	"testing"
)

// bzip2Samples are inputs that exercise every part of the format: no data, one byte, every
// byte value, incompressible bytes, runs of every length around the run-length step's 4 + 255
// (and longer than a block), and the list itself.
func bzip2Samples() map[string][]byte {
	r := rand.New(rand.NewPCG(11, 12))
	random := make([]byte, 300_000)
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	var runs bytes.Buffer
	for n := 1; n <= 600; n++ {
		runs.Write(bytes.Repeat([]byte{byte(n)}, n))
		runs.WriteByte(byte(n + 1))
	}
	all := make([]byte, 0, 256*40)
	for i := range 256 * 40 {
		all = append(all, byte(i*7))
	}
	return map[string][]byte{
		"empty":                      nil,
		"one byte":                   []byte("x"),
		"every byte value, repeated": all, // a periodic text: its rotations are not distinct
		"incompressible":             random,
		"runs of 1 to 600":           runs.Bytes(),
		"one long run":               bytes.Repeat([]byte{'0'}, 2_500_000),
		"the list":                   sampleCSV(60_000, 13),
	}
}

// readInPieces reads r with buffers of 1 to 9 bytes in turn, so that runs and checksums are
// carried across reads at every offset.
func readInPieces(r io.Reader) ([]byte, error) {
	var out []byte
	for size := 1; ; size = size%9 + 1 {
		buf := make([]byte, size)
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

func TestBlockDecoderMatchesCompressBzip2(t *testing.T) {
	for name, plain := range bzip2Samples() {
		for _, level := range []string{"-1", "-9"} {
			packed := compress(t, plain, level)
			want, err := io.ReadAll(bzip2.NewReader(bytes.NewReader(packed)))
			if err != nil || !bytes.Equal(want, plain) {
				t.Fatalf("%s %s: compress/bzip2 itself: %v", name, level, err)
			}
			got, err := decodeParallel(packed, 2)
			if err != nil || !bytes.Equal(got, plain) {
				t.Errorf("%s %s: %d of %d bytes, %v", name, level, len(got), len(plain), err)
			}
			if len(plain) > 1_000_000 {
				continue // reading 2.5 MB a few bytes at a time takes long
			}
			z := newParallelBzip2(bytes.NewReader(packed), 1)
			got, err = readInPieces(z)
			z.Close()
			if err != nil || !bytes.Equal(got, plain) {
				t.Errorf("%s %s, read in pieces: %d of %d bytes, %v", name, level, len(got), len(plain), err)
			}
		}
	}
}

func TestUpdateCRCMatchesTheBytewiseDefinition(t *testing.T) {
	data := sampleCSV(100, 14)
	for n := range 100 {
		want := ^uint32(0)
		for _, b := range data[:n] {
			want ^= uint32(b) << 24
			for range 8 {
				if want&(1<<31) != 0 {
					want = want<<1 ^ 0x04C11DB7
				} else {
					want <<= 1
				}
			}
		}
		if got := updateCRC(^uint32(0), data[:n]); got != want {
			t.Fatalf("%d bytes: %08x, want %08x", n, got, want)
		}
	}
}
