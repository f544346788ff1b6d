package cryptocmd

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestCMS(t *testing.T) {
	dir := t.TempDir()
	caKey, ca := filepath.Join(dir, "ca.key"), filepath.Join(dir, "ca.pem")
	key, cert := filepath.Join(dir, "s.key"), filepath.Join(dir, "s.pem")
	must(t, "keygen", "-curve", "tc26-256-B", "-out", caKey)
	must(t, "cert", "-key", caKey, "-subject", "CN=CA", "-out", ca)
	must(t, "keygen", "-curve", "tc26-512-C", "-out", key)
	must(t, "cert", "-key", key, "-subject", "CN=Signer", "-out", cert, "-ca", ca, "-ca-key", caKey)
	otherCA := filepath.Join(dir, "other-ca.pem")
	must(t, "cert", "-key", key, "-subject", "CN=Other CA", "-out", otherCA)
	content := "Решение по заявлению № 17\n"
	doc := write(t, dir, "doc.txt", []byte(content))
	tampered := write(t, dir, "tampered.txt", []byte(strings.Replace(content, "17", "18", 1)))

	for _, mode := range [][]string{nil, {"-detached"}, {"-noattr"}, {"-detached", "-noattr"}} {
		name := "sig" + strings.Join(mode, "") + ".p7s"
		sig := filepath.Join(dir, name)
		must(t, append([]string{"cms-sign", "-key", key, "-cert", cert, "-in", doc, "-out", sig}, mode...)...)
		detached := len(mode) > 0 && mode[0] == "-detached"
		args := []string{"cms-verify", "-in", sig}
		if detached {
			expect(t, run(t, "", args...), ExitUsage, "detached signature; give the signed file with -content")
			args = append(args, "-content", doc)
		}
		r := must(t, args...)
		if !strings.Contains(r.stdout, "signature only") || !strings.Contains(r.stdout, "signer: CN=Signer") {
			t.Errorf("%s: cms-verify printed %q", name, r.stdout)
		}
		r = must(t, append(args, "-ca", ca)...)
		if !strings.HasPrefix(r.stdout, "Verification successful\n") {
			t.Errorf("%s: with -ca printed %q", name, r.stdout)
		}
		out := filepath.Join(dir, name+".out")
		must(t, append(args, "-out", out)...)
		if string(read(t, out)) != content {
			t.Errorf("%s: -out wrote %q", name, read(t, out))
		}
		if r := run(t, "", append(args, "-out", "-")...); r.stdout != content || !strings.Contains(r.stderr, "Verification successful") {
			t.Errorf("%s: -out - gave %q / %q", name, r.stdout, r.stderr)
		}
		if detached {
			expect(t, run(t, "", "cms-verify", "-in", sig, "-content", tampered), ExitFailed, "Verification failure")
		}
		expect(t, run(t, "", append(args, "-ca", otherCA)...), ExitFailed, "signed by unknown authority")

		raw := read(t, sig)
		expect(t, run(t, "", "cms-verify", "-in", write(t, dir, "cut.p7s", raw[:len(raw)/2]), "-content", doc), ExitFailed, "cut.p7s is not a readable CMS signature")
		raw[len(raw)-10] ^= 1 // inside the signature value
		expect(t, run(t, "", "cms-verify", "-in", write(t, dir, "flip.p7s", raw), "-content", doc), ExitFailed, "signature does not verify")
	}
	// Attached content changed inside the message.
	sig := filepath.Join(dir, "attached.p7s")
	must(t, "cms-sign", "-key", key, "-cert", cert, "-in", doc, "-out", sig)
	raw := read(t, sig)
	i := strings.Index(string(raw), "№ 17")
	raw[i+len("№ 1")] = '8'
	expect(t, run(t, "", "cms-verify", "-in", write(t, dir, "edited.p7s", raw)), ExitFailed, "message digest does not match")

	expect(t, run(t, "", "cms-verify", "-in", filepath.Join(dir, "absent.p7s")), ExitUsage, "absent.p7s: no such file")
	expect(t, run(t, "", "cms-sign", "-key", caKey, "-cert", cert, "-in", doc, "-out", sig), ExitUsage, "is not the certificate of the key")
	expect(t, run(t, "", "cms-sign", "-key", key, "-cert", key, "-in", doc, "-out", sig), ExitUsage, "no CERTIFICATE PEM block")
	expect(t, run(t, "", "cms-verify"), ExitUsage, "missing -in")
}
