package gostx509

import (
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
)

// issued is a certificate made in a test with its key.
type issued struct {
	cert *Certificate
	key  *gost3410.PrivateKey
}

var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func newKey(t testing.TB, curve string) *gost3410.PrivateKey {
	t.Helper()
	c, err := gost3410.CurveByName(curve)
	if err != nil {
		t.Fatal(err)
	}
	k, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// issue creates a certificate for a new key on curve; parent nil makes it
// self-signed.
func issue(t testing.TB, curve, subject string, tmpl Template, parent *issued) *issued {
	t.Helper()
	key := newKey(t, curve)
	name, err := ParseName(subject)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.Subject = name
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = testNow.Add(-time.Hour)
		tmpl.NotAfter = testNow.Add(365 * 24 * time.Hour)
	}
	var pc *Certificate
	signer := key
	if parent != nil {
		pc, signer = parent.cert, parent.key
	}
	der, err := CreateCertificate(rand.Reader, &tmpl, pc, key.PublicKey(), signer)
	if err != nil {
		t.Fatalf("create %s: %v", subject, err)
	}
	cert, err := ParseCertificate(der)
	if err != nil {
		t.Fatalf("parse %s: %v", subject, err)
	}
	return &issued{cert, key}
}

// TestChain builds root -> intermediate -> leaf across key sizes and checks
// that Verify finds the chain and that each broken link is named.
func TestChain(t *testing.T) {
	root := issue(t, "tc26-512-A", "CN=Test Root,O=Example,C=RU", Template{IsCA: true}, nil)
	inter := issue(t, "tc26-256-A", "CN=Test Intermediate,O=Example", Template{IsCA: true, MaxPathLenZero: true}, root)
	leaf := issue(t, "cryptopro-A", "CN=Иван Петров,SNILS=11223344595,INN=500100732259", Template{}, inter)

	if leaf.cert.IsCA || !leaf.cert.BasicConstraintsValid || leaf.cert.KeyUsage != KeyUsageDigitalSignature|KeyUsageContentCommitment {
		t.Errorf("leaf: cA=%v keyUsage=%b", leaf.cert.IsCA, leaf.cert.KeyUsage)
	}
	if inter.cert.MaxPathLen != 0 || string(leaf.cert.AuthorityKeyId) != string(inter.cert.SubjectKeyId) {
		t.Errorf("intermediate pathLen %d; leaf AKI %x vs SKI %x", inter.cert.MaxPathLen, leaf.cert.AuthorityKeyId, inter.cert.SubjectKeyId)
	}
	if leaf.cert.Issuer.String() != "CN=Test Intermediate,O=Example" {
		t.Errorf("leaf issuer %q", leaf.cert.Issuer)
	}

	opts := VerifyOptions{Roots: []*Certificate{root.cert}, Intermediates: []*Certificate{inter.cert}, CurrentTime: testNow}
	chain, err := leaf.cert.Verify(opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(chain) != 3 || !chain[0].Equal(leaf.cert) || !chain[1].Equal(inter.cert) || !chain[2].Equal(root.cert) {
		t.Fatalf("chain of %d certificates in the wrong order", len(chain))
	}

	// Same name, other key: told apart by the key identifiers, or, when the
	// impostor copies the identifier, by the signature.
	other := issue(t, "tc26-512-A", "CN=Test Root,O=Example,C=RU", Template{IsCA: true}, nil)
	impostor := issue(t, "tc26-512-A", "CN=Test Root,O=Example,C=RU", Template{IsCA: true, SubjectKeyId: root.cert.SubjectKeyId}, nil)
	cases := []struct {
		name string
		cert *Certificate
		opts VerifyOptions
		want error
	}{
		{"no intermediate", leaf.cert, VerifyOptions{Roots: opts.Roots, CurrentTime: testNow}, ErrUnknownAuthority},
		{"other root", leaf.cert, VerifyOptions{Roots: []*Certificate{other.cert}, Intermediates: opts.Intermediates, CurrentTime: testNow}, ErrUnknownAuthority},
		{"impostor root", leaf.cert, VerifyOptions{Roots: []*Certificate{impostor.cert}, Intermediates: opts.Intermediates, CurrentTime: testNow}, ErrSignature},
		{"too late", leaf.cert, VerifyOptions{Roots: opts.Roots, Intermediates: opts.Intermediates, CurrentTime: testNow.Add(2 * 365 * 24 * time.Hour)}, ErrExpired},
		{"too early", leaf.cert, VerifyOptions{Roots: opts.Roots, Intermediates: opts.Intermediates, CurrentTime: testNow.Add(-2 * time.Hour)}, ErrExpired},
	}
	for _, tc := range cases {
		if _, err := tc.cert.Verify(tc.opts); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}

	// The pathLenConstraint 0 of the intermediate forbids a CA below it.
	sub := issue(t, "tc26-256-B", "CN=Sub CA", Template{IsCA: true}, inter)
	deep := issue(t, "tc26-256-B", "CN=Deep Leaf", Template{}, sub)
	if _, err := deep.cert.Verify(VerifyOptions{Roots: opts.Roots, Intermediates: []*Certificate{inter.cert, sub.cert}, CurrentTime: testNow}); !errors.Is(err, ErrPathLength) {
		t.Errorf("path length: %v", err)
	}
}

// TestIssuerMustBeCA refuses to issue from, and to verify against, an
// end-entity certificate.
func TestIssuerMustBeCA(t *testing.T) {
	root := issue(t, "tc26-256-A", "CN=Root", Template{IsCA: true}, nil)
	leaf := issue(t, "tc26-256-A", "CN=Leaf", Template{}, root)
	key := newKey(t, "tc26-256-A")
	name, _ := ParseName("CN=Victim")
	tmpl := &Template{Subject: name, NotBefore: testNow, NotAfter: testNow.Add(time.Hour)}
	if _, err := CreateCertificate(nil, tmpl, leaf.cert, key.PublicKey(), leaf.key); !errors.Is(err, ErrNotCA) {
		t.Errorf("issuing from an end entity: %v", err)
	}
	if _, err := CreateCertificate(nil, tmpl, root.cert, key.PublicKey(), key); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("issuing with a key that is not the CA's: %v", err)
	}
	if _, err := CreateCertificate(nil, tmpl, nil, key.PublicKey(), root.key); err == nil {
		t.Error("self-signed certificate with a foreign key was created")
	}

	// A certificate signed by an end-entity key, forged by hand: Verify
	// must refuse it although the signature itself is good.
	forged := issue(t, "tc26-256-A", "CN=Leaf", Template{}, root) // a fresh key with the same name
	forged.cert.IsCA = true
	forged.cert.KeyUsage = KeyUsageCertSign
	victim := issue(t, "tc26-256-A", "CN=Victim", Template{}, forged)
	forged.cert.IsCA = false
	forged.cert.KeyUsage = KeyUsageDigitalSignature
	if err := victim.cert.CheckSignatureFrom(forged.cert); !errors.Is(err, ErrNotCA) {
		t.Errorf("CheckSignatureFrom an end entity: %v", err)
	}
	_, err := victim.cert.Verify(VerifyOptions{Roots: []*Certificate{root.cert}, Intermediates: []*Certificate{forged.cert}, CurrentTime: testNow})
	if !errors.Is(err, ErrNotCA) {
		t.Errorf("Verify through an end entity: %v", err)
	}
}

