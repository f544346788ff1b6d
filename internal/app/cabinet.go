package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sep-platform/sep/esia"
	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/internal/cabinet"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/id/provider"
	"github.com/sep-platform/sep/internal/keys"
)

// openCabinet builds the cabinet; it signs nobody in until startCabinet gives it its ЕСИА client.
func (m *Main) openCabinet(secure bool) {
	m.Cabinet = cabinet.New(cabinet.Options{DB: m.DB, Box: m.Seal.Box, Journal: m.Audit, Secure: secure, SiteURL: m.URL,
		Logger: m.Logger})
}

// startCabinet gives the cabinet its ЕСИА client once the instance listens (its address is the
// redirect URI): the real ЕСИА of SEP_ESIA_URL, or this instance's own ID, where the cabinet
// registers itself as a system at the first start.
func (m *Main) startCabinet(ctx context.Context) error {
	cc := m.Config.Cabinet
	base := strings.TrimRight(m.URL(), "/")
	cfg := esia.Config{ClientID: cc.Mnemonic, RedirectURI: base + "/cabinet/callback", Scopes: cabinet.Scopes, Issuer: cc.Issuer}
	var err error
	if cc.External() {
		cfg.BaseURL = cc.URL
		err = m.externalESIA(&cfg)
	} else {
		cfg.BaseURL = base
		cfg.Issuer = m.Config.Provider.Issuer
		if err = m.ownESIA(ctx, &cfg, base); err != nil {
			// The instance runs without the cabinet's sign-in rather than not at all (its
			// database may be waiting for migrations): the cabinet says it is unavailable.
			m.Logger.Error("cabinet: not registered with ID; «Войти через Госуслуги» is unavailable", "err", err)
			return nil
		}
	}
	if err != nil {
		return err
	}
	if cfg.Certificate == nil {
		return nil // registered otherwise: logged by ownESIA
	}
	c, err := esia.New(cfg)
	if err != nil {
		return fmt.Errorf("cabinet: %w", err)
	}
	m.Cabinet.UseClient(c)
	return nil
}

// externalESIA reads the system's certificate, its signer and ЕСИА's certificates.
func (m *Main) externalESIA(cfg *esia.Config) error {
	cc := m.Config.Cabinet
	if cc.CertFile == "" {
		return &config.Error{Setting: "SEP_ESIA_CERT_FILE", Reason: "required with SEP_ESIA_URL: the certificate registered for the mnemonic"}
	}
	var err error
	if cfg.Certificate, err = os.ReadFile(cc.CertFile); err != nil {
		return &config.Error{Setting: "SEP_ESIA_CERT_FILE", Value: cc.CertFile, Reason: err.Error()}
	}
	switch {
	case cc.KeyFile != "" && cc.Signer != "":
		return &config.Error{Setting: "SEP_ESIA_SIGNER", Value: cc.Signer, Reason: "give SEP_ESIA_KEY_FILE or SEP_ESIA_SIGNER, not both"}
	case cc.KeyFile != "":
		b, err := os.ReadFile(cc.KeyFile)
		if err != nil {
			return &config.Error{Setting: "SEP_ESIA_KEY_FILE", Value: cc.KeyFile, Reason: err.Error()}
		}
		if cfg.Signer, err = esia.LoadKeySigner(b, nil); err != nil {
			return &config.Error{Setting: "SEP_ESIA_KEY_FILE", Value: cc.KeyFile, Reason: err.Error()}
		}
	case strings.HasPrefix(cc.Signer, "http://") || strings.HasPrefix(cc.Signer, "https://"):
		cfg.Signer = &esia.HTTPSigner{URL: cc.Signer}
	case cc.Signer != "":
		f := strings.Fields(cc.Signer)
		cfg.Signer = &esia.CommandSigner{Path: f[0], Args: f[1:], Reverse: cc.SignerReverse}
	default:
		return &config.Error{Setting: "SEP_ESIA_KEY_FILE", Reason: "required with SEP_ESIA_URL (or SEP_ESIA_SIGNER): what signs client_secret"}
	}
	if len(cc.ProviderCertFiles) == 0 {
		return &config.Error{Setting: "SEP_ESIA_PROVIDER_CERT_FILES", Reason: "required with SEP_ESIA_URL: ЕСИА's certificates verify its tokens"}
	}
	for _, f := range cc.ProviderCertFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			return &config.Error{Setting: "SEP_ESIA_PROVIDER_CERT_FILES", Value: f, Reason: err.Error()}
		}
		cfg.ProviderCertificates = append(cfg.ProviderCertificates, b)
	}
	return nil
}

