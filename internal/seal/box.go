package seal

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sep-platform/sep/gost/streebog"
)

// Box seals and opens values with a key ring, and computes blind indexes. The ring can be
// replaced while the box is in use (Reload, Watch): a key file changed by `sep keys
// rotate-data-key` on one instance reaches the others within seconds. A Box is safe for
// concurrent use.
type Box struct {
	ring atomic.Pointer[Ring]
	load func() (*Ring, error) // reads the key file again; nil for a fixed ring

	mu         sync.Mutex // serialises reloads
	lastReload time.Time
}

// NewBox returns a box on ring. load, if not nil, reads the key file again; Reload and Watch
// use it.
func NewBox(ring *Ring, load func() (*Ring, error)) *Box {
	b := &Box{load: load}
	b.ring.Store(ring)
	return b
}

// Ring is the ring the box uses now.
func (b *Box) Ring() *Ring { return b.ring.Load() }

// Reload reads the key file again and uses the ring it holds from now on. It reports whether
// the ring changed (another current key, or keys added or removed).
func (b *Box) Reload() (bool, error) {
	if b.load == nil {
		return false, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lastReload = time.Now()
	r, err := b.load()
	if err != nil {
		return false, err
	}
	old := b.ring.Swap(r)
	return !sameRing(old, r), nil
}

func sameRing(a, b *Ring) bool {
	if a.current.id != b.current.id || len(a.keys) != len(b.keys) {
		return false
	}
	for i := range a.keys {
		if a.keys[i].id != b.keys[i].id {
			return false
		}
	}
	return true
}

// reloadForKey is Reload for a value sealed with a key the ring does not hold (a rotation
// that this instance has not seen yet), at most once a second so that a damaged value cannot
// make every request read the file.
func (b *Box) reloadForKey(id KeyID) *Ring {
	if b.load != nil {
		b.mu.Lock()
		recent := time.Since(b.lastReload) < time.Second
		b.mu.Unlock()
		if !recent {
			b.Reload()
		}
	}
	return b.ring.Load()
}

// Seal seals plain for its place: column c of the row whose primary key is row. It never
// fails; the result goes into the column as it is.
func (b *Box) Seal(c Column, row string, plain []byte) Sealed {
	return Sealed{b: sealWith(b.ring.Load().current, c, row, plain)}
}

// SealString is Seal of a string.
func (b *Box) SealString(c Column, row, s string) Sealed { return b.Seal(c, row, []byte(s)) }

func sealWith(k *key, c Column, row string, plain []byte) []byte {
	p := place(c, row)
	out := make([]byte, headerSize, Overhead+len(plain))
	out[0] = version1
	binary.BigEndian.PutUint32(out[1:5], uint32(k.id))
	binary.BigEndian.PutUint32(out[5:9], placeHint(p))
	nonce := out[9:headerSize]
	rand.Read(nonce)
	nonce[0] &= 0x7f // MGM's nonce has its most significant bit 0
	return k.aead.Seal(out, nonce, plain, associated(out[:headerSize], p))
}

// Open returns the plaintext of a value sealed for column c of row. A NULL opens as nil.
// Anything else that does not open is an *OpenError wrapping the reason: ErrNotSealed,
// ErrTruncated, ErrVersion, ErrUnknownKey, ErrMisplaced or ErrTampered.
func (b *Box) Open(c Column, row string, s Sealed) ([]byte, error) {
	if s.b == nil {
		return nil, nil
	}
	fail := func(id KeyID, err error) ([]byte, error) {
		return nil, &OpenError{Column: c, Row: row, Key: id, Err: err}
	}
	v := s.b
	switch {
	case len(v) == 0:
		return fail(0, ErrTruncated)
	case v[0] == version1:
	case v[0] < 0x20:
		return fail(0, ErrVersion)
	default:
		return fail(0, ErrNotSealed)
	}
	if len(v) < Overhead {
		return fail(0, ErrTruncated)
	}
	id := KeyID(binary.BigEndian.Uint32(v[1:5]))
	k := b.ring.Load().key(id)
	if k == nil {
		if k = b.reloadForKey(id).key(id); k == nil {
			return fail(id, ErrUnknownKey)
		}
	}
	p := place(c, row)
	plain, err := k.aead.Open(nil, v[9:headerSize], v[headerSize:], associated(v[:headerSize], p))
	if err != nil {
		if binary.BigEndian.Uint32(v[5:9]) != placeHint(p) {
			return fail(id, ErrMisplaced)
		}
		return fail(id, ErrTampered)
	}
	if plain == nil {
		plain = []byte{}
	}
	return plain, nil
}

// OpenString is Open of a string; a NULL opens as "".
func (b *Box) OpenString(c Column, row string, s Sealed) (string, error) {
	p, err := b.Open(c, row, s)
	return string(p), err
}

// Blind is a blind index as the database holds it: the id of the key that computed it (4
// bytes) and 16 bytes of HMAC-Streebog-256 of the normalised value. The zero value is NULL.
type Blind []byte

// Key returns the id of the key that computed the index.
func (x Blind) Key() (KeyID, bool) {
	if len(x) != blindSize {
		return 0, false
	}
	return KeyID(binary.BigEndian.Uint32(x)), true
}

const blindSize = 4 + 16

// Index returns the blind index of value under the current key, for storing beside the
// sealed value. The value is normalised by the index's rule first; a value the rule refuses
// is its error (say, a malformed phone number).
func (b *Box) Index(ix Index, value string) (Blind, error) {
	n, err := ix.normalise(value)
	if err != nil {
		return nil, err
	}
	return blindWith(b.ring.Load().current, ix, n), nil
}

// Candidates returns the blind indexes value may be stored under — one per key of the ring,
// the current key's first — to look it up during a rotation as well:
// `WHERE phone_idx IN ($1, $2)`. Each element is a Blind, typed any for query arguments.
func (b *Box) Candidates(ix Index, value string) ([]any, error) {
	n, err := ix.normalise(value)
	if err != nil {
		return nil, err
	}
	r := b.ring.Load()
	out := []any{blindWith(r.current, ix, n)}
	for _, k := range r.keys {
		if k != r.current {
			out = append(out, blindWith(k, ix, n))
		}
	}
	return out, nil
}

func blindWith(k *key, ix Index, normalised string) Blind {
	m := hmac.New(streebog.New256, k.index)
	m.Write([]byte(ix.Purpose))
	m.Write([]byte{0})
	m.Write([]byte(normalised))
	out := make([]byte, 4, 4+streebog.Size256)
	binary.BigEndian.PutUint32(out, uint32(k.id))
	return Blind(m.Sum(out)[:blindSize])
}

// SameBlind reports whether two blind indexes are equal.
func SameBlind(a, b Blind) bool { return bytes.Equal(a, b) }

// Scan implements sql.Scanner (a copy, so the index outlives the row).
func (x *Blind) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*x = nil
	case []byte:
		*x = bytes.Clone(v)
	default:
		return fmt.Errorf("seal: cannot scan %T into a blind index", src)
	}
	return nil
}

// Current reports whether the blind index was computed with the current key.
func (b *Box) Current(x Blind) bool {
	id, ok := x.Key()
	return ok && id == b.ring.Load().current.id
}
