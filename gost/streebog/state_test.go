package streebog

import (
	"bytes"
	"encoding"
	"hash"
	"math/rand/v2"
	"testing"
)

func newRand(t testing.TB) *rand.ChaCha8 {
	var seed [32]byte
	copy(seed[:], t.Name())
	return rand.NewChaCha8(seed)
}

func randomBytes(r *rand.ChaCha8, n int) []byte {
	b := make([]byte, n)
	r.Read(b)
	return b
}

type sizedHash struct {
	name string
	new  func() hash.Hash
	sum  func([]byte) []byte
}

var hashes = []sizedHash{
	{"256", New256, func(b []byte) []byte { s := Sum256(b); return s[:] }},
	{"512", New512, func(b []byte) []byte { s := Sum512(b); return s[:] }},
}

// TestChunkedWrites feeds messages in random pieces and compares with the
// one-shot sums: buffering across block boundaries must not change digests.
func TestChunkedWrites(t *testing.T) {
	r := newRand(t)
	rr := rand.New(r)
	for _, hs := range hashes {
		for n := 0; n < 700; n += 1 + rr.IntN(37) {
			msg := randomBytes(r, n)
			want := hs.sum(msg)
			h := hs.new()
			for rest := msg; len(rest) > 0; {
				k := rr.IntN(min(len(rest), 150) + 1)
				h.Write(rest[:k])
				rest = rest[k:]
			}
			if got := h.Sum(nil); !bytes.Equal(got, want) {
				t.Fatalf("%s: %d bytes in pieces: %x, want %x", hs.name, n, got, want)
			}
		}
	}
}

// TestSumKeepsState checks that Sum can be called mid-stream and the hash
// goes on as if it had not been.
func TestSumKeepsState(t *testing.T) {
	r := newRand(t)
	msg := randomBytes(r, 300)
	for _, hs := range hashes {
		h := hs.new()
		h.Write(msg[:100])
		if got, want := h.Sum([]byte("prefix")), append([]byte("prefix"), hs.sum(msg[:100])...); !bytes.Equal(got, want) {
			t.Fatalf("%s: Sum mid-stream = %x, want %x", hs.name, got, want)
		}
		h.Write(msg[100:])
		if got := h.Sum(nil); !bytes.Equal(got, hs.sum(msg)) {
			t.Fatalf("%s: Sum after Sum differs from the one-shot digest", hs.name)
		}
		h.Reset()
		h.Write(msg)
		if got := h.Sum(nil); !bytes.Equal(got, hs.sum(msg)) {
			t.Fatalf("%s: Reset did not restore the initial state", hs.name)
		}
		if h.Size() != len(hs.sum(nil)) || h.BlockSize() != BlockSize {
			t.Fatalf("%s: Size %d BlockSize %d", hs.name, h.Size(), h.BlockSize())
		}
	}
}

// TestMarshalResume saves the state at every split point of a message,
// restores it into a fresh hash and finishes there.
func TestMarshalResume(t *testing.T) {
	r := newRand(t)
	msg := randomBytes(r, 200)
	for _, hs := range hashes {
		want := hs.sum(msg)
		for split := 0; split <= len(msg); split += 7 {
			h := hs.new()
			h.Write(msg[:split])
			state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			h2 := hs.new()
			h2.Write([]byte("garbage that the restore must overwrite"))
			if err := h2.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
				t.Fatalf("%s: restore at %d: %v", hs.name, split, err)
			}
			h2.Write(msg[split:])
			if got := h2.Sum(nil); !bytes.Equal(got, want) {
				t.Fatalf("%s: resumed at %d: %x, want %x", hs.name, split, got, want)
			}
			c, err := h.(hash.Cloner).Clone()
			if err != nil {
				t.Fatal(err)
			}
			h.Write([]byte("diverge"))
			c.Write(msg[split:])
			if got := c.Sum(nil); !bytes.Equal(got, want) {
				t.Fatalf("%s: clone at %d: %x, want %x", hs.name, split, got, want)
			}
		}
	}
}

func TestUnmarshalRejects(t *testing.T) {
	h := New256()
	h.Write([]byte("some data"))
	good, _ := h.(encoding.BinaryMarshaler).MarshalBinary()
	other, _ := New512().(encoding.BinaryMarshaler).MarshalBinary()
	badLen := bytes.Clone(good)
	badLen[len(badLen)-1] = BlockSize
	badCounter := bytes.Clone(good)
	badCounter[4+64] = 1
	cases := map[string][]byte{
		"empty":          nil,
		"foreign magic":  append([]byte("sha\x03"), good[4:]...),
		"other size":     other,
		"truncated":      good[:len(good)-1],
		"extended":       append(bytes.Clone(good), 0),
		"buffer length":  badLen,
		"length counter": badCounter,
	}
	for name, state := range cases {
		h := New256()
		h.Write([]byte("kept"))
		before := h.Sum(nil)
		if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err == nil {
			t.Errorf("%s: state accepted", name)
		}
		if !bytes.Equal(h.Sum(nil), before) {
			t.Errorf("%s: a rejected state changed the hash", name)
		}
	}
	appended, _ := h.(encoding.BinaryAppender).AppendBinary([]byte("x"))
	if !bytes.Equal(appended[1:], good) {
		t.Error("AppendBinary differs from MarshalBinary")
	}
}

// FuzzUnmarshal feeds arbitrary states to UnmarshalBinary: it must never
// panic, and a state it accepts must marshal back to the same bytes.
func FuzzUnmarshal(f *testing.F) {
	h := New512()
	h.Write([]byte("seed"))
	good, _ := h.(encoding.BinaryMarshaler).MarshalBinary()
	f.Add(good)
	f.Add([]byte("stb\x01"))
	f.Fuzz(func(t *testing.T, state []byte) {
		for _, hs := range hashes {
			h := hs.new()
			if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
				continue
			}
			back, _ := h.(encoding.BinaryMarshaler).MarshalBinary()
			if !bytes.Equal(back, state) {
				t.Fatalf("%s: accepted state %x marshals back as %x", hs.name, state, back)
			}
			h.Write(state)
			h.Sum(nil)
		}
	})
}
