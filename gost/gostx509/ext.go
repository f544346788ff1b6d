package gostx509

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
)

// KeyUsage is the keyUsage extension as a bit set (RFC 5280 §4.2.1.3);
// bit i of the BIT STRING is 1<<i.
type KeyUsage int

// Key usages, in the bit order of RFC 5280.
const (
	KeyUsageDigitalSignature KeyUsage = 1 << iota
	KeyUsageContentCommitment
	KeyUsageKeyEncipherment
	KeyUsageDataEncipherment
	KeyUsageKeyAgreement
	KeyUsageCertSign
	KeyUsageCRLSign
	KeyUsageEncipherOnly
	KeyUsageDecipherOnly
)

// Extension object identifiers.
var (
	OIDExtSubjectKeyID     = asn1.ObjectIdentifier{2, 5, 29, 14}
	OIDExtKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
	OIDExtBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	OIDExtAuthorityKeyID   = asn1.ObjectIdentifier{2, 5, 29, 35}
	OIDExtExtKeyUsage      = asn1.ObjectIdentifier{2, 5, 29, 37}
	// OIDExtSubjectSignTool and OIDExtIssuerSignTool are RFC 9215 §5.3–5.4;
	// they are kept in Extensions unparsed.
	OIDExtSubjectSignTool = asn1.ObjectIdentifier{1, 2, 643, 100, 111}
	OIDExtIssuerSignTool  = asn1.ObjectIdentifier{1, 2, 643, 100, 112}
)

type basicConstraints struct {
	IsCA       bool `asn1:"optional"`
	MaxPathLen int  `asn1:"optional,default:-1"`
}

type authorityKeyID struct {
	ID           []byte        `asn1:"optional,tag:0"`
	Issuer       asn1.RawValue `asn1:"optional,tag:1"`
	SerialNumber asn1.RawValue `asn1:"optional,tag:2"`
}

// handledExtension reports whether this package understands an extension, so
// that a critical one does not stop verification.
func handledExtension(oid asn1.ObjectIdentifier) bool {
	for _, h := range []asn1.ObjectIdentifier{OIDExtSubjectKeyID, OIDExtKeyUsage, OIDExtBasicConstraints,
		OIDExtAuthorityKeyID, OIDExtExtKeyUsage} {
		if oid.Equal(h) {
			return true
		}
	}
	return false
}

func (c *Certificate) parseExtensions() error {
	seen := make(map[string]bool, len(c.Extensions))
	for _, e := range c.Extensions {
		id := e.Id.String()
		if seen[id] {
			return fmt.Errorf("gostx509: extension %v appears twice", e.Id)
		}
		seen[id] = true
		var err error
		switch {
		case e.Id.Equal(OIDExtBasicConstraints):
			var bc basicConstraints
			if err = unmarshalExt(e.Value, &bc); err == nil {
				if bc.MaxPathLen < -1 || bc.MaxPathLen >= 0 && !bc.IsCA {
					err = errors.New("pathLenConstraint without cA or negative")
				}
				c.BasicConstraintsValid, c.IsCA, c.MaxPathLen = true, bc.IsCA, bc.MaxPathLen
			}
		case e.Id.Equal(OIDExtKeyUsage):
			var bits asn1.BitString
			if err = unmarshalExt(e.Value, &bits); err == nil {
				for b := 0; b < 9; b++ {
					if bits.At(b) != 0 {
						c.KeyUsage |= 1 << b
					}
				}
				if c.KeyUsage == 0 {
					err = errors.New("no usage set")
				}
			}
		case e.Id.Equal(OIDExtSubjectKeyID):
			err = unmarshalExt(e.Value, &c.SubjectKeyId)
		case e.Id.Equal(OIDExtAuthorityKeyID):
			var aki authorityKeyID
			if err = unmarshalExt(e.Value, &aki); err == nil {
				c.AuthorityKeyId = aki.ID
			}
		case e.Id.Equal(OIDExtExtKeyUsage):
			if err = unmarshalExt(e.Value, &c.ExtKeyUsage); err == nil && len(c.ExtKeyUsage) == 0 {
				err = errors.New("empty list")
			}
		}
		if err != nil {
			return fmt.Errorf("gostx509: malformed extension %v: %v", e.Id, err)
		}
	}
	return nil
}

func unmarshalExt(der []byte, v any) error {
	rest, err := asn1.Unmarshal(der, v)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return errors.New("trailing data")
	}
	return nil
}

// marshalKeyUsage encodes a key usage set as the DER BIT STRING, trailing
// zero bits removed as DER requires.
func marshalKeyUsage(ku KeyUsage) ([]byte, error) {
	var b [2]byte
	n := 0
	for i := 0; i < 9; i++ {
		if ku&(1<<i) != 0 {
			b[i/8] |= 0x80 >> (i % 8)
			n = i + 1
		}
	}
	return asn1.Marshal(asn1.BitString{Bytes: b[:(n+7)/8], BitLength: n})
}

func basicConstraintsExt(isCA bool, maxPathLen int) (pkix.Extension, error) {
	// encoding/asn1 writes the optional cA only when true and
	// pathLenConstraint only when it differs from the default -1.
	der, err := asn1.Marshal(basicConstraints{IsCA: isCA, MaxPathLen: maxPathLen})
	return pkix.Extension{Id: OIDExtBasicConstraints, Critical: true, Value: der}, err
}
