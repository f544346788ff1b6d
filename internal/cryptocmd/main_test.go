package cryptocmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// result is what one run of `sep crypto` did.
type result struct {
	code           int
	stdout, stderr string
}

// run calls Main as cmd/sep does.
func run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, strings.NewReader(stdin), &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

// must runs and fails the test unless the exit code is 0.
func must(t *testing.T, args ...string) result {
	t.Helper()
	r := run(t, "", args...)
	if r.code != 0 {
		t.Fatalf("sep crypto %s: exit %d: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r
}

// expect checks the exit code and that stderr says want, on one line.
func expect(t *testing.T, r result, code int, want string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d (stderr %q)", r.code, code, r.stderr)
	}
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q does not say %q", r.stderr, want)
	}
	if code != 0 && strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
		t.Errorf("reason is not one line: %q", r.stderr)
	}
}

func write(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestUsage(t *testing.T) {
	r := run(t, "")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "Commands:") {
		t.Errorf("no arguments: %d %q", r.code, r.stderr)
	}
	r = run(t, "", "-h")
	if r.code != 0 {
		t.Errorf("-h exit %d", r.code)
	}
	for name := range commands {
		if !strings.Contains(r.stdout, "  "+name+" ") {
			t.Errorf("usage does not list %s", name)
		}
	}
	for name, c := range commands {
		r := run(t, "", name, "-h")
		if r.code != 0 || !strings.Contains(r.stdout, "Usage: sep crypto "+c.usage) || !strings.Contains(r.stdout, "-") {
			t.Errorf("%s -h: %d %q", name, r.code, r.stdout)
		}
	}
	expect(t, run(t, "", "frobnicate"), ExitUsage, `unknown command "frobnicate"`)
	expect(t, run(t, "", "hash", "-nope", "x"), ExitUsage, "flag provided but not defined: -nope")
}

func TestHash(t *testing.T) {
	dir := t.TempDir()
	// RFC 6986 §10.1 M1 in byte order (gost-vectors.md §1).
	m1 := write(t, dir, "m1.txt", []byte("012345678901234567890123456789012345678901234567890123456789012"))
	const want256 = "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500"
	const want512 = "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48"
	if r := must(t, "hash", m1); r.stdout != want256+"\n" {
		t.Errorf("default hash %q", r.stdout)
	}
	if r := must(t, "hash", "-alg", "streebog512", m1); r.stdout != want512+"\n" {
		t.Errorf("streebog512 %q", r.stdout)
	}
	if r := must(t, "hash", m1, "-alg", "streebog512"); r.stdout != want512+"\n" {
		t.Errorf("flag after the file: %q", r.stdout)
	}
	// RFC 6986 M2, from standard input.
	m2 := "\xd1\xe5\x20\xe2\xe5\xf2\xf0\xe8\x2c\x20\xd1\xf2\xf0\xe8\xe1\xee\xe6\xe8\x20\xe2\xed\xf3\xf6\xe8\x2c\x20\xe2\xe5\xfe\xf2\xfa\x20\xf1\x20\xec\xee\xf0\xff\x20\xf1\xf2\xf0\xe5\xeb\xe0\xec\xe8\x20\xed\xe0\x20\xf5\xf0\xe0\xe1\xf0\xfb\xff\x20\xef\xeb\xfa\xea\xfb\x20\xc8\xe3\xee\xf0\xe5\xe2\xfb"
	if r := run(t, m2, "hash", "-"); r.stdout != "9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50\n" {
		t.Errorf("stdin M2: %q %q", r.stdout, r.stderr)
	}
	expect(t, run(t, "", "hash", filepath.Join(dir, "missing")), ExitUsage, "missing: no such file")
	expect(t, run(t, "", "hash", "-alg", "md5", m1), ExitUsage, `unknown -alg "md5"`)
	expect(t, run(t, "", "hash"), ExitUsage, "usage: sep crypto hash")
	expect(t, run(t, "", "hash", m1, m1), ExitUsage, "usage: sep crypto hash")
}

func TestKeygenAndPubkey(t *testing.T) {
	dir := t.TempDir()
	for _, curve := range keygenCurves {
		key := filepath.Join(dir, curve+".pem")
		must(t, "keygen", "-curve", curve, "-out", key)
		st, err := os.Stat(key)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: key file mode %v, want 0600", curve, st.Mode().Perm())
		}
		r := must(t, "pubkey", "-in", key)
		if !strings.HasPrefix(r.stdout, "-----BEGIN PUBLIC KEY-----") {
			t.Errorf("%s: pubkey printed %q", curve, r.stdout)
		}
	}
	// A key file that exists is replaced and stays private.
	key := filepath.Join(dir, "tc26-256-A.pem")
	old := read(t, key)
	must(t, "keygen", "-curve", "TC26-256-A", "-out", key)
	if bytes.Equal(old, read(t, key)) {
		t.Error("existing key file not replaced")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	expect(t, run(t, "", "keygen", "-curve", "secp256r1", "-out", key), ExitUsage, `unknown -curve "secp256r1"; use one of tc26-256-A`)
	expect(t, run(t, "", "keygen", "-curve", "test-2001", "-out", key), ExitUsage, "unknown -curve")
	expect(t, run(t, "", "keygen", "-curve", "tc26-256-A"), ExitUsage, "missing -out")
	expect(t, run(t, "", "keygen", "-curve", "tc26-256-A", "-out", filepath.Join(dir, "no", "dir", "k.pem")), ExitUsage, "cannot write")
	expect(t, run(t, "", "pubkey", "-in", write(t, dir, "junk.pem", []byte("junk"))), ExitUsage, "junk.pem: not a usable GOST private key")
}
