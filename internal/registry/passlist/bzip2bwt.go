package passlist

import "slices"

const (
	chainLanes = 8         // chains walked at once
	startFlag  = 1 << 31   // in tt: the next row starts a chain
	rowMask    = 1<<20 - 1 // rows: a block has at most 900 000 < 2^20
)

// segment is the stretch of the text one chain produced: lane's buffer [from, to), followed
// in the text by chain next.
type segment struct {
	lane     int
	from, to int
	next     int
}

// inverseBWT undoes the Burrows–Wheeler transform of L (the last column of the sorted
// rotations), appending the text to out.
//
// The text is a walk through the rows, T[row] being the row of the next byte; it is one cycle
// of n dependent loads scattered over 4n bytes, so it runs at the speed of memory latency, not
// of the processor. To have several loads in flight, the cycle is cut at up to 65 rows (the
// multiples of 1<<shift, and the row where the text begins) into chains,
// which chainLanes lanes walk at the same time, each stopping where the next chain starts;
// then the chains are put in order. Nothing but the order of the work changes.
func (d *blockDecoder) inverseBWT(L []byte, origPtr int, counts *[256]int, out []byte) ([]byte, error) {
	n := len(L)
	shift := uint(10)
	for n>>shift > 64 {
		shift++
	}
	var next [256]int // the next row of each byte among the sorted rotations
	sum := 0
	for b, c := range counts {
		next[b] = sum
		sum += c
	}
	// tt[j] = T[j]<<8 | L[T[j]], flagged when T[j] starts a chain. Each entry is stored once,
	// without being read first, so that the scattered stores need not wait for memory.
	tt := d.tt[:n]
	p0 := 0 // the row of the text's first byte: T[origPtr]
	for i, b := range L {
		j := next[b]
		next[b]++
		v := uint32(i)<<8 | uint32(b)
		if i&(1<<shift-1) == 0 {
			v |= startFlag
		}
		if j == origPtr {
			v |= startFlag
			p0 = i
		}
		tt[j] = v
	}
	// Chain 0 starts at p0, chain k ≥ 1 at row (k−1)<<shift unless that is p0.
	chainOf := func(row int) int {
		if row == p0 {
			return 0
		}
		return 1 + row>>shift
	}
	chains := 1 + (n+1<<shift-1)>>shift
	d.segs = append(d.segs[:0], make([]segment, chains)...)
	pending := make([]int, 0, chains)
	for k := range chains {
		if k == 0 || (k-1)<<shift != p0 {
			pending = append(pending, k)
		}
	}
	type lane struct {
		p     uint32
		chain int // -1: idle
	}
	var lanes [chainLanes]lane
	bufs := &d.lanes
	start := func(l int) bool {
		if len(pending) == 0 {
			lanes[l].chain = -1
			return false
		}
		k := pending[0]
		pending = pending[1:]
		row := p0
		if k > 0 {
			row = (k - 1) << shift
		}
		lanes[l] = lane{p: uint32(row), chain: k}
		d.segs[k] = segment{lane: l, from: len(bufs[l])}
		bufs[l] = append(bufs[l], L[row])
		return true
	}
	active := 0
	for l := range chainLanes {
		bufs[l] = bufs[l][:0]
		if start(l) {
			active++
		}
	}
	for active > 0 {
		for l := range chainLanes {
			ln := &lanes[l]
			if ln.chain < 0 {
				continue
			}
			v := tt[ln.p]
			if v&startFlag != 0 {
				sg := &d.segs[ln.chain]
				sg.to, sg.next = len(bufs[l]), chainOf(int(v>>8&rowMask))
				if !start(l) {
					active--
				}
				continue
			}
			bufs[l] = append(bufs[l], byte(v))
			ln.p = v >> 8 & rowMask
		}
	}
	// In order: chain 0, its successor, … back to chain 0. That is the whole text when T is one
	// cycle. A text that repeats itself (abcabc) has no distinct rotations, and its T is as many
	// cycles as repeats: the text is the cycle through p0, repeated. (So is the text of a damaged
	// block, which the CRC then refuses.)
	at := len(out)
	out = slices.Grow(out, n)
	for k, steps := 0, 0; ; steps++ {
		if steps == chains {
			return nil, errBlock("the block's transform does not return to its start")
		}
		sg := d.segs[k]
		out = append(out, bufs[sg.lane][sg.from:sg.to]...)
		if k = sg.next; k == 0 {
			break
		}
	}
	for cycle := len(out) - at; len(out)-at < n; {
		out = append(out, out[at:at+min(cycle, n-(len(out)-at))]...)
	}
	return out, nil
}
