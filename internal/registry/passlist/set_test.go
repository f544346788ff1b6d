package passlist

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomKeys returns n keys, about a tenth of them repeated, plus the edges of the universe
// and of buckets, and the distinct sorted keys.
func randomKeys(n int, seed uint64) (all []Key, distinct []Key) {
	r := rand.New(rand.NewPCG(seed, 2))
	edges := []Key{0, 1, 1<<suffixBits - 1, 1 << suffixBits, Universe - 1, Universe - 2, (buckets - 1) << suffixBits}
	all = append(all, edges...)
	for len(all) < n {
		if len(all) > 20 && r.IntN(10) == 0 {
			all = append(all, all[r.IntN(len(all))])
			continue
		}
		all = append(all, Key(r.Uint64N(Universe)))
	}
	distinct = slices.Clone(all)
	slices.Sort(distinct)
	return all, slices.Compact(distinct)
}

func setOf(keys []Key) (*Set, int) {
	var kb keyBuffer
	for _, k := range keys {
		kb.add(k)
	}
	return buildSet(&kb)
}

func TestSetHoldsExactlyItsKeys(t *testing.T) {
	all, distinct := randomKeys(300_000, 1)
	set, dups := setOf(all)
	if set.Len() != len(distinct) || dups != len(all)-len(distinct) {
		t.Fatalf("Len %d, duplicates %d; want %d, %d", set.Len(), dups, len(distinct), len(all)-len(distinct))
	}
	for _, k := range distinct {
		if !set.Contains(k) {
			t.Fatalf("%d missing", k)
		}
	}
	// Neighbours of members are good misses: same bucket, one off.
	in := map[Key]bool{}
	for _, k := range distinct {
		in[k] = true
	}
	misses := 0
	for _, k := range distinct {
		for _, m := range []Key{k - 1, k + 1} {
			if m < Universe && !in[m] {
				misses++
				if set.Contains(m) {
					t.Fatalf("%d reported but never added", m)
				}
			}
		}
	}
	if misses < len(distinct) {
		t.Fatalf("only %d misses checked", misses)
	}
	for _, k := range []Key{Universe, Universe + 1, 1 << 40, ^Key(0)} {
		if set.Contains(k) {
			t.Errorf("%d outside the universe reported", k)
		}
	}
	var walked []Key
	set.All(func(k Key) bool { walked = append(walked, k); return true })
	if !slices.Equal(walked, distinct) {
		t.Error("All does not yield the keys in order")
	}
	if got := float64(set.SizeBytes()-4*(buckets+1)) / float64(set.Len()); got != 2 {
		t.Errorf("%.2f bytes per key beyond the index, want 2", got)
	}
}

func TestEmptySet(t *testing.T) {
	set, dups := setOf(nil)
	if set.Len() != 0 || dups != 0 || set.Contains(0) || set.Contains(Universe-1) {
		t.Fatal("an empty set is not empty")
	}
	var none *Set
	if none.Contains(5) || none.Len() != 0 || (&Set{}).Contains(5) {
		t.Fatal("a nil or zero set is not empty")
	}
}