// TestUnhandledCritical rejects a chain with a critical extension this
// package does not know, and accepts the same one when not critical.
func TestUnhandledCritical(t *testing.T) {
	root := issue(t, "tc26-256-A", "CN=Root", Template{IsCA: true}, nil)
	ext := pkix.Extension{Id: asn1.ObjectIdentifier{1, 2, 3, 4}, Critical: true, Value: []byte{5, 0}}
	bad := issue(t, "tc26-256-A", "CN=Leaf", Template{ExtraExtensions: []pkix.Extension{ext}}, root)
	opts := VerifyOptions{Roots: []*Certificate{root.cert}, CurrentTime: testNow}
	if _, err := bad.cert.Verify(opts); !errors.Is(err, ErrUnhandledCritical) {
		t.Errorf("critical unknown extension: %v", err)
	}
	ext.Critical = false
	ok := issue(t, "tc26-256-A", "CN=Leaf", Template{ExtraExtensions: []pkix.Extension{ext}}, root)
	if _, err := ok.cert.Verify(opts); err != nil {
		t.Errorf("non-critical unknown extension: %v", err)
	}
	if len(ok.cert.Extensions) != 5 || !ok.cert.Extensions[4].Id.Equal(ext.Id) {
		t.Errorf("unknown extension not kept: %v", ok.cert.Extensions)
	}
}

