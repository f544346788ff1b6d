package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/cryptocmd"
	"github.com/sep-platform/sep/internal/seal"
)

func TestDemoKeysAreGeneratedOnceAndReused(t *testing.T) {
	dir := t.TempDir()
	k1, err := Load(Options{DataDir: dir, Generate: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(k1.Generated, ",") != "signing,data" {
		t.Fatalf("first start generated %v, want signing and data", k1.Generated)
	}
	if k1.Signing.Curve().Name != Curve {
		t.Fatalf("generated key on %s, want %s", k1.Signing.Curve().Name, Curve)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "keys", "data.key"))
	if key, err := hex.DecodeString(strings.TrimSpace(string(raw))); err != nil || len(key) != seal.KeySize ||
		bytes.Equal(key, make([]byte, seal.KeySize)) {
		t.Fatalf("the generated data key file is not 32 random bytes in hex, as openssl rand -hex 32 writes")
	}
	if len(k1.Data.IDs()) != 1 {
		t.Fatalf("a generated ring holds %d keys, want 1", len(k1.Data.IDs()))
	}
	for _, f := range []string{"keys/signing.pem", "keys/data.key"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, st.Mode().Perm())
		}
	}
	if st, _ := os.Stat(filepath.Join(dir, "keys")); st.Mode().Perm() != 0o700 {
		t.Errorf("keys directory has mode %v, want 0700", st.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "keys", ".*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}

	k2, err := Load(Options{DataDir: dir, Generate: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(k2.Generated) != 0 {
		t.Errorf("second start generated %v again", k2.Generated)
	}
	if !k2.Signing.Equal(k1.Signing) || k2.SigningID != k1.SigningID || k2.Data.Current() != k1.Data.Current() {
		t.Error("the second start did not reuse the keys of the first")
	}
	if strings.Contains(string(raw), k1.Data.Current().String()) {
		t.Error("the data key id reveals key bytes")
	}
}

func TestKeyIDIsStreebogOfTheSubjectPublicKeyInfo(t *testing.T) {
	k, err := Load(Options{DataDir: t.TempDir(), Generate: true})
	if err != nil {
		t.Fatal(err)
	}
	// The public key as another tool would export it: PEM SPKI, decoded with encoding/pem.
	p, err := gostpkix.EncodePublicKeyPEM(k.Signing.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(p)
	sum := streebog.Sum256(block.Bytes)
	if want := hex.EncodeToString(sum[:8]); k.SigningID != want || len(k.SigningID) != 16 {
		t.Fatalf("key id %s, want %s", k.SigningID, want)
	}
}

func TestKeysFromFilesWrittenBySepCrypto(t *testing.T) {
	dir := t.TempDir()
	signing := filepath.Join(dir, "instance.pem")
	if code := cryptocmd.Main([]string{"keygen", "-curve", "tc26-512-A", "-out", signing}, nil, io.Discard, io.Discard); code != 0 {
		t.Fatalf("sep crypto keygen exit %d", code)
	}
	data := filepath.Join(dir, "data.hex")
	raw := make([]byte, 32)
	rand.Read(raw)
	os.WriteFile(data, []byte(hex.EncodeToString(raw)+"\r\n"), 0o600)

	k, err := Load(Options{SigningKeyFile: signing, DataKeyFile: data, DataDir: filepath.Join(dir, "var"), Generate: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Generated) != 0 {
		t.Errorf("generated %v although both files were given", k.Generated)
	}
	want, _ := seal.NewRing(0, raw)
	if k.Signing.Curve().Name != "tc26-512-A" || k.Data.Current() != want.Current() {
		t.Error("the keys read are not the ones in the files")
	}
	if _, err := os.Stat(filepath.Join(dir, "var", "keys")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a key was written to the data directory although files were given")
	}
}

func TestBadKeyFilesNameTheSetting(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		return p
	}
	good := filepath.Join(dir, "good.pem")
	cryptocmd.Main([]string{"keygen", "-curve", "tc26-256-A", "-out", good}, nil, io.Discard, io.Discard)
	goodData := write("good.key", strings.Repeat("ab", 32))

	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(ec)
	ecPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))

	cases := []struct {
		name, signing, data, setting, reason string
	}{
		{"signing missing", filepath.Join(dir, "nope.pem"), goodData, "SEP_SIGNING_KEY_FILE", "does not exist"},
		{"signing garbage", write("junk.pem", "hello"), goodData, "SEP_SIGNING_KEY_FILE", "not a GOST R 34.10-2012"},
		{"signing ECDSA", write("ec.pem", ecPEM), goodData, "SEP_SIGNING_KEY_FILE", "not a GOST R 34.10-2012"},
		{"signing is a directory", dir, goodData, "SEP_SIGNING_KEY_FILE", "cannot be read"},
		{"data missing", good, filepath.Join(dir, "nope.key"), "SEP_DATA_KEY_FILE", "does not exist"},
		{"data short", good, write("short.key", "abcd"), "SEP_DATA_KEY_FILE", "64 hex digits"},
		{"data not hex", good, write("nothex.key", strings.Repeat("zz", 32)), "SEP_DATA_KEY_FILE", "64 hex digits"},
		{"data raw bytes", good, write("raw.key", strings.Repeat("\x01", 32)), "SEP_DATA_KEY_FILE", "64 hex digits"},
		{"data ring without current", good, write("two.key", strings.Repeat("ab", 32)+"\n"+strings.Repeat("cd", 32)+"\n"),
			"SEP_DATA_KEY_FILE", "none is marked current"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(Options{SigningKeyFile: c.signing, DataKeyFile: c.data, DataDir: t.TempDir(), Generate: true})
			var ce *config.Error
			if !errors.As(err, &ce) || ce.Setting != c.setting || !strings.Contains(ce.Reason, c.reason) {
				t.Fatalf("error %v; want a config.Error for %s saying %q", err, c.setting, c.reason)
			}
		})
	}
}

func TestCorruptGeneratedKeyIsNotReplaced(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(Options{DataDir: dir, Generate: true}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "keys", "signing.pem")
	os.WriteFile(path, []byte("damaged"), 0o600)
	_, err := Load(Options{DataDir: dir, Generate: true})
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Setting != "SEP_SIGNING_KEY_FILE" || !strings.Contains(ce.Reason, "data directory") {
		t.Fatalf("error %v; want a config.Error for SEP_SIGNING_KEY_FILE pointing at the data directory", err)
	}
	if errors.Is(err, ErrNoKey) {
		t.Error("a damaged key is reported as a missing one")
	}
	if b, _ := os.ReadFile(path); string(b) != "damaged" {
		t.Error("a damaged key was silently replaced by a new one")
	}
}

func TestToolsNeverGenerateKeys(t *testing.T) {
	dir := t.TempDir()
	_, _, err := LoadSigning(Options{DataDir: dir})
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Setting != "SEP_SIGNING_KEY_FILE" || !errors.Is(err, ErrNoKey) {
		t.Fatalf("error %v; want a config.Error for SEP_SIGNING_KEY_FILE wrapping ErrNoKey", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "keys")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a tool created a key")
	}
}

func TestInstancesStartingTogetherShareOneKey(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	ids := make([]string, n)
	generated := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			k, err := Load(Options{DataDir: dir, Generate: true})
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = k.SigningID + "/" + k.Data.Current().String()
			generated[i] = len(k.Generated)
		})
	}
	wg.Wait()
	total := 0
	for i := range n {
		if ids[i] != ids[0] {
			t.Fatalf("instances got different keys: %v", ids)
		}
		total += generated[i]
	}
	if total != 2 {
		t.Errorf("%d generations reported, want exactly 2 (one signing, one data key)", total)
	}
}

