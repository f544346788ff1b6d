package gostx509

import (
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Attribute is one AttributeTypeAndValue of a distinguished name.
type Attribute struct {
	// Type is the attribute type, for example 2.5.4.3 (commonName).
	Type asn1.ObjectIdentifier
	// Value is the text of the value, decoded from its string type.
	Value string
	// Tag is the ASN.1 universal tag of the value (asn1.TagUTF8String,
	// asn1.TagPrintableString, ...), or -1 for a parsed value that is not a
	// character string. Zero when creating a name: the type's usual string
	// type is chosen then.
	Tag int
	// Raw is the DER of the value as parsed; MarshalDER writes it unchanged
	// so parsed names re-encode exactly (clear it after changing Value). For
	// a value that is not a character string, Value shows Raw as "#" and hex
	// (RFC 4514 §2.4).
	Raw []byte
}

// RDN is a RelativeDistinguishedName: usually one attribute, sometimes
// several joined with "+".
type RDN []Attribute

// Name is a distinguished name: its RDNs in encoded order.
type Name []RDN

// attributeType describes a known attribute: its short name, its usual
// string type, and for the Russian identifiers the required digit count.
type attributeType struct {
	oid    asn1.ObjectIdentifier
	short  string
	tag    int
	digits int // NumericString of exactly this many digits; 0 = no rule
}

// attributeTypes lists the attributes names are written with. OpenSSL's short
// names are used where it has them, so the strings read the same as
// `openssl x509 -subject`; the Russian ones follow RFC 9215 §5.1.
var attributeTypes = []attributeType{
	{asn1.ObjectIdentifier{2, 5, 4, 3}, "CN", asn1.TagUTF8String, 0},
	{asn1.ObjectIdentifier{2, 5, 4, 4}, "SN", asn1.TagUTF8String, 0},
	{asn1.ObjectIdentifier{2, 5, 4, 5}, "serialNumber", asn1.TagPrintableString, 0},
	{asn1.ObjectIdentifier{2, 5, 4, 6}, "C", asn1.TagPrintableString, 0},
	{asn1.ObjectIdentifier{2, 5, 4, 7}, "L", asn1.TagUTF8String, 0},
	{asn1.ObjectIdentifier{2, 5, 4, 8}, "ST", asn1.TagUTF8String, 0},
	{asn1.ObjectIdentifier{2, 5, 4, 9}, "street", asn1.TagUTF8String, 0},
	{asn1.ObjectIdentifier{2, 5, 4, 10}, "O", asn1.TagUTF8String, 0},
	{asn1.ObjectIdentifier{2, 5, 4, 11}, "OU", asn1.TagUTF8String, 0},
	{asn1.ObjectIdentifier{2, 5, 4, 12}, "title", asn1.TagUTF8String, 0},
	{asn1.ObjectIdentifier{2, 5, 4, 42}, "GN", asn1.TagUTF8String, 0},
	{asn1.ObjectIdentifier{2, 5, 4, 65}, "pseudonym", asn1.TagUTF8String, 0},
	{asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}, "UID", asn1.TagUTF8String, 0},
	{asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, "DC", asn1.TagIA5String, 0},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, "emailAddress", asn1.TagIA5String, 0},
	{asn1.ObjectIdentifier{1, 2, 643, 100, 1}, "OGRN", asn1.TagNumericString, 13},
	{asn1.ObjectIdentifier{1, 2, 643, 100, 3}, "SNILS", asn1.TagNumericString, 11},
	{asn1.ObjectIdentifier{1, 2, 643, 3, 131, 1, 1}, "INN", asn1.TagNumericString, 12},
	{asn1.ObjectIdentifier{1, 2, 643, 100, 4}, "INNLE", asn1.TagNumericString, 10},
	{asn1.ObjectIdentifier{1, 2, 643, 100, 5}, "OGRNIP", asn1.TagNumericString, 15},
}

