package seal

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

var (
	people  = Table{Name: "people", Key: "id", Sealed: []string{"name", "phone"}}
	name    = people.Column("name")
	phone   = people.Column("phone")
	testKey = bytes.Repeat([]byte{7}, KeySize)
)

func testBox(t testing.TB) *Box {
	t.Helper()
	r, err := NewRing(0, testKey)
	if err != nil {
		t.Fatal(err)
	}
	return NewBox(r, nil)
}

func TestRoundTrip(t *testing.T) {
	b := testBox(t)
	for _, plain := range []string{"", "Иванов Иван Иванович", strings.Repeat("x", 100000)} {
		s := b.SealString(name, "row-1", plain)
		if len(s.Bytes()) != len(plain)+Overhead {
			t.Errorf("sealed %d bytes into %d, want %d overhead", len(plain), len(s.Bytes()), Overhead)
		}
		if bytes.Contains(s.Bytes(), []byte(plain)) && plain != "" {
			t.Errorf("the plaintext shows in the sealed value")
		}
		got, err := b.OpenString(name, "row-1", s)
		if err != nil || got != plain {
			t.Errorf("open: %q, %v; want the plaintext back", got[:min(len(got), 20)], err)
		}
		if id, ok := s.Key(); !ok || id != b.Ring().Current() {
			t.Errorf("Key() = %v, %v; want the current key", id, ok)
		}
	}
}

func TestSealIsRandomised(t *testing.T) {
	b := testBox(t)
	x, y := b.SealString(name, "r", "Пётр"), b.SealString(name, "r", "Пётр")
	if bytes.Equal(x.Bytes(), y.Bytes()) {
		t.Fatal("sealing the same value twice gave the same bytes: the nonce is not fresh")
	}
}

func TestNullOpensAsNothing(t *testing.T) {
	b := testBox(t)
	got, err := b.Open(name, "r", Sealed{})
	if got != nil || err != nil {
		t.Fatalf("Open(NULL) = %v, %v; want nil, nil", got, err)
	}
}

// Each way a value can be wrong has its own error, naming the place and never the content.
func TestOpenFailures(t *testing.T) {
	b := testBox(t)
	good := b.SealString(name, "row-1", "Сидорова Анна").Bytes()
	change := func(f func([]byte) []byte) Sealed { return Sealed{b: f(bytes.Clone(good))} }
	other, _ := NewRing(0, bytes.Repeat([]byte{9}, KeySize))
	foreign := NewBox(other, nil).SealString(name, "row-1", "Сидорова Анна")
	cases := []struct {
		desc   string
		col    Column
		row    string
		value  Sealed
		want   error
		hasKey bool
	}{
		{"plain text in a sealed column", name, "row-1", Sealed{b: []byte("Сидорова Анна")}, ErrNotSealed, false},
		{"empty", name, "row-1", Sealed{b: []byte{}}, ErrTruncated, false},
		{"truncated header", name, "row-1", change(func(v []byte) []byte { return v[:10] }), ErrTruncated, false},
		{"truncated tag", name, "row-1", change(func(v []byte) []byte { return v[:Overhead-1] }), ErrTruncated, false},
		{"unknown version", name, "row-1", change(func(v []byte) []byte { v[0] = 2; return v }), ErrVersion, false},
		{"key id changed to an unknown key", name, "row-1", change(func(v []byte) []byte { v[2] ^= 1; return v }), ErrUnknownKey, true},
		{"sealed by a key not in the ring", name, "row-1", foreign, ErrUnknownKey, true},
		{"nonce changed", name, "row-1", change(func(v []byte) []byte { v[12] ^= 1; return v }), ErrTampered, true},
		{"ciphertext changed", name, "row-1", change(func(v []byte) []byte { v[headerSize+1] ^= 0x80; return v }), ErrTampered, true},
		{"tag changed", name, "row-1", change(func(v []byte) []byte { v[len(v)-1] ^= 1; return v }), ErrTampered, true},
		{"cut short by a byte", name, "row-1", change(func(v []byte) []byte { return v[:len(v)-1] }), ErrTampered, true},
		{"place hint changed", name, "row-1", change(func(v []byte) []byte { v[6] ^= 1; return v }), ErrMisplaced, true},
		{"moved to another row", name, "row-2", Sealed{b: good}, ErrMisplaced, true},
		{"moved to another column", phone, "row-1", Sealed{b: good}, ErrMisplaced, true},
	}
	for _, c := range cases {
		t.Run(c.desc, func(t *testing.T) {
			got, err := b.Open(c.col, c.row, c.value)
			if !errors.Is(err, c.want) {
				t.Fatalf("Open = %q, %v; want %v", got, err, c.want)
			}
			var oe *OpenError
			if !errors.As(err, &oe) || oe.Column != c.col || oe.Row != c.row || (oe.Key != 0) != c.hasKey {
				t.Fatalf("error %#v does not name the place and key", err)
			}
			if msg := err.Error(); strings.Contains(msg, "Сидорова") || !strings.Contains(msg, c.col.String()) ||
				!strings.Contains(msg, c.row) {
				t.Errorf("message %q must name the place and not the content", msg)
			}
		})
	}
}

