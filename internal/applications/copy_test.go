package applications

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sep-platform/sep/gost/cms"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/applications/pdfsign"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/documents/doctest"
)

// gostOpenSSL is openssl with a working gost engine, or nil after skipping the test (failing
// it under CI=true, as the project's other OpenSSL tests do).
func gostOpenSSL(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err == nil {
		if out, e := exec.Command(path, "genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:TCA").CombinedOutput(); e != nil {
			err = fmt.Errorf("openssl has no working gost engine: %v: %s", e, firstLine(out))
		}
	}
	if err != nil {
		msg := fmt.Sprintf("OpenSSL gost engine unavailable (%v); install Debian packages: openssl libengine-gost-openssl", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return s
}

// opensslVerify checks a PDF's embedded signature with OpenSSL's gost engine over its byte
// ranges, trusting cert; it returns OpenSSL's error.
func opensslVerify(t *testing.T, openssl string, pdf []byte, cert *gostx509.Certificate) error {
	t.Helper()
	signed, der, err := pdfsign.Signature(pdf)
	if err != nil {
		return err
	}
	dir := t.TempDir()
	files := map[string][]byte{"sig.der": der, "signed.bin": signed, "ca.pem": cert.EncodePEM()}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(openssl, "cms", "-verify", "-engine", "gost", "-binary", "-inform", "DER",
		"-in", filepath.Join(dir, "sig.der"), "-content", filepath.Join(dir, "signed.bin"),
		"-CAfile", filepath.Join(dir, "ca.pem"), "-purpose", "any", "-out", os.DevNull)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	return nil
}

// The copy of a submitted application: its owner downloads a PDF (nobody else, and not while
// a draft) whose text holds the number, the time in Moscow time, the service, the answers, the
// documents with their Streebog-256 digests and the consent; its embedded signature verifies
// with gost/cms and with OpenSSL's gost engine over the byte ranges, and one changed byte
// fails both. Two downloads say the same.
func TestCopyPDF(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteURL(t))
	ctx := context.Background()
	x := newHarness(t, d)
	const me, other = "acc-1", "acc-2"
	a := x.draft(me, "e-passport")
	scan := doctest.PDF("Ivanova passport scan", 3000)
	if rec := x.upload(me, a.ID, "passport_scan", "паспорт Ивановой.pdf", scan); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	for _, k := range []string{"snils", "photo", "fingerprints"} {
		if _, err := x.store.Attach(ctx, nil, me, a.ID, k, db.NewID()); err != nil {
			t.Fatal(err)
		}
	}
	path := "/applications/" + a.ID + "/copy.pdf"
	if rec := x.do(me, "GET", path, "", nil); rec.Code != http.StatusNotFound {
		t.Fatalf("a draft's copy: %d", rec.Code)
	}
	if page := x.do(me, "GET", "/applications/"+a.ID, "", nil).Body.String(); strings.Contains(page, "copy.pdf") {
		t.Fatal("a draft's card links a copy")
	}
	a, err := x.store.Submit(ctx, nil, me, a.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if rec := x.do(other, "GET", path, "", nil); rec.Code != http.StatusNotFound {
		t.Fatalf("another citizen's download: %d", rec.Code)
	}
	for _, p := range []string{"/applications/" + a.ID, "/applications/" + a.ID + "/done"} {
		if page := x.do(me, "GET", p, "", nil).Body.String(); !strings.Contains(page, `href="`+path+`"`) {
			t.Errorf("%s does not link the copy", p)
		}
	}
	rec := x.do(me, "GET", path, "", nil)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/pdf" || !strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") {
		t.Fatalf("the copy: %d %v", rec.Code, rec.Header())
	}
	pdf := rec.Body.Bytes()

	text := doctest.PDFText(t, pdf)
	sum := streebog.Sum256(scan)
	for _, want := range []string{"Копия заявления", a.Number, "Электронный паспорт", "04.12.2026 12:00 МСК", "Иванова", "Мария",
		"4508123456", "г. Москва, ул. Примерная, д. 1, кв. 1", "паспорт Ивановой.pdf", hex.EncodeToString(sum[:]),
		"Я даю согласие на обработку моих персональных данных", "биометрических"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q is not in the copy:\n%s", want, text)
		}
	}

	signed, der, err := pdfsign.Signature(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(pdf, []byte("/SubFilter /adbe.pkcs7.detached")) || !bytes.Contains(pdf, []byte("/Filter /Adobe.PPKLite")) {
		t.Fatal("no signature dictionary of the usual kind")
	}
	if _, _, err := cms.Verify(der, cms.VerifyOptions{Content: signed, Roots: []*gostx509.Certificate{x.cert}}); err != nil {
		t.Fatalf("the signature does not verify: %v", err)
	}
	tampered := bytes.Clone(pdf)
	at := bytes.Index(tampered, []byte(a.Number[len("СЭП-"):])) // the number in the document's title
	if at < 0 {
		at = len(tampered) / 3
	}
	tampered[at] ^= 0x01
	if signed, der, err := pdfsign.Signature(tampered); err != nil {
		t.Fatal(err)
	} else if _, _, err := cms.Verify(der, cms.VerifyOptions{Content: signed}); !errors.Is(err, cms.ErrDigestMismatch) {
		t.Fatalf("a changed byte: %v", err)
	}

	// The same text at each download (fpdf's font subsets are not byte for byte the same
	// from one run to the next, so the files are not).
	if again := x.do(me, "GET", path, "", nil).Body.Bytes(); doctest.PDFText(t, again) != text {
		t.Error("two downloads of one copy say different things")
	}

	openssl := gostOpenSSL(t)
	if err := opensslVerify(t, openssl, pdf, x.cert); err != nil {
		t.Fatalf("OpenSSL does not verify the copy: %v", err)
	}
	if err := opensslVerify(t, openssl, tampered, x.cert); err == nil {
		t.Fatal("OpenSSL verifies a copy with a changed byte")
	}
}