func TestSignatureWithLoadedKeyVerifies(t *testing.T) {
	k, err := Load(Options{DataDir: t.TempDir(), Generate: true})
	if err != nil {
		t.Fatal(err)
	}
	d := streebog.Sum256([]byte("checkpoint"))
	sig, err := k.Signing.Sign(rand.Reader, d[:], nil)
	if err != nil {
		t.Fatal(err)
	}
	if !gost3410.VerifyDigest(k.Signing.PublicKey(), d[:], sig) {
		t.Fatal("signature by the loaded key does not verify")
	}
}

// The web-push key: generated once in the data directory when allowed and reused; a missing
// key without leave to generate is ErrNoKey; a file that is not a P-256 key names the setting.
func TestLoadVAPID(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := LoadVAPID(Options{DataDir: dir}, ""); !errors.Is(err, ErrNoKey) {
		t.Fatalf("no key, no generation: %v", err)
	}
	k, gen, err := LoadVAPID(Options{DataDir: dir, Generate: true}, "")
	if err != nil || !gen {
		t.Fatalf("generate: %v, %v", gen, err)
	}
	again, gen, err := LoadVAPID(Options{DataDir: dir, Generate: true}, "")
	if err != nil || gen || !again.Equal(k) {
		t.Fatalf("reload: generated %v, same %v, %v", gen, again.Equal(k), err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "keys", "vapid.pem")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the key file: %v %v", fi, err)
	}
	bad := filepath.Join(dir, "bad.pem")
	os.WriteFile(bad, []byte("not a key"), 0o600)
	var ce *config.Error
	if _, _, err := LoadVAPID(Options{DataDir: dir}, bad); !errors.As(err, &ce) || ce.Setting != "SEP_VAPID_KEY_FILE" {
		t.Fatalf("a bad file: %v", err)
	}
	if _, _, err := LoadVAPID(Options{DataDir: dir, Generate: true}, filepath.Join(dir, "missing.pem")); err == nil {
		t.Fatal("an explicit missing file was generated")
	}
}