func TestOldKeysOpenAfterRotation(t *testing.T) {
	b := testBox(t)
	old := b.SealString(name, "r", "Козлов")
	oldID := b.Ring().Current()
	r2 := b.Ring().Rotate()
	b2 := NewBox(r2, nil)
	if r2.Current() == oldID || !r2.Has(oldID) {
		t.Fatalf("rotation must add a new current key and keep the old one: %v", r2.IDs())
	}
	if got, err := b2.OpenString(name, "r", old); err != nil || got != "Козлов" {
		t.Fatalf("the rotated ring cannot open an old value: %q, %v", got, err)
	}
	fresh := b2.SealString(name, "r", "Козлов")
	if id, _ := fresh.Key(); id != r2.Current() {
		t.Fatalf("new values must be sealed with the new key, got %v", id)
	}
	again := fresh
	r3, err := r2.Without(oldID)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := NewBox(r3, nil).OpenString(name, "r", again); err != nil || got != "Козлов" {
		t.Fatalf("after removing the old key the resealed value must open: %q, %v", got, err)
	}
	if _, err := NewBox(r3, nil).Open(name, "r", old); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("a value on a removed key: %v, want ErrUnknownKey", err)
	}
	if _, err := r3.Without(r3.Current()); err == nil {
		t.Fatal("the current key was removed")
	}
}

// A box that meets a value sealed with a key it does not know reads the key file again: the
// instance learns of a rotation made elsewhere at the first such value.
func TestUnknownKeyReloads(t *testing.T) {
	r1, _ := NewRing(0, testKey)
	r2 := r1.Rotate()
	file := r1
	b := NewBox(r1, func() (*Ring, error) { return file, nil })
	sealedElsewhere := NewBox(r2, nil).SealString(name, "r", "Новиков")
	file = r2 // the file now holds the new key
	if got, err := b.OpenString(name, "r", sealedElsewhere); err != nil || got != "Новиков" {
		t.Fatalf("open after a rotation elsewhere: %q, %v", got, err)
	}
	if b.Ring().Current() != r2.Current() {
		t.Fatal("the box did not take the reloaded ring")
	}
}

