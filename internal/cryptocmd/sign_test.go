package cryptocmd

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sep-platform/sep/gost/gostx509"
)

func TestSignVerify(t *testing.T) {
	dir := t.TempDir()
	data := write(t, dir, "doc.txt", []byte("Заявление на выдачу паспорта\n"))
	other := write(t, dir, "other.txt", []byte("Заявление на выдачу паспорта!\n"))
	for _, curve := range []string{"tc26-256-A", "tc26-512-B"} {
		key := filepath.Join(dir, curve+".key")
		pub := filepath.Join(dir, curve+".pub")
		cert := filepath.Join(dir, curve+".crt")
		sig := filepath.Join(dir, curve+".sig")
		must(t, "keygen", "-curve", curve, "-out", key)
		must(t, "pubkey", "-in", key, "-out", pub)
		must(t, "cert", "-key", key, "-subject", "CN=Signer", "-out", cert)
		must(t, "sign", "-key", key, "-in", data, "-out", sig)
		if r := must(t, "verify", "-pub", pub, "-in", data, "-sig", sig); r.stdout != "Verified OK\n" {
			t.Errorf("verify printed %q", r.stdout)
		}
		must(t, "verify", "-cert", cert, "-in", data, "-sig", sig)

		expect(t, run(t, "", "verify", "-pub", pub, "-in", other, "-sig", sig), ExitFailed, "Verification failure")
		raw := read(t, sig)
		raw[len(raw)/3] ^= 4
		bad := write(t, dir, "bad.sig", raw)
		expect(t, run(t, "", "verify", "-pub", pub, "-in", data, "-sig", bad), ExitFailed, "does not match")
		short := write(t, dir, "short.sig", raw[:len(raw)-1])
		expect(t, run(t, "", "verify", "-pub", pub, "-in", data, "-sig", short), ExitFailed, "short.sig is")
	}
	// The 256-bit signature checked with the 512-bit key, and a key that
	// did not sign.
	expect(t, run(t, "", "verify", "-pub", filepath.Join(dir, "tc26-512-B.pub"), "-in", data, "-sig", filepath.Join(dir, "tc26-256-A.sig")), ExitFailed, "Verification failure")
	must(t, "keygen", "-curve", "tc26-256-A", "-out", filepath.Join(dir, "x.key"))
	must(t, "pubkey", "-in", filepath.Join(dir, "x.key"), "-out", filepath.Join(dir, "x.pub"))
	expect(t, run(t, "", "verify", "-pub", filepath.Join(dir, "x.pub"), "-in", data, "-sig", filepath.Join(dir, "tc26-256-A.sig")), ExitFailed, "Verification failure")

	pub := filepath.Join(dir, "tc26-256-A.pub")
	cert := filepath.Join(dir, "tc26-256-A.crt")
	sig := filepath.Join(dir, "tc26-256-A.sig")
	expect(t, run(t, "", "verify", "-pub", pub, "-cert", cert, "-in", data, "-sig", sig), ExitUsage, "exactly one of -cert and -pub")
	expect(t, run(t, "", "verify", "-pub", pub, "-in", data), ExitUsage, "missing -sig")
	expect(t, run(t, "", "verify", "-pub", pub, "-in", data, "-sig", filepath.Join(dir, "nope.sig")), ExitUsage, "nope.sig: no such file")
	expect(t, run(t, "", "verify", "-pub", cert, "-in", data, "-sig", sig), ExitUsage, "is a certificate; use -cert")
	expect(t, run(t, "", "verify", "-pub", pub, "-in", filepath.Join(dir, "gone.txt"), "-sig", sig), ExitUsage, "gone.txt")
	expect(t, run(t, "", "sign", "-key", pub, "-in", data, "-out", sig), ExitUsage, "not a usable GOST private key")

	// Signing standard input.
	r := run(t, "Заявление на выдачу паспорта\n", "sign", "-key", filepath.Join(dir, "tc26-256-A.key"), "-in", "-", "-out", "-")
	if r.code != 0 || len(r.stdout) != 64 {
		t.Fatalf("sign from stdin: %d, %d bytes", r.code, len(r.stdout))
	}
	must(t, "verify", "-cert", cert, "-in", data, "-sig", write(t, dir, "stdin.sig", []byte(r.stdout)))
}

