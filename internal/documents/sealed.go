package documents

import (
	"bufio"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/sep-platform/sep/gost/kuznyechik"
	"github.com/sep-platform/sep/gost/mgm"
	"github.com/sep-platform/sep/internal/seal"
)

// The sealed file format; the package documentation describes it byte for byte.
const (
	magic      = "SEPD"
	version1   = 1
	chunkLog   = 16 // chunks of 64 KiB
	chunkSize  = 1 << chunkLog
	saltSize   = 16
	headerSize = len(magic) + 1 + 1 + 4 + saltSize // 26
	tagSize    = 16
	// purposeFile keys stored documents: the file key is derived from the data key with this
	// label and the file's salt and id as the seed.
	purposeFile = "sep document kuznyechik-mgm chunked v1"
)

// Errors of a sealed file that does not open. Each is wrapped with the document id only.
var (
	ErrNotSealed = errors.New("documents: not a sealed document")
	ErrTruncated = errors.New("documents: the sealed document is truncated")
	ErrTampered  = errors.New("documents: the sealed document was altered or belongs to another id")
)

// SealedSize is the size of the sealed form of a file of n bytes.
func SealedSize(n int64) int64 {
	chunks := max(1, (n+chunkSize-1)/chunkSize) // an empty file has one empty final chunk
	return int64(headerSize) + n + chunks*tagSize
}

// fileAEAD derives the file key for header h (its key id and salt) and document id.
func fileAEAD(box *seal.Box, h []byte, id string) (cipher.AEAD, error) {
	keyID := seal.KeyID(binary.BigEndian.Uint32(h[6:10]))
	seed := make([]byte, 0, saltSize+len(id))
	seed = append(append(seed, h[10:headerSize]...), id...)
	k, err := box.DeriveFor(keyID, purposeFile, seed)
	if err != nil {
		return nil, err
	}
	block, err := kuznyechik.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return mgm.New(block, tagSize)
}

// chunkNonce is the MGM nonce of chunk i: its first byte 1 for the final chunk, 0 otherwise
// (so the most significant bit, which MGM reserves, is 0), the chunk index in the last 8.
func chunkNonce(n *[16]byte, i uint64, final bool) []byte {
	*n = [16]byte{}
	if final {
		n[0] = 1
	}
	binary.BigEndian.PutUint64(n[8:], i)
	return n[:]
}

// sealWriter seals what is written to it into dst, one chunk at a time. It holds back a full
// chunk until it knows whether more follows, so that Close can flag the last one final.
type sealWriter struct {
	dst    io.Writer
	aead   cipher.AEAD
	header []byte
	buf    []byte // plaintext of the chunk being filled, cap chunkSize+tagSize
	out    []byte
	index  uint64
	nonce  [16]byte
	err    error
	closed bool
}

// newSealWriter writes the header of a new sealed file for document id, under the box's
// current key, to dst and returns the writer of its content. Close writes the final chunk.
func newSealWriter(dst io.Writer, box *seal.Box, id string) (*sealWriter, seal.KeyID, error) {
	h := make([]byte, headerSize)
	copy(h, magic)
	h[4] = version1
	h[5] = chunkLog
	keyID := box.Ring().Current()
	binary.BigEndian.PutUint32(h[6:10], uint32(keyID))
	rand.Read(h[10:headerSize])
	aead, err := fileAEAD(box, h, id)
	if err != nil {
		return nil, 0, err
	}
	if _, err := dst.Write(h); err != nil {
		return nil, 0, err
	}
	return &sealWriter{dst: dst, aead: aead, header: h,
		buf: make([]byte, 0, chunkSize), out: make([]byte, 0, chunkSize+tagSize)}, keyID, nil
}

func (w *sealWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.closed {
		return 0, errors.New("documents: write after close")
	}
	n := 0
	for len(p) > 0 {
		if len(w.buf) == chunkSize {
			if w.err = w.flush(false); w.err != nil {
				return n, w.err
			}
		}
		c := copy(w.buf[len(w.buf):chunkSize], p)
		w.buf = w.buf[:len(w.buf)+c]
		p = p[c:]
		n += c
	}
	return n, nil
}

