// Package keys loads the instance keys of sep: the GOST R 34.10-2012 signing key (it signs the
// audit journal's checkpoints, and later the documents sep issues) and the data key ring (the
// keys that seal personal data at rest, see package internal/seal).
//
// In production both come from files named by settings: SEP_SIGNING_KEY_FILE, a PKCS#8 PEM key
// as `sep crypto keygen` writes it, and SEP_DATA_KEY_FILE, the key ring in the format package
// seal documents (one key of 64 hex digits is a ring of one). In demo mode a key whose setting
// is unset is generated on first start in DATA_DIR/keys/ (signing.pem, data.key; mode 0600 in
// a 0700 directory) and reused on later starts. Generation is atomic and exclusive (written to
// a temporary file, then hard-linked into place), so two instances starting on one data
// directory end up with the same key.
//
// A key has an id that can be published and logged: the first 8 bytes, in hex, of the
// Streebog-256 digest of the public key's SubjectPublicKeyInfo DER (signing key), or the data
// key's seal.KeyID. The data keys' values are never logged or journaled.
//
// Every failure to read or parse a key file wraps a *config.Error naming the setting, so start-up
// stops with exit status 2 and one line saying what to fix; a key that does not exist and may
// not be generated also wraps ErrNoKey.
package keys

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/atomicfile"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/seal"
)

// Curve is the parameter set of generated signing keys: tc26-256-A, which signs Streebog-256
// digests. Loaded keys may be on any GOST R 34.10-2012 parameter set.
const Curve = "tc26-256-A"

// Purposes of keys, as journaled.
const (
	Signing = "signing"
	Data    = "data"
)

// Options say where the keys are.
type Options struct {
	SigningKeyFile string // SEP_SIGNING_KEY_FILE; empty: DataDir/keys/signing.pem
	DataKeyFile    string // SEP_DATA_KEY_FILE; empty: DataDir/keys/data.key (see DataKeyPath)
	DataDir        string
	// Generate allows creating a missing key in DataDir (demo mode at start-up). Without it a
	// missing key is an error; tools such as `sep audit verify` never create keys.
	Generate bool
}

// Keys are the loaded instance keys.
type Keys struct {
	Signing   *gost3410.PrivateKey
	SigningID string
	Data      *seal.Ring // the data key ring; Data.Current() seals new values
	// Generated lists the purposes (Signing, Data) of keys created by this Load.
	Generated []string
}

// ErrNoKey is wrapped by errors about a key that does not exist and may not be generated.
var ErrNoKey = errors.New("no key")

// Load reads both keys, generating missing ones when allowed.
func Load(opt Options) (*Keys, error) {
	k := &Keys{}
	sk, gen, err := LoadSigning(opt)
	if err != nil {
		return nil, err
	}
	k.Signing = sk
	if k.SigningID, err = ID(sk.PublicKey()); err != nil {
		return nil, err
	}
	if gen {
		k.Generated = append(k.Generated, Signing)
	}
	if k.Data, gen, err = loadData(opt, opt.Generate); err != nil {
		return nil, err
	}
	if gen {
		k.Generated = append(k.Generated, Data)
	}
	return k, nil
}

// LoadSigning reads the signing key (generating it if allowed and missing) and reports whether
// it was generated.
func LoadSigning(opt Options) (*gost3410.PrivateKey, bool, error) {
	path, setting, explicit := opt.SigningKeyFile, "SEP_SIGNING_KEY_FILE", opt.SigningKeyFile != ""
	if !explicit {
		path = filepath.Join(opt.DataDir, "keys", "signing.pem")
	}
	generate := func() ([]byte, error) {
		c, err := gost3410.CurveByName(Curve)
		if err != nil {
			return nil, err
		}
		key, err := gost3410.GenerateKey(c, rand.Reader)
		if err != nil {
			return nil, err
		}
		return gostpkix.EncodePrivateKeyPEM(key)
	}
	data, gen, err := readOrCreate(path, !explicit && opt.Generate, generate)
	if err != nil {
		return nil, false, fileError(setting, path, explicit, err)
	}
	key, err := gostpkix.ParsePrivateKeyPEM(data)
	if err != nil {
		return nil, false, fileError(setting, path, explicit,
			fmt.Errorf("not a GOST R 34.10-2012 PKCS#8 PEM key (as sep crypto keygen writes): %v", err))
	}
	return key, gen, nil
}

// DataKeyPath returns the key ring file: SEP_DATA_KEY_FILE, or the one in the data directory.
func DataKeyPath(opt Options) string {
	if opt.DataKeyFile != "" {
		return opt.DataKeyFile
	}
	return filepath.Join(opt.DataDir, "keys", "data.key")
}

// LoadData reads the data key ring alone (generating it only if opt.Generate allows): for
// tools, and for reloading the ring of a running instance after `sep keys rotate-data-key`
// changed the file.
func LoadData(opt Options) (*seal.Ring, error) {
	r, _, err := loadData(opt, opt.Generate)
	return r, err
}

