package documents

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
)

// startClamd starts a real clamd (Debian's clamav-daemon) with only the signature of
// testdata/eicar.ndb — no downloads, freshclam never runs — listening on a loopback port and
// a unix socket. Without clamd the test skips, unless CI=true.
func startClamd(t *testing.T) (tcp, unix *Clamd) {
	t.Helper()
	bin, err := exec.LookPath("clamd")
	if err != nil {
		for _, p := range []string{"/usr/sbin/clamd", "/usr/local/sbin/clamd"} {
			if _, serr := os.Stat(p); serr == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("clamd is not installed (Debian: clamav-daemon); CI=true needs it")
		}
		t.Skip("clamd is not installed (Debian: clamav-daemon): the antivirus test skips")
	}
	dir, err := os.MkdirTemp("", "sep-clamd-") // short: a unix socket path has a length limit
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	dbdir := filepath.Join(dir, "db")
	os.Mkdir(dbdir, 0o755)
	sig, err := os.ReadFile("testdata/eicar.ndb")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dbdir, "eicar.ndb"), sig, 0o644)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	sock := filepath.Join(dir, "clamd.sock")
	conf := filepath.Join(dir, "clamd.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf(`Foreground yes
DatabaseDirectory %s
LocalSocket %s
TCPSocket %d
TCPAddr 127.0.0.1
LogFile %s
PidFile %s
StreamMaxLength 10M
MaxThreads 2
`, dbdir, sock, port, filepath.Join(dir, "clamd.log"), filepath.Join(dir, "clamd.pid"))), 0o644)
	cmd := exec.Command(bin, "--config-file="+conf)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	tcp = &Clamd{Network: "tcp", Address: fmt.Sprintf("127.0.0.1:%d", port)}
	unix = &Clamd{Network: "unix", Address: sock}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if tcp.Ping(context.Background()) == nil && unix.Ping(context.Background()) == nil {
			return tcp, unix
		}
		if time.Now().After(deadline) || (cmd.ProcessState != nil && cmd.ProcessState.Exited()) {
			log, _ := os.ReadFile(filepath.Join(dir, "clamd.log"))
			t.Fatalf("clamd did not start:\n%s\n%s", out.String(), log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestAntivirus(t *testing.T) {
	tcp, unix := startClamd(t)
	ctx := context.Background()
	d := dbtest.Open(t, dbtest.SQLiteURL(t))
	infectedPDF := testPDF("fictitious "+eicar, "", "", "")
	for name, scanner := range map[string]*Clamd{"tcp": tcp, "unix": unix} {
		t.Run(name, func(t *testing.T) {
			if infected, sig, err := scanner.Scan(ctx, strings.NewReader(eicar)); err != nil || !infected || sig != "Sep.Test.EICAR.UNOFFICIAL" {
				t.Fatalf("EICAR: %v %q %v", infected, sig, err)
			}
			s, dir := testStore(t, d, scanner, nil)
			clean, err := s.Put(ctx, bytes.NewReader(testPDF("fictitious", "", "", "")), Upload{})
			if err != nil || clean.Verdict.State != Accepted {
				t.Fatalf("a clean PDF: %+v, %v", clean, err)
			}
			doc, err := s.Put(ctx, bytes.NewReader(infectedPDF), Upload{Name: "scan.pdf"})
			if err != nil || doc.Verdict.Reason != "documents.refused.infected" {
				t.Fatalf("a PDF with EICAR: %+v, %v", doc, err)
			}
			if got, _ := s.Get(ctx, doc.ID); got.Signature != "Sep.Test.EICAR.UNOFFICIAL" {
				t.Errorf("the signature is not kept: %q", got.Signature)
			}
			if m := doc.Verdict.Message(i18n.Default().Printer("ru")); !strings.Contains(m, "вирус") {
				t.Errorf("the Russian message: %q", m)
			}
			if files := filesUnder(t, dir); len(files) != 1 {
				t.Errorf("files: %v (want only the clean one)", files)
			}
		})
	}

	// Too large for clamd's StreamMaxLength: clamd's refusal is an error, not «clean».
	big := bytes.Repeat([]byte("x"), 11<<20)
	if infected, _, err := tcp.Scan(ctx, bytes.NewReader(big)); err == nil || infected {
		t.Errorf("a stream over clamd's limit: infected %v, err %v", infected, err)
	}

	t.Run("quarantine", func(t *testing.T) {
		// clamd unreachable: documents wait in quarantine and cannot be read.
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		down := &Clamd{Network: "tcp", Address: l.Addr().String()}
		l.Close()
		s, dir := testStore(t, d, down, nil)
		clean, err := s.Put(ctx, bytes.NewReader(testPDF("fictitious", "", "", "")), Upload{})
		if err != nil || clean.Verdict.State != Quarantined {
			t.Fatalf("with clamd down: %+v, %v", clean, err)
		}
		if m := clean.Verdict.Message(i18n.Default().Printer("ru")); !strings.Contains(m, "антивирус") {
			t.Errorf("the quarantine message: %q", m)
		}
		bad, err := s.Put(ctx, bytes.NewReader(infectedPDF), Upload{})
		if err != nil || bad.Verdict.State != Quarantined {
			t.Fatalf("with clamd down: %+v, %v", bad, err)
		}
		if _, _, err := s.Open(ctx, clean.ID); errs.IDOf(err) != "documents.quarantined" {
			t.Errorf("a quarantined document opens: %v", err)
		}
		if _, err := s.ScanQuarantined(ctx); err == nil {
			t.Error("scanning with clamd down succeeds")
		}
		// clamd is back.
		s.scanner = tcp
		if n, err := s.ScanQuarantined(ctx); err != nil || n != 2 {
			t.Fatalf("scan the quarantine: %d, %v", n, err)
		}
		if got, _ := s.Get(ctx, clean.ID); got.Verdict.State != Accepted {
			t.Errorf("the clean one: %v", got.Verdict)
		}
		if got, _ := s.Get(ctx, bad.ID); got.Verdict.Reason != "documents.refused.infected" {
			t.Errorf("the infected one: %v", got.Verdict)
		}
		readAll(t, s, clean.ID)
		if files := filesUnder(t, dir); len(files) != 1 {
			t.Errorf("files: %v (want only the clean one)", files)
		}
	})
}
