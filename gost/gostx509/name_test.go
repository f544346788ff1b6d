package gostx509

import (
	"encoding/asn1"
	"strconv"
	"strings"
	"testing"
)

func TestParseName(t *testing.T) {
	n, err := ParseName(`CN=Иван Петров, O=ООО \"Ромашка\"\, филиал,C=RU,OGRN=1027700132195,SNILS=11223344595,INN=500100732259,INNLE=7707083893,OGRNIP=304500116000157,emailAddress=ivan@example.test,1.2.3.4=x+OU=Отдел`)
	if err != nil {
		t.Fatal(err)
	}
	if n.CommonName() != "Иван Петров" || n.Get(OIDOrganization) != `ООО "Ромашка", филиал` || n.Get(OIDOGRNIP) != "304500116000157" {
		t.Errorf("parsed %#v", n)
	}
	if len(n) != 10 || len(n[9]) != 2 {
		t.Errorf("want 10 RDNs, the last with two attributes: %d", len(n))
	}
	der, err := n.MarshalDER()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseNameDER(der)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Equal(n) {
		t.Errorf("DER round trip changed the name: %q", back)
	}
	again, err := ParseName(back.String())
	if err != nil || !again.Equal(n) {
		t.Errorf("String %q does not parse back (%v)", back.String(), err)
	}
	// Each Russian identifier is a NumericString, C a PrintableString, e-mail IA5String.
	for _, rdn := range back {
		a := rdn[0]
		want := asn1.TagUTF8String
		switch {
		case a.Type.Equal(OIDOGRN), a.Type.Equal(OIDSNILS), a.Type.Equal(OIDINN), a.Type.Equal(OIDINNLE), a.Type.Equal(OIDOGRNIP):
			want = asn1.TagNumericString
		case a.Type.Equal(OIDCountry):
			want = asn1.TagPrintableString
		case a.Type.String() == "1.2.840.113549.1.9.1":
			want = asn1.TagIA5String
		}
		if a.Tag != want {
			t.Errorf("%v written with tag %d, want %d", a.Type, a.Tag, want)
		}
	}
}

func TestParseNameErrors(t *testing.T) {
	for in, want := range map[string]string{
		"":                   "empty name",
		"CN":                 "no '='",
		"CN=":                "empty value",
		"XX=1":               "unknown attribute type",
		"C=Russia":           "two-letter",
		"OGRN=123":           "13 digits",
		"SNILS=112-233-445":  "11 digits",
		"INN=50010073225x":   "12 digits",
		"emailAddress=иван@": "ASCII",
		`CN=a\`:              "dangling backslash",
		"serialNumber=№1":    "PrintableString",
		"CN=x" + strings.Repeat("+CN=x", maxRDNAttributes): "more than 64 attributes",
	} {
		_, err := ParseName(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseName(%q): %v, want an error saying %q", in, err, want)
		}
	}
}

func TestNameEqualAndEscapes(t *testing.T) {
	a, _ := ParseName("CN=Test  CA,O=Example")
	b, _ := ParseName("cn=test ca , o=EXAMPLE")
	if !a.Equal(b) {
		t.Error("names differing in case and spaces do not match")
	}
	c, _ := ParseName("CN=Test CA,O=Other")
	if a.Equal(c) {
		t.Error("different names match")
	}
	n := Name{{{Type: OIDCommonName, Value: " #a,b+c=d\\e "}}}
	if got := n.String(); got != `CN=\ #a\,b\+c\=d\\e\ ` {
		t.Errorf("escaped as %q", got)
	}
	back, err := ParseName(n.String())
	if err != nil || back.CommonName() != " #a,b+c=d\\e " {
		t.Errorf("escape round trip: %q %v", back.CommonName(), err)
	}
}

// TestNameStringTypes reads the string types older certificates use.
func TestNameStringTypes(t *testing.T) {
	bmp, _ := asn1.Marshal(asn1.RawValue{Tag: asn1.TagBMPString, Bytes: []byte{0x04, 0x1f, 0x04, 0x30}}) // "Па"
	t61, _ := asn1.Marshal(asn1.RawValue{Tag: asn1.TagT61String, Bytes: []byte("caf\xe9")})
	intVal, _ := asn1.Marshal(7)
	n := Name{{{Type: OIDCommonName, Raw: bmp}}, {{Type: OIDOrganization, Raw: t61}}, {{Type: asn1.ObjectIdentifier{1, 2, 3}, Raw: intVal}}}
	der, err := n.MarshalDER()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseNameDER(der)
	if err != nil {
		t.Fatal(err)
	}
	if got.CommonName() != "Па" || got.Get(OIDOrganization) != "café" || got[2][0].Value != "#020107" {
		t.Errorf("decoded %q", got)
	}
	again, _ := got.MarshalDER()
	if string(again) != string(der) {
		t.Error("string types not kept on re-encoding")
	}
}

// TestWideRDN reads an RDN of maxRDNAttributes attributes and refuses one
// more: Equal compares an RDN's attributes pairwise.
func TestWideRDN(t *testing.T) {
	var rdn RDN
	for i := range maxRDNAttributes + 1 {
		rdn = append(rdn, Attribute{Type: OIDCommonName, Value: strconv.Itoa(i)})
	}
	for _, n := range []int{maxRDNAttributes, maxRDNAttributes + 1} {
		der, err := Name{rdn[:n]}.MarshalDER()
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseNameDER(der)
		switch {
		case n <= maxRDNAttributes && (err != nil || len(got[0]) != n):
			t.Errorf("%d attributes: %v", n, err)
		case n > maxRDNAttributes && (err == nil || !strings.Contains(err.Error(), "more than 64 attributes")):
			t.Errorf("%d attributes: %v, want an error", n, err)
		}
	}
}

// TestNameHexValues: a value that is not a character string is written "#" and the hex of its
// DER, and ParseName reads that form back as the same value (RFC 4514 §2.4); "\#" is a text
// value that starts with "#".
func TestNameHexValues(t *testing.T) {
	intVal, _ := asn1.Marshal(7)
	seq, _ := asn1.Marshal(struct{ A, B int }{1, 2})
	for _, raw := range [][]byte{intVal, seq} {
		der, err := Name{{{Type: asn1.ObjectIdentifier{1, 2, 3}, Raw: raw}}}.MarshalDER()
		if err != nil {
			t.Fatal(err)
		}
		n, err := ParseNameDER(der)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseName(n.String())
		if err != nil || !back.Equal(n) {
			t.Fatalf("%q read back as %q: %v", n.String(), back.String(), err)
		}
		again, _ := back.MarshalDER()
		if string(again) != string(der) {
			t.Errorf("%q re-encodes as %x, want %x", n.String(), again, der)
		}
	}
	n, err := ParseName("CN=#0c03414243,C=#13025255")
	if err != nil || n.CommonName() != "ABC" || n.Get(OIDCountry) != "RU" || n[1][0].Tag != asn1.TagPrintableString {
		t.Errorf("string values in hex: %q %v", n, err)
	}
	if n, err := ParseName(`CN=\#1`); err != nil || n.CommonName() != "#1" {
		t.Errorf(`\#1: %q %v`, n, err)
	}
	for _, s := range []string{"CN=#", "CN=#zz", "CN=#0201", "CN=#02010700", "C=#130352555300", "SNILS=#120131"} {
		if _, err := ParseName(s); err == nil {
			t.Errorf("%s accepted", s)
		}
	}
}
