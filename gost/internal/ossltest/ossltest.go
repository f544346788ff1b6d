// Package ossltest runs OpenSSL with the gost engine (Debian package
// libengine-gost-openssl) as an independent witness in tests.
//
// When the engine is missing, tests skip with a notice on a developer's
// machine and fail when the environment variable CI is "true", so a CI image
// without the package cannot silently pass.
package ossltest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Package names the project test command must install for these tests.
const Package = "openssl libengine-gost-openssl"

// engineConf loads the gost engine for every OpenSSL command, including the
// ones without an -engine flag (openssl crl).
const engineConf = `openssl_conf = openssl_def
[openssl_def]
engines = engines
[engines]
gost = gost_conf
[gost_conf]
default_algorithms = ALL
`

// OpenSSL is an openssl binary known to have a working gost engine.
type OpenSSL struct {
	// Path is the openssl executable.
	Path string
	// Conf is a configuration file that loads the gost engine; Run passes it
	// as OPENSSL_CONF.
	Conf string
}

var (
	once    sync.Once
	found   *OpenSSL
	findErr error
)

// Find looks for openssl with the gost engine once per test binary.
func Find() (*OpenSSL, error) {
	once.Do(func() { found, findErr = find() })
	return found, findErr
}

func find() (*OpenSSL, error) {
	path, err := exec.LookPath("openssl")
	if err != nil {
		return nil, fmt.Errorf("openssl not found in PATH")
	}
	conf, err := writeConf()
	if err != nil {
		return nil, err
	}
	o := &OpenSSL{Path: path, Conf: conf}
	// A digest through the engine proves the engine loads; a key generation
	// proves the signature algorithms are there.
	out, err := o.Run(nil, "dgst", "-engine", "gost", "-md_gost12_256")
	if err != nil {
		return nil, fmt.Errorf("openssl has no working gost engine: %v: %s", err, firstLine(out))
	}
	if out, err := o.Run(nil, "genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:TCA"); err != nil {
		return nil, fmt.Errorf("gost engine cannot generate keys: %v: %s", err, firstLine(out))
	}
	return o, nil
}

// Require returns the openssl with the gost engine, or skips the test with a
// notice; with CI=true a missing engine fails the test instead.
func Require(t testing.TB) *OpenSSL {
	t.Helper()
	o, err := Find()
	if err == nil {
		return o
	}
	msg := fmt.Sprintf("OpenSSL gost engine unavailable (%v); install Debian packages: %s", err, Package)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return nil
}

// MustRun is Run that fails the test on error.
func (o *OpenSSL) MustRun(t testing.TB, stdin []byte, args ...string) []byte {
	t.Helper()
	out, err := o.Run(stdin, args...)
	if err != nil {
		t.Fatalf("openssl %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// Run runs openssl with args (the engine config in OPENSSL_CONF) and returns
// its standard output; a non-zero exit is an error carrying standard error.
func (o *OpenSSL) Run(stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.Command(o.Path, args...)
	cmd.Env = append(os.Environ(), "OPENSSL_CONF="+o.Conf)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// writeConf puts the engine configuration at one fixed path in the temporary
// directory, so test runs reuse one small file instead of leaving one each.
// The file is written to a private name and renamed, so concurrent test
// binaries never read half a file.
func writeConf() (string, error) {
	conf := filepath.Join(os.TempDir(), "sep-ossltest-gost-engine.cnf")
	if b, err := os.ReadFile(conf); err == nil && string(b) == engineConf {
		return conf, nil
	}
	f, err := os.CreateTemp(os.TempDir(), "sep-ossltest-*.cnf")
	if err != nil {
		return "", err
	}
	_, werr := f.WriteString(engineConf)
	cerr := f.Close()
	if werr != nil || cerr != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write engine config: %v %v", werr, cerr)
	}
	if err := os.Rename(f.Name(), conf); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return conf, nil
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