// Object identifiers of the attributes callers most often look up.
var (
	OIDCommonName   = asn1.ObjectIdentifier{2, 5, 4, 3}
	OIDOrganization = asn1.ObjectIdentifier{2, 5, 4, 10}
	OIDCountry      = asn1.ObjectIdentifier{2, 5, 4, 6}
	OIDOGRN         = asn1.ObjectIdentifier{1, 2, 643, 100, 1}
	OIDSNILS        = asn1.ObjectIdentifier{1, 2, 643, 100, 3}
	OIDINN          = asn1.ObjectIdentifier{1, 2, 643, 3, 131, 1, 1}
	OIDINNLE        = asn1.ObjectIdentifier{1, 2, 643, 100, 4}
	OIDOGRNIP       = asn1.ObjectIdentifier{1, 2, 643, 100, 5}
)

func typeByOID(oid asn1.ObjectIdentifier) *attributeType {
	for i := range attributeTypes {
		if attributeTypes[i].oid.Equal(oid) {
			return &attributeTypes[i]
		}
	}
	return nil
}

// attributeAliases are the other names, lower case, that ParseName accepts
// for attribute types.
var attributeAliases = map[string]string{"surname": "SN", "givenname": "GN", "e": "emailAddress",
	"email": "emailAddress", "serialnumber": "serialNumber", "commonname": "CN",
	"streetaddress": "street", "t": "title"}

func typeByName(name string) *attributeType {
	if a, ok := attributeAliases[strings.ToLower(name)]; ok {
		name = a
	}
	for i := range attributeTypes {
		if strings.EqualFold(attributeTypes[i].short, name) {
			return &attributeTypes[i]
		}
	}
	return nil
}

// Get returns the value of the first attribute of type oid, or "".
func (n Name) Get(oid asn1.ObjectIdentifier) string {
	for _, rdn := range n {
		for _, a := range rdn {
			if a.Type.Equal(oid) {
				return a.Value
			}
		}
	}
	return ""
}

// CommonName returns the first CN, or "".
func (n Name) CommonName() string { return n.Get(OIDCommonName) }

// String renders the name as "CN=…,O=…" in encoded order (as OpenSSL prints
// it and as ParseName reads it), escaping special characters as RFC 4514.
func (n Name) String() string {
	var b strings.Builder
	for i, rdn := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		for j, a := range rdn {
			if j > 0 {
				b.WriteByte('+')
			}
			if t := typeByOID(a.Type); t != nil {
				b.WriteString(t.short)
			} else {
				b.WriteString(a.Type.String())
			}
			b.WriteByte('=')
			if !a.isText() {
				b.WriteString(a.Value)
			} else {
				b.WriteString(escapeValue(a.Value))
			}
		}
	}
	return b.String()
}

