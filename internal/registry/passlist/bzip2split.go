package passlist

import (
	"errors"
	"fmt"
	"io"
)

// splitter finds the blocks of a bzip2 input and hands them to the workers; see bzip2.go.
type splitter struct {
	r    io.Reader
	z    *parallelBzip2
	buf  []byte // input bytes [base, base+len(buf))
	base int64
	keep int64 // bytes before this offset are no longer needed
	read int   // bytes to read at a time; default splitRead
	eof  bool
	rerr error
}

const splitRead = 1 << 20

// run splits the whole input, stream after stream, until its end, an error, or Close.
func (s *splitter) run() {
	pos := int64(0) // byte offset of the next stream
	for stream := 0; ; stream++ {
		if !s.fill(pos + 10) {
			switch {
			case s.rerr != nil:
				s.fail(fmt.Errorf("bzip2: %w", s.rerr))
			case stream > 0 && s.avail() == pos:
				// A clean end after a complete stream.
			case stream > 0:
				s.fail(errors.New("bzip2: unexpected data after the end of a stream"))
			default:
				s.fail(io.ErrUnexpectedEOF)
			}
			return
		}
		head := s.buf[pos-s.base:]
		if !isBzip2(head) {
			if stream == 0 {
				s.fail(errors.New("bzip2: not a bzip2 stream"))
			} else {
				s.fail(errors.New("bzip2: unexpected data after the end of a stream"))
			}
			return
		}
		level := head[3]
		at := (pos + 4) * 8 // a magic number is here
		for {
			if !s.fill((at+80+7)/8) || s.rerr != nil {
				s.truncated()
				return
			}
			magic := s.bits(at, 48)
			crc := uint32(s.bits(at+48, 32))
			if magic == eosMagic {
				if !s.send(&item{kind: itemEOS, crc: crc}) {
					return
				}
				pos = (at + 80 + 7) / 8
				break
			}
			next, err := s.findMagic(at+80, at+maxBlockBits(level))
			if err != nil {
				s.fail(err)
				return
			}
			it := &item{kind: itemBlock, level: level, at: at, nbits: next - at, crc: crc, done: make(chan struct{})}
			it.raw = append([]byte(nil), s.buf[at/8-s.base:(next+7)/8-s.base]...)
			if !s.send(it) {
				return
			}
			at = next
			s.discard(at / 8)
		}
		s.discard(pos)
	}
}

func (s *splitter) truncated() { s.fail(s.truncatedErr()) }

func (s *splitter) truncatedErr() error {
	if s.rerr != nil {
		return fmt.Errorf("bzip2: %w", s.rerr)
	}
	return fmt.Errorf("bzip2: the data ends inside a stream (a truncated file): %w", io.ErrUnexpectedEOF)
}

func (s *splitter) fail(err error) { s.send(&item{kind: itemError, err: err}) }

// send passes an item on: blocks to the workers and, in order, to the reader. It returns false
// when the decoder is being closed.
func (s *splitter) send(it *item) bool {
	if it.kind == itemBlock {
		s.z.live.Add(1)
		select {
		case s.z.jobs <- it:
		case <-s.z.stop:
			return false
		}
	}
	select {
	case s.z.order <- it:
		return true
	case <-s.z.stop:
		return false
	}
}

func (s *splitter) avail() int64 { return s.base + int64(len(s.buf)) }

// fill reads until the bytes before offset end are buffered; it reports whether they are.
func (s *splitter) fill(end int64) bool {
	if s.read == 0 {
		s.read = splitRead
	}
	for s.avail() < end && !s.eof {
		if cap(s.buf)-len(s.buf) < s.read {
			s.makeRoom()
		}
		n, err := s.r.Read(s.buf[len(s.buf) : len(s.buf)+s.read])
		s.buf = s.buf[:len(s.buf)+n]
		if err == io.EOF {
			s.eof = true
		} else if err != nil {
			s.eof, s.rerr = true, err
		}
	}
	return s.avail() >= end
}

// makeRoom frees room for a read: it drops the bytes no longer needed, and grows the buffer
// only when the rest fills most of it.
func (s *splitter) makeRoom() {
	if drop := s.keep - s.base; drop > 0 {
		n := copy(s.buf, s.buf[drop:])
		s.buf = s.buf[:n]
		s.base = s.keep
	}
	if cap(s.buf)-len(s.buf) < s.read {
		nb := make([]byte, len(s.buf), 2*len(s.buf)+2*s.read)
		copy(nb, s.buf)
		s.buf = nb
	}
}

// discard notes that the bytes before offset off are no longer needed.
func (s *splitter) discard(off int64) { s.keep = max(s.keep, off) }

// bits returns n ≤ 57 bits at absolute bit position p; the bytes must be buffered.
func (s *splitter) bits(p int64, n uint) uint64 {
	i := p/8 - s.base
	var v uint64
	nb := (uint(p%8) + n + 7) / 8
	for j := uint(0); j < nb; j++ {
		v = v<<8 | uint64(s.buf[i+int64(j)])
	}
	return v >> (nb*8 - uint(p%8) - n) & (1<<n - 1)
}

// findMagic returns the bit position of the first block magic, or genuine end-of-stream
// magic, at or after bit from and at most at bit limit: a block is never longer than
// maxBlockBits, so the input need not be buffered further (a damaged file would be buffered
// whole). It fails when the input ends first (a truncated file) or no magic starts by limit.
func (s *splitter) findMagic(from, limit int64) (pos int64, err error) {
	var window uint64
	i := from / 8
	end := (limit+48+7)/8 + 1 // the bytes a magic starting at limit can reach
	for {
		if i >= end {
			return 0, fmt.Errorf("bzip2: no block boundary within %d bytes of the block at byte %d: not a bzip2 block (a damaged file)",
				(limit-from+80)/8, (from-80)/8)
		}
		if !s.fill(i + 1) {
			return 0, s.truncatedErr()
		}
		chunk := s.buf[i-s.base : min(s.avail(), end)-s.base]
		for j, b := range chunk {
			window = window<<8 | uint64(b)
			if !prefilter[byte(window>>16)] {
				continue
			}
			last := (i + int64(j) + 1) * 8 // bit just after this byte
			for k := uint(0); k < 8; k++ {
				m := window >> k & magicMask
				if m != blockMagic && m != eosMagic {
					continue
				}
				start := last - int64(k) - 48
				if start < from || start > limit {
					continue
				}
				if m == blockMagic || s.genuineEOS(start) {
					return start, nil
				}
			}
		}
		i += int64(len(chunk))
		// Keep window: a magic may straddle two reads.
	}
}

// genuineEOS tells a real end-of-stream marker at bit p from the same 48 bits inside a block:
// after the marker, its CRC and padding, the input must end or another stream must begin.
func (s *splitter) genuineEOS(p int64) bool {
	next := (p + 80 + 7) / 8
	if !s.fill(next + 10) {
		if s.rerr != nil {
			return true // let the read error surface
		}
		return s.avail() == next || s.avail() < next
	}
	return isBzip2(s.buf[next-s.base:])
}
