package gostx509

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
)

type attributeTypeAndValue struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue
}

// maxRDNAttributes bounds the attributes of one RDN that ParseNameDER
// accepts. Real names have one, rarely two or three; Equal compares the
// attributes of an RDN pairwise, so a certificate with thousands in one RDN
// would make every name comparison of chain building take seconds.
const maxRDNAttributes = 64

// ParseNameDER decodes a DER Name (RDNSequence).
func ParseNameDER(der []byte) (Name, error) {
	var rdns []asn1.RawValue
	rest, err := asn1.Unmarshal(der, &rdns)
	if err != nil {
		return nil, fmt.Errorf("malformed name: %v", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("trailing data after name")
	}
	name := make(Name, 0, len(rdns))
	for _, set := range rdns {
		if set.Class != asn1.ClassUniversal || set.Tag != asn1.TagSet || !set.IsCompound {
			return nil, errors.New("malformed name: RDN is not a SET")
		}
		var rdn RDN
		for b := set.Bytes; len(b) > 0; {
			if len(rdn) == maxRDNAttributes {
				return nil, fmt.Errorf("malformed name: an RDN with more than %d attributes", maxRDNAttributes)
			}
			var atv attributeTypeAndValue
			b, err = asn1.Unmarshal(b, &atv)
			if err != nil {
				return nil, fmt.Errorf("malformed name attribute: %v", err)
			}
			a, err := attributeOf(atv.Type, atv.Value)
			if err != nil {
				return nil, err
			}
			rdn = append(rdn, a)
		}
		if len(rdn) == 0 {
			return nil, errors.New("malformed name: empty RDN")
		}
		name = append(name, rdn)
	}
	return name, nil
}

// attributeOf makes the attribute of type typ from its DER value: the text of a character
// string, or the value shown as "#" and hex (RFC 4514 §2.4) for anything else.
func attributeOf(typ asn1.ObjectIdentifier, v asn1.RawValue) (Attribute, error) {
	a := Attribute{Type: typ, Tag: v.Tag, Raw: v.FullBytes}
	s, isString, err := decodeString(v.Tag, v.Bytes)
	switch {
	case v.Class == asn1.ClassUniversal && isString && err == nil:
		a.Value = s
	case err != nil && v.Class == asn1.ClassUniversal:
		return Attribute{}, fmt.Errorf("name attribute %v: %v", typ, err)
	default:
		a.Tag = -1 // not a universal string type
		a.Value = "#" + hex.EncodeToString(v.FullBytes)
	}
	return a, nil
}

// MarshalDER encodes the name as DER. Attributes parsed from a certificate
// keep their string type; new ones get the type's usual string type
// (UTF8String for text, PrintableString for C and serialNumber,
// NumericString for the Russian identifiers, IA5String for e-mail).
func (n Name) MarshalDER() ([]byte, error) {
	var rdns []byte
	for _, rdn := range n {
		if len(rdn) == 0 {
			return nil, errors.New("gostx509: empty RDN in name")
		}
		atvs := make([][]byte, 0, len(rdn))
		for _, a := range rdn {
			v, err := a.marshalValue()
			if err != nil {
				return nil, err
			}
			der, err := asn1.Marshal(attributeTypeAndValue{Type: a.Type, Value: asn1.RawValue{FullBytes: v}})
			if err != nil {
				return nil, fmt.Errorf("gostx509: encode attribute %v: %v", a.Type, err)
			}
			atvs = append(atvs, der)
		}
		set, err := derSetOf(atvs)
		if err != nil {
			return nil, err
		}
		rdns = append(rdns, set...)
	}
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: rdns})
}

func (a Attribute) marshalValue() ([]byte, error) {
	if a.Raw != nil {
		return a.Raw, nil
	}
	if len(a.Type) == 0 {
		return nil, errors.New("gostx509: name attribute without a type")
	}
	tag := a.Tag
	if tag == 0 {
		tag = asn1.TagUTF8String
		if t := typeByOID(a.Type); t != nil {
			tag = t.tag
		}
	}
	content, err := encodeString(tag, a.Value)
	if err != nil {
		return nil, fmt.Errorf("gostx509: attribute %v: %v", a.Type, err)
	}
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: tag, Bytes: content})
}

// derSetOf wraps DER elements in a SET OF, sorted as DER requires.
func derSetOf(elems [][]byte) ([]byte, error) {
	sorted := append([][]byte(nil), elems...)
	sort.Slice(sorted, func(i, j int) bool { return bytes.Compare(sorted[i], sorted[j]) < 0 })
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true,
		Bytes: bytes.Join(sorted, nil)})
}

// Equal reports whether two names match as RFC 5280 §7.1 compares them for
// chaining: attribute by attribute, values compared case-insensitively with
// leading, trailing and repeated inner spaces ignored, whatever string type
// each was written in.
func (n Name) Equal(m Name) bool {
	if len(n) != len(m) {
		return false
	}
	for i := range n {
		if len(n[i]) != len(m[i]) {
			return false
		}
		for _, a := range n[i] {
			found := false
			for _, b := range m[i] {
				if a.Type.Equal(b.Type) && a.matches(b) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
	}
	return true
}

func (a Attribute) matches(b Attribute) bool {
	if !a.isText() || !b.isText() {
		return bytes.Equal(a.Raw, b.Raw)
	}
	return strings.EqualFold(canonicalSpaces(a.Value), canonicalSpaces(b.Value))
}

func canonicalSpaces(s string) string { return strings.Join(strings.Fields(s), " ") }
