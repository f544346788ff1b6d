package passlist

// runDecoder undoes the first run-length step of bzip2 on the output of one block and computes
// the block's CRC over what it returns. In the block, four equal bytes are followed by a count
// of 0–255 more of them; the byte after the count starts afresh, as in the reference decoder.
// It runs in the reader's goroutine, so that a block waiting to be read holds only its bytes
// before this step (at most the block size, whatever the runs expand to).
type runDecoder struct {
	src  []byte
	last int // the byte of the current run, or -1
	same int // its length so far, 1..4; after 4 the next byte is a count
	rep  int // repeats of byte rb still to return
	rb   byte
	crc  uint32
}

func (r *runDecoder) reset(src []byte) { *r = runDecoder{src: src, last: -1, crc: ^uint32(0)} }

// sum is the CRC of what has been returned.
func (r *runDecoder) sum() uint32 { return ^r.crc }

// read fills p with decoded bytes and returns how many.
func (r *runDecoder) read(p []byte) int {
	n := 0
	src, last, same := r.src, r.last, r.same
	for n < len(p) {
		switch {
		case r.rep > 0:
			k := min(r.rep, len(p)-n)
			for i := n; i < n+k; i++ {
				p[i] = r.rb
			}
			n += k
			r.rep -= k
			continue
		case len(src) == 0:
		case same == 4: // a count
			r.rep, r.rb = int(src[0]), byte(last)
			src = src[1:]
			last, same = -1, 0
			continue
		default:
			// Copy bytes up to the fourth of a run, or the end of src or p.
			i, m := 0, min(len(src), len(p)-n)
			for i < m {
				b := src[i]
				i++
				if int(b) != last {
					last, same = int(b), 1
				} else if same++; same == 4 {
					break
				}
			}
			copy(p[n:], src[:i])
			n += i
			src = src[i:]
			continue
		}
		break
	}
	r.src, r.last, r.same = src, last, same
	r.crc = updateCRC(r.crc, p[:n])
	return n
}

// crcTables are the tables of bzip2's CRC-32 (the polynomial 0x04C11DB7, most significant bit
// first, unlike hash/crc32) for eight bytes at a time: crcTables[k][b] is the CRC of byte b
// followed by k zero bytes.
var crcTables = func() (t [8][256]uint32) {
	for i := range 256 {
		c := uint32(i) << 24
		for range 8 {
			if c&(1<<31) != 0 {
				c = c<<1 ^ 0x04C11DB7
			} else {
				c <<= 1
			}
		}
		t[0][i] = c
	}
	for k := 1; k < 8; k++ {
		for i := range 256 {
			c := t[k-1][i]
			t[k][i] = c<<8 ^ t[0][c>>24]
		}
	}
	return t
}()

// updateCRC adds p to crc, a running (not yet inverted) bzip2 CRC.
func updateCRC(crc uint32, p []byte) uint32 {
	t := &crcTables
	for len(p) >= 8 {
		c := crc ^ (uint32(p[0])<<24 | uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3]))
		crc = t[7][c>>24] ^ t[6][byte(c>>16)] ^ t[5][byte(c>>8)] ^ t[4][byte(c)] ^
			t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]]
		p = p[8:]
	}
	for _, b := range p {
		crc = crc<<8 ^ t[0][byte(crc>>24)^b]
	}
	return crc
}