func encodeAll(t *testing.T, s *Set, piece int) [][]byte {
	t.Helper()
	var out [][]byte
	if err := s.encode(piece, func(p []byte) error { out = append(out, bytes.Clone(p)); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSetEncodingRoundTrip(t *testing.T) {
	all, distinct := randomKeys(50_000, 2)
	set, _ := setOf(all)
	whole := bytes.Join(encodeAll(t, set, chunkBytes), nil)
	if len(whole) != encodedSize(set.Len()) {
		t.Fatalf("encoded %d bytes, want %d", len(whole), encodedSize(set.Len()))
	}
	// Feed the decoder pieces of awkward sizes: values split across them every which way.
	for _, piece := range []int{1, 3, 7, 4096 + 1, len(whole)} {
		var d setDecoder
		for p := whole; len(p) > 0; {
			n := min(piece, len(p))
			if err := d.write(p[:n]); err != nil {
				t.Fatalf("piece %d: %v", piece, err)
			}
			p = p[n:]
		}
		got, err := d.finish()
		if err != nil {
			t.Fatalf("piece %d: %v", piece, err)
		}
		var keys []Key
		got.All(func(k Key) bool { keys = append(keys, k); return true })
		if !slices.Equal(keys, distinct) {
			t.Fatalf("piece %d: the decoded set differs", piece)
		}
	}
	// Pieces from encode never exceed their limit.
	for _, p := range encodeAll(t, set, 1000) {
		if len(p) > 1000 {
			t.Fatalf("a piece of %d bytes", len(p))
		}
	}
}

func TestSetDecoderRejectsDamage(t *testing.T) {
	set, _ := setOf([]Key{5, 7, 70000, Universe - 1})
	whole := bytes.Join(encodeAll(t, set, chunkBytes), nil)
	off := headerSize + 4*(buckets+1) // the first suffix
	damage := map[string][]byte{
		"truncated":     whole[:len(whole)-1],
		"header only":   whole[:headerSize],
		"too long":      append(bytes.Clone(whole), 0, 0),
		"bad magic":     append([]byte("NOTALIST"), whole[8:]...),
		"unsorted":      swap(whole, off, off+2),
		"bad offsets":   patch(whole, headerSize+4, 0xff),
		"wrong buckets": patch(whole, 16, 0x01),
		"out of range":  put(put(whole, len(whole)-2, 0xff), len(whole)-1, 0xff), // key 9999_999999 + 7167
		"empty":         nil,
	}
	for name, enc := range damage {
		var d setDecoder
		err := d.write(enc)
		if err == nil {
			_, err = d.finish()
		}
		if !errors.Is(err, errCorrupt) {
			t.Errorf("%s: %v, want errCorrupt", name, err)
		}
	}
}

func swap(b []byte, i, j int) []byte {
	c := bytes.Clone(b)
	c[i], c[i+1], c[j], c[j+1] = c[j], c[j+1], c[i], c[i+1]
	return c
}

func put(b []byte, i int, v byte) []byte {
	c := bytes.Clone(b)
	c[i] = v
	return c
}

func patch(b []byte, i int, v byte) []byte {
	c := bytes.Clone(b)
	c[i] ^= v
	return c
}

// BenchmarkContains looks up random keys, half of them members, in a set of 10 million, with the
// hand-written binary search of Set.Contains and with slices.BinarySearch.
func BenchmarkContains(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 3))
	var kb keyBuffer
	members := make([]Key, 0, 1<<16)
	for i := range 10_000_000 {
		k := Key(r.Uint64N(Universe))
		kb.add(k)
		if i < cap(members) {
			members = append(members, k)
		}
	}
	set, _ := buildSet(&kb)
	probes := make([]Key, 1<<16)
	for i := range probes {
		if i%2 == 0 {
			probes[i] = members[i]
		} else {
			probes[i] = Key(r.Uint64N(Universe))
		}
	}
	b.ResetTimer()
	b.Run("hand-written", func(b *testing.B) {
		hits := 0
		for i := 0; b.Loop(); i++ {
			if set.Contains(probes[i&(len(probes)-1)]) {
				hits++
			}
		}
		if hits == 0 {
			b.Fatal("no hits")
		}
	})
	b.Run("slices.BinarySearch", func(b *testing.B) {
		hits := 0
		for i := 0; b.Loop(); i++ {
			if set.containsBinarySearch(probes[i&(len(probes)-1)]) {
				hits++
			}
		}
		if hits == 0 {
			b.Fatal("no hits")
		}
	})
}

// containsBinarySearch is Set.Contains with slices.BinarySearch instead of the hand-written
// search: the alternative BenchmarkContains measures it against.
func (s *Set) containsBinarySearch(k Key) bool {
	if k >= Universe || s == nil || len(s.offsets) == 0 {
		return false
	}
	b := k >> suffixBits
	_, found := slices.BinarySearch(s.suffixes[s.offsets[b]:s.offsets[b+1]], uint16(k))
	return found
}
