// Package password hashes and checks passwords with argon2id (RFC 9106) and holds the
// password policy of ID.
//
// A hash is stored as a PHC string carrying its parameters,
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>" (salt and key in unpadded standard base64), so
// that raising the parameters later leaves old hashes verifiable: Verify reports when a hash
// was made with weaker parameters than the hasher's, and the caller hashes the password again
// at that sign-in. Hashing costs memory (m KiB) and time on purpose; a Hasher runs at most a
// fixed number of hashes at once (by default the number of CPUs), so that a burst of
// sign-ins waits instead of exhausting memory.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen int
	KeyLen  uint32
}

// DefaultParams are OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 thread.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Hasher hashes and verifies passwords, at most a fixed number at once.
type Hasher struct {
	params Params
	slots  chan struct{}
}

// NewHasher returns a hasher with params, running at most parallel hashes at once (0: the
// number of CPUs).
func NewHasher(params Params, parallel int) *Hasher {
	if parallel <= 0 {
		parallel = runtime.NumCPU()
	}
	return &Hasher{params: params, slots: make(chan struct{}, parallel)}
}

// Params are the hasher's parameters.
func (h *Hasher) Params() Params { return h.params }

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns the PHC string of password under the hasher's parameters.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	p := h.params
	salt := make([]byte, p.SaltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return encode(p, salt, key), nil
}

func encode(p Params, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// ErrMalformed is returned for a stored hash that is not an argon2id PHC string.
var ErrMalformed = errors.New("password: the stored hash is not an argon2id PHC string")

// Verify reports whether password matches the stored hash, and whether the hash was made with
// weaker parameters than the hasher's (then hash the password again and store that).
func (h *Hasher) Verify(ctx context.Context, password, stored string) (ok, weaker bool, err error) {
	p, salt, key, err := decode(stored)
	if err != nil {
		return false, false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	ok = subtle.ConstantTimeCompare(got, key) == 1
	cur := h.params
	weaker = p.Memory < cur.Memory || p.Time < cur.Time || p.Threads < cur.Threads || len(key) < int(cur.KeyLen)
	return ok, weaker, nil
}

// Dummy verifies against a hash of nothing, costing what a real check costs: for logins that
// match no account, so that they take as long as a wrong password.
func (h *Hasher) Dummy(ctx context.Context, password string) {
	h.Verify(ctx, password, dummy)
}

var dummy = encode(DefaultParams, make([]byte, 16), make([]byte, 32))

func decode(s string) (Params, []byte, []byte, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return Params{}, nil, nil, ErrMalformed
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return Params{}, nil, nil, ErrMalformed
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		p.Memory < 8*uint32(p.Threads) || p.Memory > 4<<20 || p.Time < 1 || p.Time > 100 || p.Threads < 1 {
		return Params{}, nil, nil, ErrMalformed
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 128 {
		return Params{}, nil, nil, ErrMalformed
	}
	p.SaltLen, p.KeyLen = len(salt), uint32(len(key))
	return p, salt, key, nil
}
