//go:build !windows && !plan9

package audit

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSyslogSinkSendsTheAnchorLine(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "log")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Skipf("no unix datagram sockets here: %v", err)
	}
	defer conn.Close()
	s := &syslogSink{id: "x", network: "unixgram", raddr: sock}
	c := &Checkpoint{N: 3, Seq: 9, Hash: Hash{1}, At: time.Date(2030, 1, 2, 3, 4, 5, 6000, time.UTC), KeyID: "0123456789abcdef",
		Signature: []byte{0xab, 0xcd}}
	if err := s.Write(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	msg := string(buf[:n])
	got, err := ReadAnchors(strings.NewReader(msg))
	if err != nil || len(got) != 1 || got[0].Digest() != c.Digest() || !strings.Contains(msg, "sep-audit") {
		t.Fatalf("syslog got %q: %v %v", msg, got, err)
	}
}
