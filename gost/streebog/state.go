package streebog

import (
	"encoding/binary"
	"errors"
	"hash"
)

// The marshaled state: a magic naming the digest size, then h, N and Sigma
// as 8 little-endian words each, the 64-byte buffer and the count of
// buffered bytes.
const (
	magic256      = "stb\x01"
	magic512      = "stb\x02"
	marshaledSize = len(magic256) + 3*8*8 + BlockSize + 1
)

// MarshalBinary saves the running state (encoding.BinaryMarshaler).
func (d *digest) MarshalBinary() ([]byte, error) {
	return d.AppendBinary(make([]byte, 0, marshaledSize))
}

// AppendBinary appends the running state to b (encoding.BinaryAppender).
func (d *digest) AppendBinary(b []byte) ([]byte, error) {
	if d.size == Size256 {
		b = append(b, magic256...)
	} else {
		b = append(b, magic512...)
	}
	for _, words := range []*[8]uint64{&d.h, &d.n, &d.sigma} {
		for _, w := range words {
			b = binary.LittleEndian.AppendUint64(b, w)
		}
	}
	b = append(b, d.buf[:]...)
	return append(b, byte(d.nbuf)), nil
}

// UnmarshalBinary restores a state saved by MarshalBinary of a digest of
// the same size (encoding.BinaryUnmarshaler). On error the digest is left
// unchanged.
func (d *digest) UnmarshalBinary(b []byte) error {
	want := magic512
	if d.size == Size256 {
		want = magic256
	}
	if len(b) < len(want) || (string(b[:len(want)]) != magic256 && string(b[:len(want)]) != magic512) {
		return errors.New("streebog: state is not a marshaled Streebog state")
	}
	if string(b[:len(want)]) != want {
		return errors.New("streebog: state belongs to the other digest size")
	}
	if len(b) != marshaledSize {
		return errors.New("streebog: marshaled state has the wrong length")
	}
	nbuf := int(b[marshaledSize-1])
	if nbuf >= BlockSize {
		return errors.New("streebog: marshaled state has an impossible buffer length")
	}
	p := b[len(want):]
	// N counts the bits of whole blocks processed, so it is a multiple of
	// 512 until the hash is finished.
	if binary.LittleEndian.Uint64(p[64:])%(8*BlockSize) != 0 {
		return errors.New("streebog: marshaled state has an impossible length counter")
	}
	for _, words := range []*[8]uint64{&d.h, &d.n, &d.sigma} {
		for i := range words {
			words[i] = binary.LittleEndian.Uint64(p)
			p = p[8:]
		}
	}
	copy(d.buf[:], p[:BlockSize])
	d.nbuf = nbuf
	return nil
}

// Clone returns an independent copy of the running state (hash.Cloner).
func (d *digest) Clone() (hash.Cloner, error) {
	c := *d
	return &c, nil
}