func loadData(opt Options, generate bool) (*seal.Ring, bool, error) {
	path, setting, explicit := DataKeyPath(opt), "SEP_DATA_KEY_FILE", opt.DataKeyFile != ""
	newKey := func() ([]byte, error) {
		b := make([]byte, seal.KeySize)
		rand.Read(b)
		return []byte(hex.EncodeToString(b) + "\n"), nil
	}
	data, gen, err := readOrCreate(path, !explicit && generate, newKey)
	if err != nil {
		return nil, false, fileError(setting, path, explicit, err)
	}
	ring, err := seal.ParseRing(data)
	if err != nil {
		return nil, false, fileError(setting, path, explicit, fmt.Errorf("not a data key ring: %v", err))
	}
	return ring, gen, nil
}

// WriteData replaces the data key ring file with ring, atomically (readers see the old file or
// the new, never a part), keeping it readable by sep's user only.
func WriteData(opt Options, ring *seal.Ring) error {
	path := DataKeyPath(opt)
	if err := atomicfile.Write(path, ring.Marshal(), 0o600); err != nil {
		return fileError("SEP_DATA_KEY_FILE", path, opt.DataKeyFile != "", err)
	}
	return nil
}

// readOrCreate reads path; if it does not exist and create is true, it writes the bytes
// generate returns, exclusively: a racing instance that created the file first wins, and both read
// its key.
func readOrCreate(path string, create bool, generate func() ([]byte, error)) ([]byte, bool, error) {
	data, err := os.ReadFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return data, false, err
	}
	if !create {
		return nil, false, ErrNoKey
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, err
	}
	content, err := generate()
	if err != nil {
		return nil, false, err
	}
	if err := atomicfile.WriteNew(path, content, 0o600); err != nil {
		if errors.Is(err, fs.ErrExist) {
			data, err := os.ReadFile(path)
			return data, false, err
		}
		return nil, false, err
	}
	return content, true, nil
}

func fileError(setting, path string, explicit bool, err error) error {
	reason := err.Error()
	var pe *fs.PathError
	switch {
	case errors.Is(err, ErrNoKey) && explicit:
		reason = "the key file does not exist"
	case errors.Is(err, ErrNoKey):
		reason = setting + " is unset and the data directory holds no key"
	case errors.Is(err, fs.ErrPermission):
		reason = "the key file cannot be read (permission denied)"
	case errors.As(err, &pe):
		reason = "the key file cannot be read: " + pe.Err.Error()
	}
	if !explicit && !errors.Is(err, ErrNoKey) {
		reason += " (this key file was generated in the data directory; set " + setting + " or remove the file)"
	}
	return &fileErr{config: &config.Error{Setting: setting, Value: path, Reason: reason}, cause: err}
}

// fileErr is a *config.Error (for errors.As: start-up exits with status 2) that keeps its
// cause (for errors.Is: a tool can tell a missing key, ErrNoKey, from a bad one).
type fileErr struct {
	config *config.Error
	cause  error
}

func (e *fileErr) Error() string   { return e.config.Error() }
func (e *fileErr) Unwrap() []error { return []error{e.config, e.cause} }

// ID returns the id of a signing key: hex of the first 8 bytes of Streebog-256 of its
// SubjectPublicKeyInfo DER.
func ID(pub *gost3410.PublicKey) (string, error) {
	der, err := gostpkix.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", err
	}
	sum := streebog.Sum256(der)
	return hex.EncodeToString(sum[:8]), nil
}

// VAPID is the purpose of the web-push key, as journaled.
const VAPID = "vapid"

// LoadVAPID reads the web-push (VAPID, RFC 8292) key — a P-256 key in a PKCS#8 PEM file named
// by SEP_VAPID_KEY_FILE (file), else DATA_DIR/keys/vapid.pem — generating the latter when
// opt.Generate allows, and reports whether it was generated. Without the file and without
// leave to generate it wraps ErrNoKey: the instance has no web push.
func LoadVAPID(opt Options, file string) (*ecdsa.PrivateKey, bool, error) {
	path, setting, explicit := file, "SEP_VAPID_KEY_FILE", file != ""
	if !explicit {
		path = filepath.Join(opt.DataDir, "keys", "vapid.pem")
	}
	generate := func() ([]byte, error) {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
	}
	data, gen, err := readOrCreate(path, !explicit && opt.Generate, generate)
	if err != nil {
		return nil, false, fileError(setting, path, explicit, err)
	}
	notKey := fileError(setting, path, explicit, errors.New("not a P-256 PKCS#8 PEM key"))
	b, _ := pem.Decode(data)
	if b == nil {
		return nil, false, notKey
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, false, notKey
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, false, notKey
	}
	return ek, gen, nil
}
