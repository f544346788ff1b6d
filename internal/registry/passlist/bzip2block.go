package passlist

import "encoding/binary"

// The decoder of one bzip2 block, from the bits after its magic number to its end-of-block
// symbol: Huffman-coded move-to-front symbols, then the inverse Burrows–Wheeler transform. Its
// output is the block before the format's first run-length step (runDecoder undoes that and
// checks the CRC). It follows the format as the reference bzip2 reads it; compress/bzip2 is
// the reference in the tests. Two things make it about three times cheaper per byte than
// compress/bzip2:
//
//   - Huffman codes are decoded through a table indexed by the next tableBits bits, one lookup
//     for nearly every symbol, instead of a tree walked bit by bit (bzip2huff.go);
//   - the inverse BWT, a chain of dependent loads scattered over 3.6 MB that runs at the speed
//     of memory latency, is cut into pieces walked side by side, so that several loads are in
//     flight instead of one (bzip2bwt.go).

// errBlock describes a block that is not valid bzip2; the caller adds where it is.
type errBlock string

func (e errBlock) Error() string { return string(e) }

const (
	maxCodeLen   = 20  // the longest Huffman code the format allows
	maxAlphabet  = 258 // RUNA, RUNB, up to 255 move-to-front positions, end of block
	maxGroups    = 6   // Huffman tables in a block
	maxSelectors = 1<<15 - 1
	groupSize    = 50 // symbols coded with one table before the next selector
	tableBits    = 10 // bits resolved by one table lookup
	maxRepeat    = 2 << 20
)

// maxBlockBits bounds the size of a block of the given level ('1'..'9'), from its magic number
// to the next one, as any encoder can write it:
//
//	48 magic + 32 CRC + 1 randomised + 24 origPtr                                 105
//	symbol map: 16 + 16×16                                                        272
//	3 (tables) + 15 (selector count)                                               18
//	selectors: ≤ 32 767, each a unary number < 6: ≤ 6 bits                    196 602
//	code lengths: 6 tables × (5 + 258 symbols × (19 steps × 2 bits + 1 stop))   60 402
//	symbols: ≤ blockSize+1, ≤ 20 bits each                    20 × (level×100 000 + 1)
//
// The block holds at most level×100 000 bytes; each move-to-front symbol stands for at least
// one of them (a run of r RUNA/RUNB symbols for at least 2^r−1 ≥ r), plus the end of block. A
// code length goes from one symbol's to the next in steps of ±1 within 1..20, so no more than
// 19 steps are needed. At level 9 that is 18 257 419 bits, 2.2 MiB: about 2.5 times the block
// itself (a real encoder writes codes of at most 17 bits, and incompressible data grows by
// well under 1%). A span without a block boundary within the bound is not bzip2, and the
// splitter stops reading there rather than buffer a damaged file whole.
func maxBlockBits(level byte) int64 {
	const fixed = 105 + 272 + 18 + 6*maxSelectors + maxGroups*(5+maxAlphabet*(2*(maxCodeLen-1)+1))
	return fixed + maxCodeLen*(int64(level-'0')*100_000+1)
}

// blockDecoder holds the arrays of one decoding goroutine, reused from block to block.
type blockDecoder struct {
	L      []byte   // the block's bytes as decoded: the last column of the BWT
	tt     []uint32 // see inverseBWT
	segs   []segment
	lanes  [chainLanes][]byte
	sel    []uint8
	tables [maxGroups]huffTable
}