func escapeValue(v string) string {
	var b strings.Builder
	for i, r := range v {
		switch {
		case strings.ContainsRune(",+\"\\<>;=", r),
			i == 0 && (r == ' ' || r == '#'),
			i == len(v)-1 && r == ' ':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ParseName reads a name written "CN=Иван Петров,O=Example,C=RU": RDNs
// separated by commas (kept in the order given, as OpenSSL's -subj does),
// "+" joining attributes of one RDN, "\" escaping a special character or
// giving a byte in hex. A value written "#" and hex is the DER of the value
// (RFC 4514 §2.4), as String writes one that is not a character string.
// Types are the short names above (case-insensitive) or dotted OIDs. C must
// be two letters; OGRN, SNILS, INN, INNLE and OGRNIP must be their RFC 9215
// number of digits.
func ParseName(s string) (Name, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("gostx509: empty name")
	}
	var name Name
	for _, rdnText := range splitUnescaped(s, ',') {
		atvs := splitUnescaped(rdnText, '+')
		if len(atvs) > maxRDNAttributes {
			return nil, fmt.Errorf("gostx509: more than %d attributes joined with '+'", maxRDNAttributes)
		}
		var rdn RDN
		for _, atv := range atvs {
			a, err := parseAttribute(atv)
			if err != nil {
				return nil, err
			}
			rdn = append(rdn, a)
		}
		name = append(name, rdn)
	}
	return name, nil
}

func parseAttribute(s string) (Attribute, error) {
	eq := strings.IndexByte(s, '=')
	if eq < 0 {
		return Attribute{}, fmt.Errorf("gostx509: %q in name has no '='", strings.TrimSpace(s))
	}
	key := strings.TrimSpace(s[:eq])
	var typ asn1.ObjectIdentifier
	if t := typeByName(key); t != nil {
		typ = t.oid
	} else if oid, ok := parseOID(key); ok {
		typ = oid
	} else {
		return Attribute{}, fmt.Errorf("gostx509: unknown attribute type %q in name", key)
	}
	text := trimValue(s[eq+1:])
	if strings.HasPrefix(text, "#") {
		return hexAttribute(key, typ, text[1:])
	}
	value, err := unescapeValue(text)
	if err != nil {
		return Attribute{}, fmt.Errorf("gostx509: value of %s: %v", key, err)
	}
	if value == "" {
		return Attribute{}, fmt.Errorf("gostx509: empty value for %s", key)
	}
	a := Attribute{Type: typ, Value: value}
	if err := checkValue(a); err != nil {
		return Attribute{}, err
	}
	return a, nil
}

// hexAttribute reads a value written as "#" and the hex of its DER (RFC 4514 §2.4), as String
// writes a value that is not a character string.
func hexAttribute(key string, typ asn1.ObjectIdentifier, h string) (Attribute, error) {
	der, err := hex.DecodeString(h)
	if err != nil {
		return Attribute{}, fmt.Errorf("gostx509: value of %s: \"#\" must be followed by the hex of a DER value (write \\# for a leading #)", key)
	}
	var v asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &v); err != nil || len(rest) != 0 {
		return Attribute{}, fmt.Errorf("gostx509: value of %s: \"#%s\" is not one DER value", key, h)
	}
	a, err := attributeOf(typ, v)
	if err != nil {
		return Attribute{}, fmt.Errorf("gostx509: %v", err)
	}
	if a.isText() {
		if err := checkValue(a); err != nil {
			return Attribute{}, err
		}
	}
	return a, nil
}

// checkValue applies the value rules of the known attribute types.
func checkValue(a Attribute) error {
	t := typeByOID(a.Type)
	if t == nil {
		return nil
	}
	if t.digits > 0 && (len(a.Value) != t.digits || strings.Trim(a.Value, "0123456789") != "") {
		return fmt.Errorf("gostx509: %s must be %d digits, got %q", t.short, t.digits, a.Value)
	}
	if t.short == "C" && (len(a.Value) != 2 || !isPrintable(a.Value)) {
		return fmt.Errorf("gostx509: C must be a two-letter country code, got %q", a.Value)
	}
	if t.tag == asn1.TagIA5String && !isASCII(a.Value) {
		return fmt.Errorf("gostx509: %s must be ASCII, got %q", t.short, a.Value)
	}
	if t.tag == asn1.TagPrintableString && !isPrintable(a.Value) {
		return fmt.Errorf("gostx509: %s has characters outside PrintableString: %q", t.short, a.Value)
	}
	return nil
}

func parseOID(s string) (asn1.ObjectIdentifier, bool) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return nil, false
	}
	oid := make(asn1.ObjectIdentifier, len(parts))
	for i, p := range parts {
		n := 0
		if p == "" || len(p) > 9 {
			return nil, false
		}
		for _, r := range p {
			if r < '0' || r > '9' {
				return nil, false
			}
			n = n*10 + int(r-'0')
		}
		oid[i] = n
	}
	return oid, true
}

// splitUnescaped splits s at sep characters not preceded by a backslash.
func splitUnescaped(s string, sep byte) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

func unescapeValue(s string) (string, error) {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b = append(b, s[i])
			continue
		}
		if i+1 >= len(s) {
			return "", errors.New("dangling backslash")
		}
		if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i+1])
		i++
	}
	if !utf8.Valid(b) {
		return "", errors.New("not valid UTF-8")
	}
	return string(b), nil
}

// trimValue drops the spaces around a value, except a trailing one that is
// escaped ("\ ").
func trimValue(s string) string {
	s = strings.TrimLeft(s, " ")
	t := strings.TrimRight(s, " ")
	slashes := len(t) - len(strings.TrimRight(t, "\\"))
	if slashes%2 == 1 && len(t) < len(s) {
		t += " "
	}
	return t
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// isText reports whether the value is a character string (and not a raw
// value shown in hex).
func (a Attribute) isText() bool {
	if a.Raw == nil {
		return true
	}
	_, ok, _ := decodeString(a.Tag, nil)
	return ok
}