func (w *sealWriter) flush(final bool) error {
	w.out = w.aead.Seal(w.out[:0], chunkNonce(&w.nonce, w.index, final), w.buf, w.header)
	w.index++
	w.buf = w.buf[:0]
	_, err := w.dst.Write(w.out)
	return err
}

// Close seals the last chunk (perhaps empty), flagged final. It does not close dst.
func (w *sealWriter) Close() error {
	if w.err != nil || w.closed {
		return w.err
	}
	w.closed = true
	w.err = w.flush(true)
	return w.err
}

// openReader returns the plaintext of the sealed file src of document id, verified chunk by
// chunk: a chunk out of place, missing at the end, or altered is an error before any of its
// bytes are returned.
func openReader(src io.Reader, box *seal.Box, id string) (io.Reader, error) {
	br := bufio.NewReaderSize(src, 32<<10)
	h := make([]byte, headerSize)
	if _, err := io.ReadFull(br, h); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, ErrTruncated
		}
		return nil, err
	}
	if string(h[:4]) != magic {
		return nil, ErrNotSealed
	}
	if h[4] != version1 || h[5] != chunkLog {
		return nil, fmt.Errorf("%w: unknown version %d", ErrNotSealed, h[4])
	}
	aead, err := fileAEAD(box, h, id)
	if err != nil {
		return nil, err
	}
	return &openReaderState{src: br, aead: aead, header: h, in: make([]byte, chunkSize+tagSize)}, nil
}

type openReaderState struct {
	src    *bufio.Reader
	aead   cipher.AEAD
	header []byte
	in     []byte
	plain  []byte // what is left of the current chunk
	index  uint64
	nonce  [16]byte
	done   bool // the final chunk was read
	err    error
}

func (r *openReaderState) Read(p []byte) (int, error) {
	for len(r.plain) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.done {
			return 0, io.EOF
		}
		r.err = r.next()
	}
	n := copy(p, r.plain)
	r.plain = r.plain[n:]
	return n, nil
}

func (r *openReaderState) next() error {
	n, err := io.ReadFull(r.src, r.in)
	switch {
	case err == nil:
	case errors.Is(err, io.ErrUnexpectedEOF):
	case errors.Is(err, io.EOF):
		return ErrTruncated // no final chunk
	default:
		return err
	}
	if n < tagSize {
		return ErrTruncated
	}
	final := n < len(r.in)
	if !final {
		_, perr := r.src.Peek(1)
		final = errors.Is(perr, io.EOF)
		if perr != nil && !final {
			return perr
		}
	}
	plain, err := r.aead.Open(r.in[:0], chunkNonce(&r.nonce, r.index, final), r.in[:n], r.header)
	if err != nil {
		if final {
			// The last chunk on hand is not flagged final: chunks are missing at the end (or
			// it was altered; either way nothing of it is returned).
			if _, e2 := r.aead.Open(nil, chunkNonce(&r.nonce, r.index, false), r.in[:n], r.header); e2 == nil {
				return ErrTruncated
			}
		}
		return ErrTampered
	}
	r.index++
	r.plain = plain
	r.done = final
	return nil
}

// SealTo writes the sealed form of what is written to the returned writer to dst, for
// document id, under the box's current key (whose id it returns); Close seals the last chunk.
// The store uses it for every file; it is exported for what seals a document it makes itself
// (a copy of a submitted application) and for the benchmark.
func SealTo(dst io.Writer, box *seal.Box, id string) (io.WriteCloser, seal.KeyID, error) {
	return newSealWriter(dst, box, id)
}

// OpenSealed reads the plaintext of the sealed file src of document id (see SealTo).
func OpenSealed(src io.Reader, box *seal.Box, id string) (io.Reader, error) {
	return openReader(src, box, id)
}