// ownESIA signs the cabinet in through this instance's ID: with the instance signing key (or,
// when that is not a 256-bit key, a key of its own in the data directory), registered with
// the provider under the mnemonic with a self-signed certificate.
func (m *Main) ownESIA(ctx context.Context, cfg *esia.Config, base string) error {
	key, err := m.cabinetKey()
	if err != nil {
		return err
	}
	if cfg.Signer, err = esia.NewKeySigner(key); err != nil {
		return err
	}
	pub, err := gostpkix.EncodePublicKeyPEM(m.Keys.Signing.PublicKey())
	if err != nil {
		return err
	}
	cfg.ProviderCertificates = [][]byte{pub}
	redirects := []string{cfg.RedirectURI, base + "/cabinet/signedout"}
	c, err := m.Provider.ClientByMnemonic(ctx, cfg.ClientID)
	switch {
	case err == nil:
		if c.Disabled() || !c.Cert.PublicKey.Equal(key.PublicKey()) || !slices.Equal(c.RedirectURIs, redirects) {
			// Registered otherwise (another address or key, or disabled): the operator decides.
			m.Logger.Error("cabinet: the system registered with ID under the mnemonic differs from this instance's cabinet; «Войти через Госуслуги» is unavailable",
				"mnemonic", cfg.ClientID)
			return nil // no Certificate: no client
		}
		cfg.Certificate = c.Cert.Raw
		return nil
	case errs.KindOf(err) != errs.NotFound:
		return err
	}
	name, err := gostx509.ParseName("CN=" + cfg.ClientID + ",O=SEP")
	if err != nil {
		return err
	}
	now := time.Now()
	der, err := gostx509.CreateCertificate(nil, &gostx509.Template{Subject: name, NotBefore: now.Add(-time.Hour),
		NotAfter: now.AddDate(10, 0, 0)}, nil, key.PublicKey(), key)
	if err != nil {
		return fmt.Errorf("cabinet: certificate: %w", err)
	}
	if _, err := m.Provider.RegisterClient(ctx, provider.NewClient{Mnemonic: cfg.ClientID, CertDER: der, RedirectURIs: redirects,
		Scopes: cabinet.Scopes}); err != nil {
		return fmt.Errorf("cabinet: register with ID: %w", err)
	}
	cfg.Certificate = der
	return nil
}

// cabinetKey is the instance signing key when it is 256-bit, else DATA_DIR/keys/cabinet-esia.pem
// (made at the first start).
func (m *Main) cabinetKey() (*gost3410.PrivateKey, error) {
	if k := m.Keys.Signing; k.Curve().PointSize == 32 {
		return k, nil
	}
	path := filepath.Join(m.Config.DataDir, "keys", "cabinet-esia.pem")
	if b, err := os.ReadFile(path); err == nil {
		return gostpkix.ParsePrivateKeyPEM(b)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	c, err := gost3410.CurveByName(keys.Curve)
	if err != nil {
		return nil, err
	}
	k, err := gost3410.GenerateKey(c, nil)
	if err != nil {
		return nil, err
	}
	b, err := gostpkix.EncodePrivateKeyPEM(k)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	return k, os.WriteFile(path, b, 0o600)
}
