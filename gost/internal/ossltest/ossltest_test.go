package ossltest

import (
	"strings"
	"testing"
)

// TestStreebogDigest checks the witness itself: the engine must reproduce the
// RFC 6986 M1 vector in byte order (gost-vectors.md §1).
func TestStreebogDigest(t *testing.T) {
	o := Require(t)
	out := o.MustRun(t, []byte("012345678901234567890123456789012345678901234567890123456789012"),
		"dgst", "-engine", "gost", "-md_gost12_256")
	const want = "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500"
	if !strings.Contains(string(out), "= "+want) {
		t.Fatalf("openssl dgst printed %q, want the digest %s", out, want)
	}
	if _, err := o.Run(nil, "dgst", "-no-such-flag"); err == nil {
		t.Fatal("a failing openssl command reported no error")
	}
}
