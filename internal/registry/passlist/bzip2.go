package passlist

import (
	"bytes"
	"compress/bzip2"
	"errors"
	"fmt"
	"io"
	"sync"
)

// A parallel bzip2 decoder. compress/bzip2 decodes one block after another on one core (about
// 12 MB/s of output here, ~1 M rows/s of the list: the whole budget). But bzip2 blocks are
// independent: each starts with a 48-bit magic number at any bit position and carries its own
// CRC. The splitter finds the block boundaries by a bit-level search for the magic, wraps each
// block in a one-block bzip2 stream of its own (header, the block's bits, end-of-stream marker
// with the block CRC as the stream CRC), and workers decode those with compress/bzip2, in
// parallel; the reader hands the outputs on in order and checks every stream's combined CRC.
//
// The magic can, with odds of about 2⁻⁴⁸ per bit, also occur inside a block's compressed bits.
// A false block boundary makes both halves fail to decode; the reader then joins the failed
// span with the next ones and decodes again (see rejoin). A false end-of-stream marker is
// recognised by what follows it, which must be the end of the input or another stream.

const (
	blockMagic = 0x314159265359
	eosMagic   = 0x177245385090
	magicMask  = 1<<48 - 1
)

// isBzip2 reports whether the input starts like a bzip2 stream.
func isBzip2(head []byte) bool {
	return len(head) >= 10 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h' &&
		head[3] >= '1' && head[3] <= '9' && (beUint48(head[4:]) == blockMagic || beUint48(head[4:]) == eosMagic)
}

func beUint48(b []byte) uint64 {
	return uint64(b[0])<<40 | uint64(b[1])<<32 | uint64(b[2])<<24 | uint64(b[3])<<16 | uint64(b[4])<<8 | uint64(b[5])
}

// prefilter[b] says whether byte b can be bits 16..23 of a 64-bit window ending in a magic
// number at one of the 8 bit alignments: a cheap test before the 16 exact comparisons.
var prefilter = func() (t [256]bool) {
	for k := 0; k < 8; k++ {
		t[byte(uint64(blockMagic)<<k>>16)] = true
		t[byte(uint64(eosMagic)<<k>>16)] = true
	}
	return t
}()

type itemKind uint8

const (
	itemBlock itemKind = iota
	itemEOS            // end of a stream: crc is the stream's combined CRC
	itemError          // the input is not valid bzip2 (or cannot be read)
)

// item is one unit of the splitter's output, in input order.
type item struct {
	kind  itemKind
	level byte   // '1'..'9': the stream's block size
	at    int64  // absolute bit position of the block magic
	nbits int64  // bits from the magic to the next magic
	raw   []byte // input bytes [at/8, ceil((at+nbits)/8))
	crc   uint32
	err   error

	done chan struct{} // closed when a worker has set out and err
	out  []byte
}

// parallelBzip2 reads decompressed data; see the comment at the top of the file.
type parallelBzip2 struct {
	order  chan *item // the splitter's items in input order
	jobs   chan *item
	stop   chan struct{}
	wg     sync.WaitGroup
	closed sync.Once

	cur      []byte
	peeked   *item
	combined uint32
	err      error
}

func newParallelBzip2(r io.Reader, workers int) *parallelBzip2 {
	workers = max(workers, 1)
	z := &parallelBzip2{
		order: make(chan *item, 2*workers+2),
		jobs:  make(chan *item, 2*workers+2),
		stop:  make(chan struct{}),
	}
	z.wg.Add(1 + workers)
	go func() {
		defer z.wg.Done()
		defer close(z.order)
		defer close(z.jobs)
		(&splitter{r: r, z: z}).run()
	}()
	for range workers {
		go func() {
			defer z.wg.Done()
			for it := range z.jobs {
				it.out, it.err = decodeBlock(it)
				close(it.done)
			}
		}()
	}
	return z
}

// Close stops the decoder's goroutines and waits for them.
func (z *parallelBzip2) Close() error {
	z.closed.Do(func() {
		close(z.stop)
		for range z.order { // unblock the splitter; workers finish their jobs
		}
		z.wg.Wait()
	})
	return nil
}

