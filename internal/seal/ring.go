package seal

import (
	"bufio"
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/sep-platform/sep/gost/kdf"
	"github.com/sep-platform/sep/gost/kuznyechik"
	"github.com/sep-platform/sep/gost/mgm"
	"github.com/sep-platform/sep/gost/streebog"
)

// KeySize is the length of a data key in bytes.
const KeySize = 32

// KeyID names a data key without revealing it: the first 4 bytes of Streebog-256 of the key
// behind a label. It is written into every value the key seals and may be logged and journaled.
type KeyID uint32

// String returns the id as 8 lower-case hex digits, as logs, the journal and `sep keys` show it.
func (id KeyID) String() string { return fmt.Sprintf("%08x", uint32(id)) }

// ParseKeyID reads an id written by String.
func ParseKeyID(s string) (KeyID, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 4 {
		return 0, fmt.Errorf("seal: %q is not a key id (8 hex digits)", s)
	}
	return KeyID(binary.BigEndian.Uint32(b)), nil
}

func keyIDOf(secret []byte) KeyID {
	sum := streebog.Sum256(append([]byte("sep data key id\x00"), secret...))
	return KeyID(binary.BigEndian.Uint32(sum[:4]))
}

// Purposes of the keys derived from a data key. Each purpose gets its own bytes (RFC 7836
// KDF_GOSTR3411_2012_256 with the purpose as label), so that no two uses ever share a key.
const (
	purposeSeal  = "sep seal kuznyechik-mgm v1"
	purposeIndex = "sep blind index hmac-streebog-256 v1"
	// PurposeFingerprint keys the fingerprints of secret settings in the audit journal.
	PurposeFingerprint = "sep setting fingerprint v1"
	// PurposeRateLimit keys the addresses in the notification rate-limit table.
	PurposeRateLimit = "sep rate limit address v1"
)

// key is one data key with what is derived from it.
type key struct {
	id     KeyID
	secret []byte
	aead   cipher.AEAD
	index  []byte // the blind-index key
}

func newKey(secret []byte) (*key, error) {
	if len(secret) != KeySize {
		return nil, fmt.Errorf("seal: a data key is %d bytes, not %d", KeySize, len(secret))
	}
	k := &key{id: keyIDOf(secret), secret: bytes.Clone(secret)}
	block, err := kuznyechik.NewCipher(kdf.KDF256(k.secret, []byte(purposeSeal), nil))
	if err != nil {
		return nil, err
	}
	if k.aead, err = mgm.New(block, tagSize); err != nil {
		return nil, err
	}
	k.index = kdf.KDF256(k.secret, []byte(purposeIndex), nil)
	return k, nil
}

// Ring is a set of data keys, one of them current: the current key seals every new value,
// the others only open what they sealed before a rotation. A Ring never changes; rotation and
// removal make new rings.
type Ring struct {
	keys    []*key // in file order
	current *key
}

// NewRing returns a ring of the given keys (32 bytes each); current is the index of the
// current one.
func NewRing(current int, secrets ...[]byte) (*Ring, error) {
	if current < 0 || current >= len(secrets) {
		return nil, errors.New("seal: the current key is not among the keys")
	}
	r := &Ring{}
	for i, s := range secrets {
		k, err := newKey(s)
		if err != nil {
			return nil, err
		}
		if r.key(k.id) != nil {
			return nil, fmt.Errorf("seal: two keys have the id %s (a key is listed twice?)", k.id)
		}
		r.keys = append(r.keys, k)
		if i == current {
			r.current = k
		}
	}
	return r, nil
}

// GenerateRing returns a ring of one new random key.
func GenerateRing() *Ring {
	r, err := NewRing(0, randomKey())
	if err != nil {
		panic(err) // a fresh random key always makes a ring
	}
	return r
}

func randomKey() []byte {
	b := make([]byte, KeySize)
	rand.Read(b)
	return b
}

func (r *Ring) key(id KeyID) *key {
	for _, k := range r.keys {
		if k.id == id {
			return k
		}
	}
	return nil
}

// Current is the id of the key that seals new values.
func (r *Ring) Current() KeyID { return r.current.id }

// IDs lists the ids of every key, in the order of the key file.
func (r *Ring) IDs() []KeyID {
	out := make([]KeyID, len(r.keys))
	for i, k := range r.keys {
		out[i] = k.id
	}
	return out
}

// Has reports whether the ring holds the key.
func (r *Ring) Has(id KeyID) bool { return r.key(id) != nil }

// Derive returns 32 bytes for a purpose (such as PurposeFingerprint), derived from the
// current key: the same ring always gives the same bytes, and no purpose's bytes tell
// anything about another's or about the key.
func (r *Ring) Derive(purpose string) []byte {
	return kdf.KDF256(r.current.secret, []byte(purpose), nil)
}

// Rotate returns a new ring with a new random key as the current one; the old keys stay, to
// open what they sealed until everything is sealed again.
func (r *Ring) Rotate() *Ring {
	for {
		k, err := newKey(randomKey())
		if err != nil {
			panic(err)
		}
		if r.key(k.id) != nil {
			continue // a 1 in 2^32 clash of ids: draw another key
		}
		return &Ring{keys: append(append([]*key(nil), r.keys...), k), current: k}
	}
}

// Without returns the ring less one key, which must not be the current one.
func (r *Ring) Without(id KeyID) (*Ring, error) {
	if id == r.current.id {
		return nil, fmt.Errorf("seal: key %s is the current key; rotate to a new key first", id)
	}
	if r.key(id) == nil {
		return nil, fmt.Errorf("seal: the key ring holds no key %s", id)
	}
	out := &Ring{current: r.current}
	for _, k := range r.keys {
		if k.id != id {
			out.keys = append(out.keys, k)
		}
	}
	return out, nil
}

// ParseRing reads a key file (see the package documentation for its format).
func ParseRing(data []byte) (*Ring, error) {
	var secrets [][]byte
	current, marked := 0, 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		secret, err := hex.DecodeString(fields[0])
		if err != nil || len(secret) != KeySize {
			return nil, fmt.Errorf("line %d: a key is %d random bytes written as %d hex digits", line, KeySize, 2*KeySize)
		}
		switch {
		case len(fields) == 1:
		case len(fields) == 2 && fields[1] == "current":
			current = len(secrets)
			marked++
		default:
			return nil, fmt.Errorf("line %d: after the key only the word current may follow", line)
		}
		secrets = append(secrets, secret)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	switch {
	case len(secrets) == 0:
		return nil, errors.New("the file holds no key")
	case marked > 1:
		return nil, errors.New("more than one key is marked current")
	case marked == 0 && len(secrets) > 1:
		return nil, errors.New("several keys and none is marked current (add the word current after one)")
	}
	r, err := NewRing(current, secrets...)
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "seal: "))
	}
	return r, nil
}

// Marshal writes the ring in the key file format, each key with its id in a comment.
func (r *Ring) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString("# СЭП data keys (SEP_DATA_KEY_FILE): one key per line, 64 hex digits; the word\n")
	b.WriteString("# \"current\" marks the key that seals new values. Keep this file secret and identical\n")
	b.WriteString("# on every instance. `sep keys status` tells which keys still seal anything.\n")
	for _, k := range r.keys {
		b.WriteString(hex.EncodeToString(k.secret))
		if k == r.current {
			b.WriteString(" current")
		}
		fmt.Fprintf(&b, " # id %s\n", k.id)
	}
	return b.Bytes()
}
