package gost3410_test

import (
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"

	"github.com/sep-platform/sep/gost/gost3410"
)

func TestCurveNamesAndOIDs(t *testing.T) {
	want := map[string]string{
		"tc26-256-A": "1.2.643.7.1.2.1.1.1", "tc26-256-B": "1.2.643.7.1.2.1.1.2",
		"tc26-256-C": "1.2.643.7.1.2.1.1.3", "tc26-256-D": "1.2.643.7.1.2.1.1.4",
		"tc26-512-A": "1.2.643.7.1.2.1.2.1", "tc26-512-B": "1.2.643.7.1.2.1.2.2",
		"tc26-512-C": "1.2.643.7.1.2.1.2.3", "tc26-512-test": "1.2.643.7.1.2.1.2.0",
		"cryptopro-A": "1.2.643.2.2.35.1", "cryptopro-B": "1.2.643.2.2.35.2",
		"cryptopro-C": "1.2.643.2.2.35.3", "cryptopro-XchA": "1.2.643.2.2.36.0",
		"cryptopro-XchB": "1.2.643.2.2.36.1", "test-2001": "1.2.643.2.2.35.0",
	}
	all := gost3410.Curves()
	if len(all) != len(want) {
		t.Fatalf("Curves() has %d entries, want %d", len(all), len(want))
	}
	for _, c := range all {
		oid, ok := want[c.Name]
		if !ok {
			t.Errorf("unexpected curve %q", c.Name)
			continue
		}
		if c.OID.String() != oid {
			t.Errorf("%s: OID %s, want %s", c.Name, c.OID, oid)
		}
		if byName, err := gost3410.CurveByName(c.Name); err != nil || byName != c {
			t.Errorf("CurveByName(%q) = %v, %v", c.Name, byName, err)
		}
		if byOID, err := gost3410.CurveByOID(c.OID); err != nil || byOID != c {
			t.Errorf("CurveByOID(%s) = %v, %v", c.OID, byOID, err)
		}
		wantSize := 32
		if c.P().BitLen() > 256 {
			wantSize = 64
		}
		if c.PointSize != wantSize {
			t.Errorf("%s: PointSize %d, want %d", c.Name, c.PointSize, wantSize)
		}
	}
	if _, err := gost3410.CurveByName("tc26-256-E"); !errors.Is(err, gost3410.ErrUnknownCurve) {
		t.Errorf("unknown name: err = %v", err)
	}
	if _, err := gost3410.CurveByOID(asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 5}); !errors.Is(err, gost3410.ErrUnknownCurve) {
		t.Errorf("unknown OID: err = %v", err)
	}
}

// TestCurveParameters checks each parameter set with plain math/big: p and q prime, the base
// point on the curve, and the group sizes consistent with the cofactor (Hasse bound).
func TestCurveParameters(t *testing.T) {
	for _, c := range gost3410.Curves() {
		p, q, a, b, x, y := c.P(), c.Q(), c.A(), c.B(), c.X(), c.Y()
		if !p.ProbablyPrime(20) || !q.ProbablyPrime(20) {
			t.Errorf("%s: p or q not prime", c.Name)
		}
		lhs := new(big.Int).Mul(y, y)
		rhs := new(big.Int).Mul(x, x)
		rhs.Add(rhs, a).Mul(rhs, x).Add(rhs, b)
		if lhs.Sub(lhs, rhs).Mod(lhs, p).Sign() != 0 {
			t.Errorf("%s: base point not on the curve", c.Name)
		}
		// |m - (p+1)| <= 2√p with m = cofactor·q.
		m := new(big.Int).Mul(q, c.Cofactor())
		diff := new(big.Int).Sub(m, new(big.Int).Add(p, big.NewInt(1)))
		diff.Mul(diff, diff)
		if diff.Cmp(new(big.Int).Mul(big.NewInt(4), p)) > 0 {
			t.Errorf("%s: cofactor·q violates the Hasse bound", c.Name)
		}
	}
	// Aliases share the curve, distinct values.
	a1, b1 := mustCurve(t, "cryptopro-A"), mustCurve(t, "tc26-256-B")
	if a1 == b1 || a1.P().Cmp(b1.P()) != 0 || a1.B().Cmp(b1.B()) != 0 {
		t.Error("cryptopro-A and tc26-256-B should be distinct values of one curve")
	}
}

func TestCurveAccessorsReturnCopies(t *testing.T) {
	c := mustCurve(t, "tc26-256-A")
	c.P().SetInt64(1)
	if c.P().Cmp(big.NewInt(1)) == 0 {
		t.Fatal("P() exposes the curve's own integer")
	}
}