func (z *parallelBzip2) Read(p []byte) (int, error) {
	for len(z.cur) == 0 {
		if z.err != nil {
			return 0, z.err
		}
		it := z.next()
		if it == nil {
			return 0, io.EOF
		}
		switch it.kind {
		case itemError:
			z.err = it.err
		case itemEOS:
			if it.crc != z.combined {
				z.err = errors.New("bzip2: stream checksum mismatch")
			}
			z.combined = 0
		case itemBlock:
			<-it.done
			if it.err != nil {
				it = z.rejoin(it)
				if it.err != nil {
					z.err = it.err
					continue
				}
			}
			z.combined = (z.combined<<1 | z.combined>>31) ^ it.crc
			z.cur = it.out
		}
	}
	n := copy(p, z.cur)
	z.cur = z.cur[n:]
	return n, nil
}

func (z *parallelBzip2) next() *item {
	if it := z.peeked; it != nil {
		z.peeked = nil
		return it
	}
	return <-z.order
}

// rejoin handles a block that failed to decode: if its end was a false magic, joining it with
// the following spans gives the real block. It tries a few joins, then gives up with the
// first error.
func (z *parallelBzip2) rejoin(first *item) *item {
	joined := first
	for range 4 {
		nx := z.next()
		if nx == nil || nx.kind != itemBlock {
			z.peeked = nx
			break
		}
		<-nx.done
		head := (joined.at+joined.nbits)/8 - joined.at/8
		raw := append(joined.raw[:head:head], nx.raw...)
		joined = &item{kind: itemBlock, level: joined.level, at: joined.at, nbits: joined.nbits + nx.nbits, raw: raw, crc: joined.crc}
		joined.out, joined.err = decodeBlock(joined)
		if joined.err == nil {
			return joined
		}
	}
	return first
}

// decodeBlock decodes one block by wrapping it in a stream of its own.
func decodeBlock(it *item) ([]byte, error) {
	w := bitWriter{buf: make([]byte, 0, len(it.raw)+16)}
	w.buf = append(w.buf, 'B', 'Z', 'h', it.level)
	w.copyBits(it.raw, uint(it.at%8), it.nbits)
	w.write(eosMagic, 48)
	w.write(uint64(it.crc), 32)
	w.flush()
	var out bytes.Buffer
	out.Grow(100_000*int(it.level-'0') + 4096)
	if _, err := out.ReadFrom(bzip2.NewReader(bytes.NewReader(w.buf))); err != nil {
		return nil, fmt.Errorf("bzip2: block at byte %d: %w", it.at/8, err)
	}
	return out.Bytes(), nil
}

// bitWriter appends bits most significant first, as bzip2 lays them out.
type bitWriter struct {
	buf  []byte
	acc  uint64 // pending bits, right-aligned
	nacc uint
}

func (w *bitWriter) write(v uint64, n uint) {
	for n > 0 {
		take := min(n, 56-w.nacc)
		w.acc = w.acc<<take | (v>>(n-take))&(1<<take-1)
		w.nacc += take
		n -= take
		for w.nacc >= 8 {
			w.buf = append(w.buf, byte(w.acc>>(w.nacc-8)))
			w.nacc -= 8
		}
	}
}

// copyBits appends nbits bits of src starting at bit shift of src[0]. The writer must be at a
// byte boundary.
func (w *bitWriter) copyBits(src []byte, shift uint, nbits int64) {
	full := nbits / 8
	if shift == 0 {
		w.buf = append(w.buf, src[:full]...)
	} else {
		for i := int64(0); i < full; i++ {
			w.buf = append(w.buf, src[i]<<shift|src[i+1]>>(8-shift))
		}
	}
	if rest := uint(nbits % 8); rest > 0 {
		i := full
		v := uint16(src[i]) << 8
		if i+1 < int64(len(src)) {
			v |= uint16(src[i+1])
		}
		v <<= shift
		w.write(uint64(v>>(16-rest)), rest)
	}
}

func (w *bitWriter) flush() {
	if w.nacc > 0 {
		w.buf = append(w.buf, byte(w.acc<<(8-w.nacc)))
		w.acc, w.nacc = 0, 0
	}
}