func TestCert(t *testing.T) {
	dir := t.TempDir()
	caKey := filepath.Join(dir, "ca.key")
	leafKey := filepath.Join(dir, "leaf.key")
	ca := filepath.Join(dir, "ca.pem")
	leaf := filepath.Join(dir, "leaf.pem")
	must(t, "keygen", "-curve", "tc26-512-A", "-out", caKey)
	must(t, "keygen", "-curve", "cryptopro-A", "-out", leafKey)
	must(t, "cert", "-key", caKey, "-subject", "CN=Тестовый УЦ,O=Example,C=RU,OGRN=1027700132195", "-days", "30", "-out", ca)
	must(t, "cert", "-key", leafKey, "-subject", `CN=Иван Петров,SNILS=11223344595,O=ООО \"Ромашка\"`, "-days", "10", "-out", leaf, "-ca", ca, "-ca-key", caKey)

	caCerts, err := gostx509.ParseCertificatesPEM(read(t, ca))
	if err != nil {
		t.Fatal(err)
	}
	leafCerts, err := gostx509.ParseCertificatesPEM(read(t, leaf))
	if err != nil {
		t.Fatal(err)
	}
	c, l := caCerts[0], leafCerts[0]
	if !c.IsCA || l.IsCA || c.KeyUsage&gostx509.KeyUsageCertSign == 0 {
		t.Errorf("CA flags: ca %v leaf %v", c.IsCA, l.IsCA)
	}
	if l.Subject.String() != `CN=Иван Петров,SNILS=11223344595,O=ООО \"Ромашка\"` || l.Issuer.String() != c.Subject.String() {
		t.Errorf("leaf subject %q issuer %q", l.Subject, l.Issuer)
	}
	if d := l.NotAfter.Sub(l.NotBefore); d.Hours() != 240 {
		t.Errorf("leaf validity %v, want 10 days", d)
	}
	if _, err := l.Verify(gostx509.VerifyOptions{Roots: caCerts}); err != nil {
		t.Errorf("chain: %v", err)
	}

	other := filepath.Join(dir, "other.key")
	must(t, "keygen", "-curve", "tc26-512-A", "-out", other)
	expect(t, run(t, "", "cert", "-key", leafKey, "-subject", "CN=x", "-out", leaf, "-ca", ca), ExitUsage, "-ca and -ca-key go together")
	expect(t, run(t, "", "cert", "-key", leafKey, "-subject", "CN=x", "-out", leaf, "-ca", ca, "-ca-key", other), ExitUsage, "CA key does not match")
	expect(t, run(t, "", "cert", "-key", other, "-subject", "CN=x", "-out", leaf, "-ca", leaf, "-ca-key", leafKey), ExitUsage, "cannot issue certificates")
	expect(t, run(t, "", "cert", "-key", leafKey, "-subject", "CN=x,SNILS=123", "-out", leaf), ExitUsage, "SNILS must be 11 digits")
	expect(t, run(t, "", "cert", "-key", leafKey, "-subject", "CN=x", "-days", "0", "-out", leaf), ExitUsage, "-days must be between")
	expect(t, run(t, "", "cert", "-key", leafKey, "-out", leaf), ExitUsage, "missing -subject")
	if _, err := os.Stat(leaf); err != nil {
		t.Fatal(err)
	}
	// The failed runs left the earlier leaf certificate as it was.
	if again, _ := gostx509.ParseCertificatesPEM(read(t, leaf)); len(again) != 1 || !again[0].Equal(l) {
		t.Error("a failed cert run changed the output file")
	}
}