func TestRingFile(t *testing.T) {
	r := GenerateRing().Rotate().Rotate()
	back, err := ParseRing(r.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if back.Current() != r.Current() || len(back.IDs()) != 3 || back.IDs()[1] != r.IDs()[1] {
		t.Fatalf("round trip: %v current %v, want %v current %v", back.IDs(), back.Current(), r.IDs(), r.Current())
	}
	for _, id := range r.IDs() {
		if !bytes.Contains(r.Marshal(), []byte("# id "+id.String())) {
			t.Errorf("the file does not name key %s", id)
		}
	}

	legacy := strings.Repeat("ab", 32) + "\n" // what `openssl rand -hex 32` and earlier versions write
	lr, err := ParseRing([]byte(legacy))
	if err != nil || len(lr.IDs()) != 1 {
		t.Fatalf("a one-key file: %v, %v", lr, err)
	}
	k := strings.Repeat("cd", 32)
	for _, c := range []struct{ file, want string }{
		{"", "holds no key"},
		{"# only a comment\n\n", "holds no key"},
		{"abcd\n", "line 1: a key is 32 random bytes"},
		{legacy + strings.Repeat("zz", 32), "line 2: a key is 32 random bytes"},
		{legacy + k + "\n", "none is marked current"},
		{legacy[:64] + " current\n" + k + " current\n", "more than one key is marked current"},
		{legacy[:64] + " newest\n", "only the word current may follow"},
		{legacy + legacy[:64] + " current\n", "two keys have the id"},
	} {
		_, err := ParseRing([]byte(c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseRing(%q) = %v, want an error saying %q", c.file, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "abab") {
			t.Errorf("the error repeats key material: %v", err)
		}
	}
}

func TestDerivedKeysDiffer(t *testing.T) {
	r, _ := NewRing(0, testKey)
	k := r.current
	seen := map[string]string{string(testKey): "the data key", string(k.index): "index"}
	for _, p := range []string{PurposeFingerprint, PurposeRateLimit, purposeSeal} {
		d := string(r.Derive(p))
		if other, dup := seen[d]; dup {
			t.Fatalf("purpose %q has the same bytes as %s", p, other)
		}
		seen[d] = p
	}
}

func TestBlindIndex(t *testing.T) {
	b := testBox(t)
	digits := func(s string) (string, error) {
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, s), nil
	}
	ix := Index{Column: "phone_idx", Of: "phone", Purpose: "phone", Normalize: digits}
	x, _ := b.Index(ix, "+7 (912) 345-67-89")
	y, _ := b.Index(ix, "79123456789")
	if !SameBlind(x, y) {
		t.Fatal("two spellings of one value must give one index")
	}
	if z, _ := b.Index(ix, "79123456780"); SameBlind(x, z) {
		t.Fatal("different values gave one index")
	}
	if w, _ := b.Index(Index{Purpose: "snils", Normalize: digits}, "79123456789"); SameBlind(x, w) {
		t.Fatal("two purposes gave one index for the same value")
	}
	if id, ok := x.Key(); !ok || id != b.Ring().Current() {
		t.Fatalf("the index does not name its key: %v %v", id, ok)
	}

	b2 := NewBox(b.Ring().Rotate(), nil)
	cands, _ := b2.Candidates(ix, "7 912 345 67 89")
	if len(cands) != 2 {
		t.Fatalf("after a rotation a lookup must try both keys, got %d candidates", len(cands))
	}
	if !SameBlind(cands[1].(Blind), x) {
		t.Fatal("the old key's candidate does not find the old index")
	}
	if fresh, _ := b2.Index(ix, "79123456789"); !SameBlind(cands[0].(Blind), fresh) || SameBlind(fresh, x) {
		t.Fatal("the first candidate must be the current key's index, unlike the old key's")
	}
	if _, err := b.Index(Index{Normalize: func(string) (string, error) { return "", errors.New("bad") }}, "x"); err == nil {
		t.Fatal("a value the normaliser refuses must be refused")
	}
}

func TestScan(t *testing.T) {
	var s Sealed
	src := []byte{1, 2, 3}
	if err := s.Scan(src); err != nil {
		t.Fatal(err)
	}
	src[0] = 9
	if s.Bytes()[0] != 1 {
		t.Fatal("Scan must copy: the driver reuses its buffer")
	}
	if err := s.Scan(nil); err != nil || s.Valid() {
		t.Fatal("NULL must scan as an invalid (NULL) value")
	}
	if err := s.Scan(int64(5)); err == nil {
		t.Fatal("a number is not a sealed value")
	}
	if v, _ := (Sealed{}).Value(); v != nil {
		t.Fatal("the zero Sealed must be NULL")
	}
}

func FuzzOpen(f *testing.F) {
	b := NewBox(GenerateRing(), nil)
	good := b.SealString(name, "r", "Фёдоров")
	f.Add(good.Bytes(), "r")
	f.Add([]byte{}, "r")
	f.Add([]byte{1}, "")
	f.Add(good.Bytes()[:Overhead], "r")
	f.Fuzz(func(t *testing.T, v []byte, row string) {
		got, err := b.Open(name, row, Sealed{b: v})
		if err == nil {
			if string(got) != "Фёдоров" || row != "r" || !bytes.Equal(v, good.Bytes()) {
				t.Fatalf("a forged value opened: %q", got)
			}
			return
		}
		var oe *OpenError
		if !errors.As(err, &oe) {
			t.Fatalf("error %v is not an *OpenError", err)
		}
		for _, e := range []error{ErrNotSealed, ErrTruncated, ErrVersion, ErrUnknownKey, ErrMisplaced, ErrTampered} {
			if errors.Is(err, e) {
				return
			}
		}
		t.Fatalf("error %v has no known reason", err)
	})
}
