package vds

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/streebog"
)

// The status list: the numbers of every passport that is not valid although its seal is —
// suspended or annulled — signed by an issuing key with its issue time, so that an offline
// verifier catches them and knows how old its knowledge is.
const (
	ListMagic   = 0xE6
	ListVersion = 1
	numberSize  = 9
	// MaxListEntries bounds what a parser accepts (16 MiB of entries).
	MaxListEntries = 1 << 24 / (numberSize + 1)
)

// Status codes of the list's entries.
const (
	Suspended byte = 'S'
	Annulled  byte = 'A'
)

// Entry is one number on the list.
type Entry struct {
	Number string
	Status byte // Suspended or Annulled
}

// StatusList is a parsed or a new list.
type StatusList struct {
	Country string
	Signer  Ref
	Issued  time.Time // to the second
	Entries []Entry   // sorted by number

	Signature []byte
	signed    []byte
}

// Sign sorts the entries, signs the list with key and returns its bytes.
func (l *StatusList) Sign(key *gost3410.PrivateKey) ([]byte, error) {
	if len(l.Country) != 3 || !isUpper(l.Country) {
		return nil, errors.New("vds: the country is three letters A–Z")
	}
	slices.SortFunc(l.Entries, func(a, b Entry) int { return strings.Compare(a.Number, b.Number) })
	b := make([]byte, 0, 25+len(l.Entries)*(numberSize+1)+2+SigSize)
	b = append(b, ListMagic, ListVersion)
	b = append(b, l.Country...)
	b = append(b, l.Signer[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(l.Issued.Unix()))
	b = binary.BigEndian.AppendUint32(b, uint32(len(l.Entries)))
	for _, e := range l.Entries {
		if e.Number == "" || len(e.Number) > numberSize || !isMRZ(e.Number) || e.Status != Suspended && e.Status != Annulled {
			return nil, fmt.Errorf("vds: bad status list entry %q", e.Number)
		}
		b = append(b, e.Number...)
		b = append(b, strings.Repeat("<", numberSize-len(e.Number))...)
		b = append(b, e.Status)
	}
	d := streebog.Sum256(b)
	sig, err := key.Sign(rand.Reader, d[:], nil)
	if err != nil {
		return nil, err
	}
	l.signed, l.Signature = b, sig
	return append(append(b, SigTag, SigSize), sig...), nil
}

// ErrBadList is returned for bytes that are not a status list.
var ErrBadList = errors.New("vds: not a СЭП passport status list")

// ParseStatusList parses a list without checking its signature (see Trust.VerifyList).
func ParseStatusList(b []byte) (*StatusList, error) {
	const header = 2 + 3 + RefSize + 8 + 4
	if len(b) < header+2+SigSize || b[0] != ListMagic || b[1] != ListVersion {
		return nil, ErrBadList
	}
	l := &StatusList{Country: string(b[2:5])}
	copy(l.Signer[:], b[5:13])
	l.Issued = time.Unix(int64(binary.BigEndian.Uint64(b[13:21])), 0).UTC()
	n := binary.BigEndian.Uint32(b[21:25])
	if n > MaxListEntries || len(b) != header+int(n)*(numberSize+1)+2+SigSize {
		return nil, ErrBadList
	}
	end := header + int(n)*(numberSize+1)
	if b[end] != SigTag || b[end+1] != SigSize {
		return nil, ErrBadList
	}
	l.Entries = make([]Entry, n)
	for i := range l.Entries {
		e := b[header+i*(numberSize+1):]
		l.Entries[i] = Entry{Number: strings.TrimRight(string(e[:numberSize]), "<"), Status: e[numberSize]}
		if i > 0 && l.Entries[i].Number <= l.Entries[i-1].Number || !isMRZ(l.Entries[i].Number) ||
			l.Entries[i].Status != Suspended && l.Entries[i].Status != Annulled {
			return nil, ErrBadList
		}
	}
	l.signed, l.Signature = b[:end:end], append([]byte(nil), b[end+2:]...)
	return l, nil
}

// Lookup returns the status of number on the list, 0 when it is not there.
func (l *StatusList) Lookup(number string) byte {
	i, ok := slices.BinarySearchFunc(l.Entries, number, func(e Entry, n string) int { return strings.Compare(e.Number, n) })
	if !ok {
		return 0
	}
	return l.Entries[i].Status
}

// VerifyList checks the list's signature: its signer may sign passports at the list's issue
// time and signed it.
func (t *Trust) VerifyList(l *StatusList) error {
	c, err := t.Signer(l.Signer, l.Issued)
	if err != nil {
		return err
	}
	if !checkSignature(c.PublicKey, l.signed, l.Signature) {
		return ErrBadSignature
	}
	return nil
}