// TestRepeatedExtension: RFC 5280 §4.2 allows each extension once.
func TestRepeatedExtension(t *testing.T) {
	key := newKey(t, "tc26-256-A")
	name, _ := ParseName("CN=X")
	ext := pkix.Extension{Id: asn1.ObjectIdentifier{1, 2, 3, 4}, Value: []byte{5, 0}}
	for _, n := range []int{1, 2} {
		tmpl := Template{Subject: name, NotBefore: testNow, NotAfter: testNow.Add(time.Hour),
			ExtraExtensions: slices.Repeat([]pkix.Extension{ext}, n)}
		der, err := CreateCertificate(nil, &tmpl, nil, key.PublicKey(), key)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ParseCertificate(der)
		if n == 1 && err != nil || n == 2 && (err == nil || !strings.Contains(err.Error(), "appears twice")) {
			t.Errorf("extension %d times: %v", n, err)
		}
	}
}

// TestTampered changes one byte of the signed part or the signature.
func TestTampered(t *testing.T) {
	root := issue(t, "tc26-512-B", "CN=Root", Template{IsCA: true}, nil)
	leaf := issue(t, "tc26-512-C", "CN=Leaf,O=Example", Template{}, root)
	raw := append([]byte(nil), leaf.cert.Raw...)
	i := strings.Index(string(raw), "Example")
	raw[i] = 'e'
	c, err := ParseCertificate(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckSignatureFrom(root.cert); !errors.Is(err, ErrSignature) {
		t.Errorf("tampered subject: %v", err)
	}
	c, _ = ParseCertificate(leaf.cert.Raw)
	c.Signature[5] ^= 0x80
	if err := c.CheckSignatureFrom(root.cert); !errors.Is(err, ErrSignature) {
		t.Errorf("tampered signature: %v", err)
	}
	c.Signature = c.Signature[:100]
	if err := c.CheckSignatureFrom(root.cert); !errors.Is(err, ErrSignature) {
		t.Errorf("short signature: %v", err)
	}
	c, _ = ParseCertificate(leaf.cert.Raw)
	c.SignatureAlgorithm.Algorithm = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 2}
	if err := c.CheckSignatureFrom(root.cert); !errors.Is(err, ErrAlgorithmMismatch) {
		t.Errorf("outer algorithm changed: %v", err)
	}
	c.TBSSignature.Algorithm = c.SignatureAlgorithm.Algorithm
	if err := c.CheckSignatureFrom(root.cert); !errors.Is(err, ErrUnsupportedSigAlgo) {
		t.Errorf("256-bit algorithm with a 512-bit key: %v", err)
	}
}

