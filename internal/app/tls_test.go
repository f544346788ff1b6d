package app

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db/dbtest"
)

// selfSigned writes a certificate for 127.0.0.1 and its key, as an operator's files.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}), 0o600)
	return certFile, keyFile
}

// handshake connects with a client that speaks only version and reports the handshake error.
func handshake(t *testing.T, m *Main, version uint16) error {
	t.Helper()
	addr := strings.TrimPrefix(m.URL(), "https://")
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr,
		&tls.Config{MinVersion: version, MaxVersion: version, InsecureSkipVerify: true}) // a self-signed test certificate
	if err != nil {
		return err
	}
	defer conn.Close()
	if got := conn.ConnectionState().Version; got != version {
		t.Fatalf("negotiated %x, asked for %x", got, version)
	}
	return nil
}

func TestTLSMinimumVersion(t *testing.T) {
	cert, key := selfSigned(t)
	for _, c := range []struct {
		setting string
		tls12   bool
	}{{"", true}, {"1.2", true}, {"1.3", false}} {
		extra := []string{"SEP_TLS_CERT_FILE", cert, "SEP_TLS_KEY_FILE", key}
		if c.setting != "" {
			extra = append(extra, "SEP_TLS_MIN_VERSION", c.setting)
		}
		m := open(t, testConfig(t, dbtest.SQLiteURL(t), extra...), nil)
		if !strings.HasPrefix(m.URL(), "https://127.0.0.1:") {
			t.Fatalf("URL %s", m.URL())
		}
		if err := handshake(t, m, tls.VersionTLS13); err != nil {
			t.Errorf("SEP_TLS_MIN_VERSION=%q: TLS 1.3 refused: %v", c.setting, err)
		}
		err := handshake(t, m, tls.VersionTLS12)
		if c.tls12 && err != nil {
			t.Errorf("SEP_TLS_MIN_VERSION=%q: TLS 1.2 refused: %v", c.setting, err)
		}
		if !c.tls12 && err == nil {
			t.Errorf("SEP_TLS_MIN_VERSION=%q: a TLS 1.2 client got in", c.setting)
		}
	}
}
