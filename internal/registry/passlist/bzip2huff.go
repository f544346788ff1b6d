package passlist

import "encoding/binary"

// huffTable decodes one Huffman table. fast[next tableBits bits] is sym<<5 | length, or 0 when
// the code is longer than tableBits (or invalid): then the canonical ranges decide.
type huffTable struct {
	fast  [1 << tableBits]uint16
	limit [maxCodeLen + 2]uint32 // codes of length l are [base[l], limit[l])
	base  [maxCodeLen + 2]uint32
	first [maxCodeLen + 2]uint16 // index in perm of the first code of length l
	perm  [maxAlphabet]uint16    // symbols by (length, symbol): the canonical order
	max   uint
}

// build makes the table for the code lengths of an alphabet, assigning canonical codes as
// bzip2 does: by length, then symbol, counting up from zero. An over-subscribed set of lengths
// is no prefix code and is refused; an incomplete one decodes, its unused codes are errors.
func (h *huffTable) build(lengths []uint8) error {
	var count [maxCodeLen + 2]uint16
	for _, l := range lengths {
		count[l]++
	}
	kraft := uint32(0)
	for l := 1; l <= maxCodeLen; l++ {
		kraft += uint32(count[l]) << (maxCodeLen - l)
	}
	if kraft > 1<<maxCodeLen {
		return errBlock("over-subscribed Huffman code lengths")
	}
	code, idx := uint32(0), uint16(0)
	h.max = 0
	for l := 1; l <= maxCodeLen; l++ {
		h.base[l], h.first[l] = code, idx
		code += uint32(count[l])
		idx += count[l]
		h.limit[l] = code
		code <<= 1
		if count[l] > 0 {
			h.max = uint(l)
		}
	}
	next := h.first
	for sym, l := range lengths {
		h.perm[next[l]] = uint16(sym)
		next[l]++
	}
	clear(h.fast[:])
	for l := 1; l <= min(tableBits, maxCodeLen); l++ {
		for k := h.first[l]; k < h.first[l]+count[l]; k++ {
			c := h.base[l] + uint32(k-h.first[l])
			lo, hi := c<<(tableBits-l), (c+1)<<(tableBits-l)
			e := h.perm[k]<<5 | uint16(l)
			for i := lo; i < hi; i++ {
				h.fast[i] = e
			}
		}
	}
	return nil
}

// slow decodes a code longer than tableBits (or finds none) from the top bits of acc, which
// holds at least maxCodeLen valid bits.
func (h *huffTable) slow(acc uint64) (sym uint16, n uint, ok bool) {
	for l := uint(tableBits + 1); l <= h.max; l++ {
		if v := uint32(acc >> (64 - l)); v < h.limit[l] {
			if v < h.base[l] {
				return 0, 0, false
			}
			return h.perm[h.first[l]+uint16(v-h.base[l])], l, true
		}
	}
	return 0, 0, false
}

// bitReader reads a block's bits most significant first. Past the end of buf it reads zeros;
// the caller compares where it stopped with where the block ends.
type bitReader struct {
	buf []byte
	pos int    // the next byte of buf to load
	acc uint64 // n valid bits at the top, zeros below
	n   uint
}

// refill loads bytes until at least 56 bits are valid.
func (b *bitReader) refill() {
	if b.pos+8 <= len(b.buf) {
		v := binary.BigEndian.Uint64(b.buf[b.pos:])
		k := (63 - b.n) >> 3
		b.acc |= v >> b.n
		b.pos += int(k)
		b.n += 8 * k
		b.acc &= ^uint64(0) << (64 - b.n)
		return
	}
	for b.n <= 56 {
		var c byte
		if b.pos < len(b.buf) {
			c = b.buf[b.pos]
		}
		b.pos++
		b.acc |= uint64(c) << (56 - b.n)
		b.n += 8
	}
}

// bits reads n ≤ 32 bits.
func (b *bitReader) bits(n uint) uint32 {
	if b.n < n {
		b.refill()
	}
	v := uint32(b.acc >> (64 - n))
	b.acc <<= n
	b.n -= n
	return v
}

// consumed is the number of bits read from the start of buf.
func (b *bitReader) consumed() int64 { return int64(b.pos)*8 - int64(b.n) }
