package documents

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"testing"

	"github.com/sep-platform/sep/internal/seal"
)

func sealBytes(t testing.TB, box *seal.Box, id string, plain []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w, _, err := newSealWriter(&out, box, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plain); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func openBytes(box *seal.Box, id string, sealed []byte) ([]byte, error) {
	r, err := openReader(bytes.NewReader(sealed), box, id)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func TestSealedFileRoundTrips(t *testing.T) {
	box := seal.NewBox(seal.GenerateRing(), nil)
	for _, n := range []int{0, 1, chunkSize - 1, chunkSize, chunkSize + 1, 3*chunkSize + 17, 4 * chunkSize} {
		plain := make([]byte, n)
		rand.Read(plain)
		sealed := sealBytes(t, box, "doc1", plain)
		if int64(len(sealed)) != SealedSize(int64(n)) {
			t.Errorf("%d bytes: sealed %d bytes, SealedSize says %d", n, len(sealed), SealedSize(int64(n)))
		}
		got, err := openBytes(box, "doc1", sealed)
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("%d bytes: opened %d bytes, %v", n, len(got), err)
		}
	}
}

func TestSealedFileRefusesTamperingTruncationReorderingAndAnotherID(t *testing.T) {
	box := seal.NewBox(seal.GenerateRing(), nil)
	plain := make([]byte, 3*chunkSize+100)
	rand.Read(plain)
	sealed := sealBytes(t, box, "doc1", plain)
	stored := chunkSize + tagSize
	chunk := func(i int) []byte { return sealed[headerSize+i*stored : min(headerSize+(i+1)*stored, len(sealed))] }
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	header := sealed[:headerSize]
	flipped := bytes.Clone(sealed)
	flipped[headerSize+chunkSize+5] ^= 1
	badHeader := bytes.Clone(sealed)
	badHeader[12] ^= 1
	cases := map[string]struct {
		id     string
		sealed []byte
		want   error
	}{
		"a flipped bit":                {"doc1", flipped, ErrTampered},
		"a changed salt":               {"doc1", badHeader, ErrTampered},
		"another document's id":        {"doc2", sealed, ErrTampered},
		"the last chunk cut off":       {"doc1", join(header, chunk(0), chunk(1), chunk(2)), ErrTruncated},
		"cut inside a chunk":           {"doc1", sealed[:len(sealed)-50], ErrTampered},
		"only the header":              {"doc1", header, ErrTruncated},
		"half a header":                {"doc1", header[:10], ErrTruncated},
		"two chunks swapped":           {"doc1", join(header, chunk(1), chunk(0), chunk(2), chunk(3)), ErrTampered},
		"a chunk repeated":             {"doc1", join(header, chunk(0), chunk(0), chunk(2), chunk(3)), ErrTampered},
		"a chunk of another file":      {"doc1", join(header, chunk(0), sealBytes(t, box, "doc1", plain)[headerSize+stored:headerSize+2*stored], chunk(2), chunk(3)), ErrTampered},
		"not a sealed document at all": {"doc1", []byte("%PDF-1.7 this is plaintext, not sealed"), ErrNotSealed},
	}
	for name, c := range cases {
		if _, err := openBytes(box, c.id, c.sealed); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

func TestSealedFileOpensWithTheKeyThatSealedItAfterARotation(t *testing.T) {
	ring := seal.GenerateRing()
	box := seal.NewBox(ring, nil)
	sealed := sealBytes(t, box, "doc1", []byte("before the rotation"))
	rotated := seal.NewBox(ring.Rotate(), nil)
	if got, err := openBytes(rotated, "doc1", sealed); err != nil || string(got) != "before the rotation" {
		t.Fatalf("after a rotation: %q, %v", got, err)
	}
	other := seal.NewBox(seal.GenerateRing(), nil)
	if _, err := openBytes(other, "doc1", sealed); !errors.Is(err, seal.ErrUnknownKey) {
		t.Fatalf("with another ring: %v, want ErrUnknownKey", err)
	}
}

func BenchmarkSeal(b *testing.B) {
	box := seal.NewBox(seal.GenerateRing(), nil)
	buf := make([]byte, 1<<20)
	b.SetBytes(int64(len(buf)))
	w, _, _ := newSealWriter(io.Discard, box, "bench")
	for b.Loop() {
		w.Write(buf)
	}
}
