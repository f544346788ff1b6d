package passlist

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
)

// A parallel bzip2 decoder. compress/bzip2 decodes one block after another on one core (about
// 12 MB/s of output here, ~1 M rows/s of the list: the whole budget). But bzip2 blocks are
// independent: each starts with a 48-bit magic number at any bit position and carries its own
// CRC. The splitter (bzip2split.go) finds the block boundaries by a bit-level search for the
// magic and hands each block's bits to a pool of workers; a worker decodes them with its own
// blockDecoder (bzip2block.go, faster than compress/bzip2 on one core too) up to the last
// step, the expansion of runs, which the reader does as it hands the bytes on in order
// (runDecoder, bzip2runs.go), checking every block's CRC and every stream's combined CRC.
//
// Memory is bounded whatever the input and however slow the parser that reads the output: the
// splitter holds at most one block's worth of input beyond its read buffer (maxBlockBits), and
// at most maxQueued(workers) blocks are between the splitter and the reader, each holding its
// compressed bits and its decoded bytes before run expansion, both at most a few MB.
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
	out  []byte        // the block's bytes before run expansion
}

// maxQueued is how many blocks may be queued between the splitter and the reader: enough to
// keep every worker busy while the reader works through the oldest. More items exist only
// briefly: the one the splitter is handing on, the one being read, and up to four spans
// rejoin holds.
func maxQueued(workers int) int { return workers + 2 }

// parallelBzip2 reads decompressed data; see the comment at the top of the file.
type parallelBzip2 struct {
	order  chan *item // the splitter's items in input order
	jobs   chan *item
	stop   chan struct{}
	wg     sync.WaitGroup
	closed sync.Once
	live   atomic.Int64 // blocks split and not yet read, for the tests

	runs     runDecoder
	curBlock *item // the block runs reads, nil between blocks
	peeked   *item
	rejoiner *blockDecoder
	combined uint32
	err      error
}

func newParallelBzip2(r io.Reader, workers int) *parallelBzip2 {
	workers = max(workers, 1)
	z := &parallelBzip2{
		order: make(chan *item, maxQueued(workers)),
		jobs:  make(chan *item, maxQueued(workers)),
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
			d, _ := blockDecoders.Get().(*blockDecoder)
			if d == nil {
				d = new(blockDecoder)
			}
			defer blockDecoders.Put(d)
			for it := range z.jobs {
				it.out, it.err = decodeBlock(d, it, getBlockBuffer())
				close(it.done)
			}
		}()
	}
	return z
}

// blockDecoders recycles the decoders' arrays (8 MB at level 9) from one decoding to the next.
var blockDecoders sync.Pool

// blockBuffers recycles the buffers of decoded blocks (up to 900 kB each).
var blockBuffers sync.Pool

func getBlockBuffer() []byte {
	if b, ok := blockBuffers.Get().(*[]byte); ok {
		return (*b)[:0]
	}
	return nil
}

func putBlockBuffer(b []byte) {
	if cap(b) > 0 {
		blockBuffers.Put(&b)
	}
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
	for {
		if z.curBlock != nil {
			if n := z.runs.read(p); n > 0 || len(p) == 0 {
				return n, nil
			}
			// The block is done: the run decoder returns nothing only then.
			it := z.curBlock
			z.curBlock = nil
			putBlockBuffer(it.out)
			it.out = nil
			z.live.Add(-1)
			if z.runs.sum() != it.crc {
				z.err = fmt.Errorf("bzip2: block at byte %d: block checksum mismatch", it.at/8)
			}
		}
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
			z.curBlock = it
			z.runs.reset(it.out)
		}
	}
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
	if z.rejoiner == nil {
		z.rejoiner = new(blockDecoder)
	}
	joined := first
	for range 4 {
		nx := z.next()
		if nx == nil || nx.kind != itemBlock {
			z.peeked = nx
			break
		}
		<-nx.done
		putBlockBuffer(nx.out)
		z.live.Add(-1)
		head := (joined.at+joined.nbits)/8 - joined.at/8
		raw := append(joined.raw[:head:head], nx.raw...)
		joined = &item{kind: itemBlock, level: joined.level, at: joined.at, nbits: joined.nbits + nx.nbits, raw: raw, crc: joined.crc}
		joined.out, joined.err = decodeBlock(z.rejoiner, joined, nil)
		if joined.err == nil {
			return joined
		}
	}
	return first
}

// decodeBlock decodes one block with d into buf.
func decodeBlock(d *blockDecoder, it *item, buf []byte) ([]byte, error) {
	out, err := d.decode(it.raw, uint(it.at%8), it.nbits, it.level, buf)
	if err != nil {
		return nil, fmt.Errorf("bzip2: block at byte %d: %w", it.at/8, err)
	}
	return out, nil
}
