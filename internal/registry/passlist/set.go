package passlist

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// The layout of a Set: a key's upper bits (key >> suffixBits) pick a bucket, its lower 16 bits
// are stored as a uint16 in that bucket. Buckets are runs of one sorted suffix array; offsets[b]
// is where bucket b starts, offsets[b+1] where it ends.
const (
	suffixBits = 16
	buckets    = (Universe-1)>>suffixBits + 1 // 152 588 buckets of 65 536 keys each
)

// Set is an immutable set of keys in about 2 bytes per key plus a fixed 0.6 MB bucket index.
// Contains is safe for concurrent use.
type Set struct {
	offsets  []uint32 // len buckets+1, non-decreasing, offsets[buckets] == len(suffixes)
	suffixes []uint16 // strictly increasing within each bucket
}

// Contains reports whether k is in the set.
func (s *Set) Contains(k Key) bool {
	if k >= Universe || s == nil || len(s.offsets) == 0 {
		return false
	}
	b := k >> suffixBits
	bucket := s.suffixes[s.offsets[b]:s.offsets[b+1]]
	x := uint16(k)
	// A hand-written binary search: about 20% faster than slices.BinarySearch (10–50% from run
	// to run on a busy 2-CPU machine; BenchmarkContains prints both).
	lo, hi := 0, len(bucket)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if bucket[m] < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(bucket) && bucket[lo] == x
}

// Len is the number of keys in the set.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.suffixes)
}

// SizeBytes is the memory the set holds.
func (s *Set) SizeBytes() int {
	if s == nil {
		return 0
	}
	return 4*cap(s.offsets) + 2*cap(s.suffixes)
}

// All calls yield for each key in increasing order until it returns false.
func (s *Set) All(yield func(Key) bool) {
	if s == nil {
		return
	}
	for b := 0; b < buckets; b++ {
		for _, x := range s.suffixes[s.offsets[b]:s.offsets[b+1]] {
			if !yield(Key(uint64(b)<<suffixBits | uint64(x))) {
				return
			}
		}
	}
}

// keyChunk is how many keys one chunk of a keyBuffer holds; chunks keep the import from copying
// a slice of hundreds of millions of keys each time it grows.
const keyChunk = 1 << 20

// keyBuffer collects the keys of an import in arrival order.
type keyBuffer struct {
	chunks [][]uint64
	n      int
}

func (kb *keyBuffer) add(k Key) {
	if len(kb.chunks) == 0 || len(kb.chunks[len(kb.chunks)-1]) == keyChunk {
		kb.chunks = append(kb.chunks, make([]uint64, 0, keyChunk))
	}
	last := &kb.chunks[len(kb.chunks)-1]
	*last = append(*last, uint64(k))
	kb.n++
}

// buildSet sorts and deduplicates the keys into a Set, releasing the buffer's chunks as it goes,
// and returns the set and the number of duplicate keys dropped. It is a bucket sort: one pass
// counts the keys per bucket, one scatters their suffixes, then each small bucket is sorted.
func buildSet(kb *keyBuffer) (*Set, int) {
	offsets := make([]uint32, buckets+1)
	for _, c := range kb.chunks {
		for _, k := range c {
			offsets[k>>suffixBits+1]++
		}
	}
	for b := 1; b <= buckets; b++ {
		offsets[b] += offsets[b-1]
	}
	suffixes := make([]uint16, kb.n)
	next := make([]uint32, buckets)
	copy(next, offsets[:buckets])
	for i, c := range kb.chunks {
		for _, k := range c {
			b := k >> suffixBits
			suffixes[next[b]] = uint16(k)
			next[b]++
		}
		kb.chunks[i] = nil // let the collector have it
	}
	kb.chunks, kb.n = nil, 0
	next = nil

	// Sort each bucket and squeeze out duplicates, moving the buckets down in place.
	w := uint32(0)
	for b := 0; b < buckets; b++ {
		bucket := suffixes[offsets[b]:offsets[b+1]]
		slices.Sort(bucket)
		offsets[b] = w
		for i, x := range bucket {
			if i > 0 && x == bucket[i-1] {
				continue
			}
			suffixes[w] = x
			w++
		}
	}
	dups := len(suffixes) - int(w)
	offsets[buckets] = w
	if dups > 0 {
		suffixes = slices.Clip(slices.Clone(suffixes[:w]))
	}
	return &Set{offsets: offsets, suffixes: suffixes}, dups
}

// The encoded form of a Set, as stored in the database: a header, the bucket offsets and the
// suffixes, all little-endian.
//
//	magic   8 bytes  "SEPIPL\x00\x01" (format 1)
//	entries 8 bytes  number of keys
//	buckets 4 bytes  number of buckets (152 588)
//	offsets 4 × (buckets+1)
//	suffix  2 × entries
var setMagic = [8]byte{'S', 'E', 'P', 'I', 'P', 'L', 0, 1}

const headerSize = 8 + 8 + 4

// encodedSize is the length of the encoding of a set of n keys.
func encodedSize(n int) int { return headerSize + 4*(buckets+1) + 2*n }

