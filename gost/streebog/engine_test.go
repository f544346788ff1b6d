package streebog_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sep-platform/sep/gost/internal/ossltest"
	"github.com/sep-platform/sep/gost/streebog"
)

// TestAgainstEngine hashes random messages of every length from 0 to 1000
// bytes and a few of several megabytes with both digest sizes, and compares
// every digest with OpenSSL's gost engine. All files go to one openssl
// process per digest size.
func TestAgainstEngine(t *testing.T) {
	o := ossltest.Require(t)
	dir := t.TempDir()
	r := rand.NewChaCha8([32]byte{'s', 't', 'r', 'e', 'e', 'b', 'o', 'g'})
	lengths := make([]int, 0, 1005)
	for n := 0; n <= 1000; n++ {
		lengths = append(lengths, n)
	}
	if !testing.Short() {
		lengths = append(lengths, 1<<20, 3<<20+17, 4<<20-1)
	}
	msgs := make(map[string][]byte, len(lengths))
	paths := make([]string, 0, len(lengths))
	for _, n := range lengths {
		msg := make([]byte, n)
		r.Read(msg)
		path := filepath.Join(dir, fmt.Sprintf("m%07d", n))
		if err := os.WriteFile(path, msg, 0o600); err != nil {
			t.Fatal(err)
		}
		msgs[path] = msg
		paths = append(paths, path)
	}
	for _, alg := range []struct {
		flag string
		sum  func([]byte) []byte
	}{
		{"-md_gost12_256", func(b []byte) []byte { s := streebog.Sum256(b); return s[:] }},
		{"-md_gost12_512", func(b []byte) []byte { s := streebog.Sum512(b); return s[:] }},
	} {
		out := o.MustRun(t, nil, append([]string{"dgst", "-engine", "gost", "-r", alg.flag}, paths...)...)
		seen, failures := 0, 0
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			// Each line is "<hex digest> *<path>".
			digest, path, ok := strings.Cut(sc.Text(), " *")
			if !ok {
				t.Fatalf("unexpected openssl output line %q", sc.Text())
			}
			msg, known := msgs[path]
			if !known {
				t.Fatalf("openssl printed an unknown file %q", path)
			}
			want, err := hex.DecodeString(digest)
			if err != nil {
				t.Fatalf("openssl digest %q: %v", digest, err)
			}
			if got := alg.sum(msg); !bytes.Equal(got, want) {
				t.Errorf("%s of %d bytes: ours %x, engine %x", alg.flag, len(msg), got, want)
				if failures++; failures == 5 {
					t.Fatal("stopping after 5 mismatches")
				}
			}
			seen++
		}
		if seen != len(paths) {
			t.Fatalf("%s: openssl printed %d digests for %d files", alg.flag, seen, len(paths))
		}
	}
}