// TestCreateChecks covers the template errors.
func TestCreateChecks(t *testing.T) {
	key := newKey(t, "tc26-256-A")
	name, _ := ParseName("CN=X")
	for _, tc := range []struct {
		name string
		tmpl Template
	}{
		{"no subject", Template{NotBefore: testNow, NotAfter: testNow.Add(time.Hour)}},
		{"inverted validity", Template{Subject: name, NotBefore: testNow, NotAfter: testNow.Add(-time.Hour)}},
		{"negative serial", Template{Subject: name, NotBefore: testNow, NotAfter: testNow.Add(time.Hour), SerialNumber: big.NewInt(-1)}},
	} {
		if _, err := CreateCertificate(nil, &tc.tmpl, nil, key.PublicKey(), key); err == nil {
			t.Errorf("%s: created", tc.name)
		}
	}
	// Validity past 2049 is written as GeneralizedTime and reads back.
	tmpl := Template{Subject: name, NotBefore: testNow, NotAfter: time.Date(2077, 1, 2, 3, 4, 5, 0, time.UTC)}
	der, err := CreateCertificate(nil, &tmpl, nil, key.PublicKey(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCertificate(der)
	if err != nil || !c.NotAfter.Equal(tmpl.NotAfter) {
		t.Fatalf("NotAfter %v (%v)", c.NotAfter, err)
	}
	if !strings.Contains(string(der), "20770102030405Z") {
		t.Error("2077 not written as GeneralizedTime")
	}
	if c.SignatureAlgorithm.Parameters.FullBytes != nil {
		t.Error("signature AlgorithmIdentifier has parameters; RFC 9215 says omit")
	}
}

// v1Certificate makes a version 1 certificate (no extensions, so no
// basicConstraints) for key, signed by issuer, as legacy CAs issued them
// to end entities.
func v1Certificate(t *testing.T, subject string, key *gost3410.PrivateKey, issuer *issued) *Certificate {
	t.Helper()
	name, err := ParseName(subject)
	if err != nil {
		t.Fatal(err)
	}
	subj, err := name.MarshalDER()
	if err != nil {
		t.Fatal(err)
	}
	spki, err := gostpkix.MarshalPKIXPublicKey(key.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	curve := issuer.key.Curve()
	sigAlg := pkix.AlgorithmIdentifier{Algorithm: gostpkix.SignatureAlgorithm(curve)}
	tbs, err := marshalTBS(tbsFields{Version: 1, Serial: big.NewInt(7), SigAlg: sigAlg, Issuer: issuer.cert.RawSubject,
		NotBefore: testNow.Add(-time.Hour), NotAfter: testNow.Add(time.Hour), Subject: subj, SPKI: spki})
	if err != nil {
		t.Fatal(err)
	}
	sig, err := issuer.key.Sign(rand.Reader, gostpkix.Digest(curve, tbs), nil)
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(certificateDER{TBS: asn1.RawValue{FullBytes: tbs}, SignatureAlgorithm: sigAlg,
		SignatureValue: asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != 1 || c.BasicConstraintsValid {
		t.Fatalf("made version %d, basicConstraints %v", c.Version, c.BasicConstraintsValid)
	}
	return c
}

// TestVersion1Issuer: a version 1 certificate that a trusted CA issued to an
// end entity must not serve as an intermediate CA (RFC 5280 §6.1.4 (k)),
// though one the caller trusts as a root still anchors a chain.
func TestVersion1Issuer(t *testing.T) {
	root := issue(t, "tc26-256-A", "CN=Root", Template{IsCA: true}, nil)
	v1Key := newKey(t, "tc26-256-A")
	v1 := v1Certificate(t, "CN=Old End Entity", v1Key, root)
	if err := v1.CheckSignatureFrom(root.cert); err != nil {
		t.Fatalf("the version 1 certificate does not verify under its CA: %v", err)
	}
	asCA := *v1 // CreateCertificate refuses a parent that is not a CA
	asCA.IsCA = true
	leaf := issue(t, "tc26-256-A", "CN=Minted", Template{}, &issued{&asCA, v1Key})

	_, err := leaf.cert.Verify(VerifyOptions{Roots: []*Certificate{root.cert}, Intermediates: []*Certificate{v1}, CurrentTime: testNow})
	if !errors.Is(err, ErrNotCA) {
		t.Errorf("chain through a version 1 end entity: %v, want ErrNotCA", err)
	}
	chain, err := leaf.cert.Verify(VerifyOptions{Roots: []*Certificate{v1}, CurrentTime: testNow})
	if err != nil || len(chain) != 2 {
		t.Errorf("version 1 root: chain of %d, %v", len(chain), err)
	}
}

// TestChainSearchIsBounded gives Verify a dozen certificates with one name
// and one key, each of which verifies every other, and no way to a root:
// without a bound the search would try every ordering of them.
func TestChainSearchIsBounded(t *testing.T) {
	root := issue(t, "tc26-256-A", "CN=Root", Template{IsCA: true}, nil)
	key := newKey(t, "tc26-256-A")
	name, err := ParseName("CN=Loop")
	if err != nil {
		t.Fatal(err)
	}
	var loop []*Certificate
	for range 12 {
		tmpl := Template{Subject: name, NotBefore: testNow.Add(-time.Hour), NotAfter: testNow.Add(time.Hour), IsCA: true}
		der, err := CreateCertificate(nil, &tmpl, nil, key.PublicKey(), key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		loop = append(loop, c)
	}
	leaf := issue(t, "tc26-256-A", "CN=Leaf", Template{}, &issued{loop[0], key})
	_, err = leaf.cert.Verify(VerifyOptions{Roots: []*Certificate{root.cert}, Intermediates: loop, CurrentTime: testNow})
	if !errors.Is(err, ErrUnknownAuthority) || !strings.Contains(err.Error(), "signature checks") {
		t.Errorf("Verify: %v, want it to give up after its budget of signature checks", err)
	}
}