// encode passes the encoding of s to emit in pieces of at most max bytes, so that a large set is never held twice in memory. Each piece is reused after emit returns.
func (s *Set) encode(max int, emit func([]byte) error) error {
	buf := make([]byte, 0, max)
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		err := emit(buf)
		buf = buf[:0]
		return err
	}
	buf = append(buf, setMagic[:]...)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(len(s.suffixes)))
	buf = binary.LittleEndian.AppendUint32(buf, buckets)
	for _, o := range s.offsets {
		if len(buf)+4 > max {
			if err := flush(); err != nil {
				return err
			}
		}
		buf = binary.LittleEndian.AppendUint32(buf, o)
	}
	for _, x := range s.suffixes {
		if len(buf)+2 > max {
			if err := flush(); err != nil {
				return err
			}
		}
		buf = binary.LittleEndian.AppendUint16(buf, x)
	}
	return flush()
}

// setDecoder rebuilds a Set from its encoding fed in pieces of any size, allocating only the
// set itself.
type setDecoder struct {
	hdr   []byte
	set   *Set
	carry []byte // the first bytes of a value split between pieces
}

var errCorrupt = errors.New("passlist: the stored list is corrupt")

func (d *setDecoder) write(p []byte) error {
	for d.set == nil && len(p) > 0 {
		n := min(headerSize-len(d.hdr), len(p))
		d.hdr = append(d.hdr, p[:n]...)
		p = p[n:]
		if len(d.hdr) < headerSize {
			return nil
		}
		if [8]byte(d.hdr[:8]) != setMagic {
			return fmt.Errorf("%w: unknown format", errCorrupt)
		}
		entries := binary.LittleEndian.Uint64(d.hdr[8:])
		if binary.LittleEndian.Uint32(d.hdr[16:]) != buckets || entries > Universe {
			return fmt.Errorf("%w: bad header", errCorrupt)
		}
		d.set = &Set{offsets: make([]uint32, 0, buckets+1), suffixes: make([]uint16, 0, entries)}
	}
	for len(p) > 0 {
		s := d.set
		need := 2
		if len(s.offsets) < buckets+1 {
			need = 4
		}
		if len(d.carry) > 0 || len(p) < need {
			n := min(need-len(d.carry), len(p))
			d.carry = append(d.carry, p[:n]...)
			p = p[n:]
			if len(d.carry) < need {
				return nil
			}
			if err := d.value(d.carry); err != nil {
				return err
			}
			d.carry = d.carry[:0]
			continue
		}
		if need == 4 {
			n := min(buckets+1-len(s.offsets), len(p)/4)
			for i := 0; i < n; i++ {
				s.offsets = append(s.offsets, binary.LittleEndian.Uint32(p[4*i:]))
			}
			p = p[4*n:]
			continue
		}
		n := min(cap(s.suffixes)-len(s.suffixes), len(p)/2)
		if n == 0 {
			return fmt.Errorf("%w: longer than its header says", errCorrupt)
		}
		for i := 0; i < n; i++ {
			s.suffixes = append(s.suffixes, binary.LittleEndian.Uint16(p[2*i:]))
		}
		p = p[2*n:]
	}
	return nil
}

// value takes one value that arrived split between pieces.
func (d *setDecoder) value(b []byte) error {
	s := d.set
	if len(b) == 4 {
		s.offsets = append(s.offsets, binary.LittleEndian.Uint32(b))
		return nil
	}
	if len(s.suffixes) == cap(s.suffixes) {
		return fmt.Errorf("%w: longer than its header says", errCorrupt)
	}
	s.suffixes = append(s.suffixes, binary.LittleEndian.Uint16(b))
	return nil
}

// finish checks that the whole set arrived and is well formed, and returns it.
func (d *setDecoder) finish() (*Set, error) {
	s := d.set
	if s == nil || len(d.carry) > 0 || len(s.offsets) != buckets+1 || len(s.suffixes) != cap(s.suffixes) {
		return nil, fmt.Errorf("%w: truncated", errCorrupt)
	}
	if s.offsets[0] != 0 || int(s.offsets[buckets]) != len(s.suffixes) {
		return nil, fmt.Errorf("%w: bad offsets", errCorrupt)
	}
	for b := 0; b < buckets; b++ {
		lo, hi := s.offsets[b], s.offsets[b+1]
		if hi < lo || int(hi) > len(s.suffixes) {
			return nil, fmt.Errorf("%w: bad offsets", errCorrupt)
		}
		for i := lo + 1; i < hi; i++ {
			if s.suffixes[i] <= s.suffixes[i-1] {
				return nil, fmt.Errorf("%w: unsorted bucket", errCorrupt)
			}
		}
	}
	if last := uint64(buckets-1)<<suffixBits | uint64(0xffff); last >= Universe {
		// The last bucket is only partly inside the universe: no suffix may reach past it.
		lo, hi := s.offsets[buckets-1], s.offsets[buckets]
		if hi > lo && uint64(buckets-1)<<suffixBits|uint64(s.suffixes[hi-1]) >= Universe {
			return nil, fmt.Errorf("%w: key out of range", errCorrupt)
		}
	}
	return s, nil
}