// decode decodes the block whose magic number starts at bit shift of raw[0] and that is nbits
// long up to the next magic number, appending its bytes before the first run-length step to
// out. level is the stream's block size, '1'..'9'.
func (d *blockDecoder) decode(raw []byte, shift uint, nbits int64, level byte, out []byte) ([]byte, error) {
	br := bitReader{buf: raw}
	br.bits(shift)
	br.bits(24) // the block magic, in two reads
	br.bits(24)
	br.bits(32) // the CRC: the caller has it
	if br.bits(1) != 0 {
		return nil, errBlock("deprecated randomised block")
	}
	origPtr := int(br.bits(24))

	var symbols [256]byte // the move-to-front list
	used := 0
	ranges := br.bits(16)
	for r := range 16 {
		if ranges&(0x8000>>r) == 0 {
			continue
		}
		m := br.bits(16)
		for s := range 16 {
			if m&(0x8000>>s) != 0 {
				symbols[used] = byte(16*r + s)
				used++
			}
		}
	}
	if used == 0 {
		return nil, errBlock("no symbols in a block")
	}
	alphabet := used + 2
	groups := int(br.bits(3))
	if groups < 2 || groups > maxGroups {
		return nil, errBlock("invalid number of Huffman tables")
	}
	nsel := int(br.bits(15))
	if nsel == 0 {
		return nil, errBlock("no Huffman table selectors")
	}
	d.sel = d.sel[:0]
	mtfGroups := [maxGroups]uint8{0, 1, 2, 3, 4, 5}
	for range nsel {
		j := 0
		for br.bits(1) == 1 {
			if j++; j >= groups {
				return nil, errBlock("Huffman table selector out of range")
			}
		}
		g := mtfGroups[j]
		copy(mtfGroups[1:j+1], mtfGroups[:j])
		mtfGroups[0] = g
		d.sel = append(d.sel, g)
	}
	var lengths [maxAlphabet]uint8
	for g := range groups {
		l := br.bits(5)
		for s := range alphabet {
			for {
				if l < 1 || l > maxCodeLen {
					return nil, errBlock("Huffman code length out of range")
				}
				if br.bits(1) == 0 {
					break
				}
				if br.bits(1) == 0 {
					l++
				} else {
					l--
				}
			}
			lengths[s] = uint8(l)
		}
		if err := d.tables[g].build(lengths[:alphabet]); err != nil {
			return nil, err
		}
	}

	blockSize := int(level-'0') * 100_000
	if cap(d.tt) < blockSize {
		d.tt = make([]uint32, blockSize)
		d.L = make([]byte, blockSize)
	}
	bwt := d.L[:blockSize]
	var counts [256]int
	n := 0 // bytes of the block so far
	run, runBit := 0, 0
	eob := uint16(alphabet - 1)
	sel := 0
	var h *huffTable
	left := 0 // symbols left to decode with h
	for {
		if left == 0 {
			if sel >= len(d.sel) {
				return nil, errBlock("more symbols than Huffman table selectors")
			}
			h, left = &d.tables[d.sel[sel]], groupSize
			sel++
		}
		left--
		if br.n < maxCodeLen {
			br.refill()
		}
		var sym uint16
		if e := h.fast[br.acc>>(64-tableBits)]; e != 0 {
			sym = e >> 5
			br.acc <<= e & 31
			br.n -= uint(e & 31)
		} else {
			s, l, ok := h.slow(br.acc)
			if !ok {
				return nil, errBlock("invalid Huffman code")
			}
			sym = s
			br.acc <<= l
			br.n -= l
		}
		if sym < 2 { // RUNA or RUNB: a run of the byte in front, its length in bijective base 2
			run += (int(sym) + 1) << runBit
			runBit++
			if run > maxRepeat {
				return nil, errBlock("run too long")
			}
			continue
		}
		if run > 0 {
			if run > blockSize-n {
				return nil, errBlock("run past the end of the block")
			}
			b := symbols[0]
			counts[b] += run
			for i := n; i < n+run; i++ {
				bwt[i] = b
			}
			n += run
			run, runBit = 0, 0
		}
		if sym == eob {
			break
		}
		// Move-to-front position sym−1 (position 0 is always coded as a run).
		j := int(sym - 1)
		b := symbols[j]
		if j < 8 { // most are near the front: shift them within one word, not with memmove
			w := binary.LittleEndian.Uint64(symbols[:8])
			front := uint64(1)<<(8*(j+1)) - 1 // bytes 0..j
			binary.LittleEndian.PutUint64(symbols[:8], w&^front|(w<<8)&front|uint64(b))
		} else {
			copy(symbols[1:j+1], symbols[:j])
			symbols[0] = b
		}
		if n >= blockSize {
			return nil, errBlock("more data than the block size")
		}
		counts[b]++
		bwt[n] = b
		n++
	}
	if got := br.consumed() - int64(shift); got != nbits {
		if got > nbits {
			return nil, errBlock("the block runs into the next one")
		}
		return nil, errBlock("data after the end of the block")
	}
	if origPtr >= n {
		return nil, errBlock("origPtr out of range")
	}
	return d.inverseBWT(d.L[:n], origPtr, &counts, out)
}
