package cryptocmd

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// The gost packages keep their OpenSSL helper in gost/internal/ossltest,
// which Go's internal rule hides from this package; this is the small part
// of it these tests need, with the same rules: skip with a notice locally,
// fail when CI=true.

// paramset pairs a gost engine parameter set with the CLI curve name.
type paramset struct{ Algorithm, Paramset, Curve, Digest string }

var paramsets = []paramset{
	{"gost2012_256", "TCA", "tc26-256-A", "-md_gost12_256"},
	{"gost2012_256", "TCB", "tc26-256-B", "-md_gost12_256"},
	{"gost2012_256", "TCC", "tc26-256-C", "-md_gost12_256"},
	{"gost2012_256", "TCD", "tc26-256-D", "-md_gost12_256"},
	{"gost2012_256", "A", "cryptopro-A", "-md_gost12_256"},
	{"gost2012_256", "B", "cryptopro-B", "-md_gost12_256"},
	{"gost2012_256", "C", "cryptopro-C", "-md_gost12_256"},
	{"gost2012_256", "XA", "cryptopro-XchA", "-md_gost12_256"},
	{"gost2012_256", "XB", "cryptopro-XchB", "-md_gost12_256"},
	{"gost2012_512", "A", "tc26-512-A", "-md_gost12_512"},
	{"gost2012_512", "B", "tc26-512-B", "-md_gost12_512"},
	{"gost2012_512", "C", "tc26-512-C", "-md_gost12_512"},
}

// openssl runs the openssl binary.
type openssl struct{ path string }

var (
	osslOnce sync.Once
	osslBin  *openssl
	osslErr  error
)

func requireOpenSSL(t *testing.T) *openssl {
	t.Helper()
	osslOnce.Do(func() {
		path, err := exec.LookPath("openssl")
		if err != nil {
			osslErr = fmt.Errorf("openssl not found in PATH")
			return
		}
		o := &openssl{path}
		if _, err := o.Run(nil, "genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:TCA"); err != nil {
			osslErr = fmt.Errorf("openssl has no working gost engine: %v", err)
			return
		}
		osslBin = o
	})
	if osslErr != nil {
		msg := fmt.Sprintf("OpenSSL gost engine unavailable (%v); install Debian packages: openssl libengine-gost-openssl", osslErr)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return osslBin
}

// Run runs openssl with args and returns standard output; a non-zero exit
// is an error carrying standard error.
func (o *openssl) Run(stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.Command(o.path, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return out.Bytes(), fmt.Errorf("%v: %s", err, strings.TrimSpace(errOut.String()))
	}
	return out.Bytes(), nil
}

// MustRun is Run that fails the test on error.
func (o *openssl) MustRun(t *testing.T, stdin []byte, args ...string) []byte {
	t.Helper()
	out, err := o.Run(stdin, args...)
	if err != nil {
		t.Fatalf("openssl %s: %v", strings.Join(args, " "), err)
	}
	return out
}
