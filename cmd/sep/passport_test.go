package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/passport"
	"github.com/sep-platform/sep/internal/passport/qr"
	"github.com/sep-platform/sep/internal/seal"
)

// `sep passport verify` offline: from a PNG and from the text, with a fresh status list, and
// refusing to confirm without one; an annulled passport is caught by the list.
func TestPassportVerifyOffline(t *testing.T) {
	ctx := context.Background()
	c, _ := gost3410.CurveByName("tc26-256-A")
	root, _ := gost3410.GenerateKey(c, nil)
	svc, err := passport.New(passport.Options{DB: dbtest.Open(t, dbtest.SQLiteURL(t)), Box: seal.NewBox(seal.GenerateRing(), nil), RootKey: root})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := svc.IssueDemo(ctx, 1, "")
	q, _ := svc.IssueDemo(ctx, 2, "")
	if err := svc.Annul(ctx, nil, q.Number, passport.ReasonOperator); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		path := filepath.Join(dir, name)
		os.WriteFile(path, b, 0o600)
		return path
	}
	rootPEM, _ := svc.RootCertificate(ctx)
	certs, _ := svc.Certificates(ctx)
	list, _ := svc.StatusList(ctx)
	code, _ := qr.Encode(p.Payload)
	png, _ := code.PNG()
	args := []string{"-trust", write("root.pem", rootPEM), "-certs", write("certs.pem", certs)}
	verify := func(extra ...string) (int, string) {
		var out, errOut bytes.Buffer
		n := run(append([]string{"passport", "verify"}, extra...), func(string) (string, bool) { return "", false }, nil, &out, &errOut)
		return n, out.String() + errOut.String()
	}
	listPath := write("status.bin", list)
	if n, out := verify(append([]string{write("qr.png", png)}, append(args, "-status-list", listPath)...)...); n != 0 ||
		!strings.Contains(out, "Действителен") || !strings.Contains(out, "Примеров") || !strings.Contains(out, "Список статусов выпущен") {
		t.Errorf("PNG, fresh list: %d %s", n, out)
	}
	if n, out := verify(append(append([]string{q.Payload}, args...), "-status-list", listPath)...); n != 1 || !strings.Contains(out, "Аннулирован") {
		t.Errorf("annulled: %d %s", n, out)
	}
	if n, out := verify(append([]string{p.Payload}, args...)...); n != 1 || !strings.Contains(out, "Статус не подтверждён") {
		t.Errorf("no list: %d %s", n, out)
	}
	if n, out := verify(append([]string{"garbage"}, args...)...); n != 1 {
		t.Errorf("garbage: %d %s", n, out)
	}
	if n, _ := verify(p.Payload); n != exitUsage {
		t.Errorf("without -trust: %d", n)
	}
}
