package app

import (
	"path/filepath"

	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/id/provider"
)

// openProvider builds ID as an ЕСИА provider: GOST tokens signed with the instance signing
// key, RS256 ones with the provider's RSA key (generated in demo mode like the signing key).
func (m *Main) openProvider() error {
	cfg := m.Config
	path, explicit := cfg.Provider.RSAKeyFile, cfg.Provider.RSAKeyFile != ""
	if !explicit {
		path = filepath.Join(cfg.DataDir, "keys", "provider-rsa.pem")
	}
	rk, err := provider.LoadRSAKey(path, !explicit && cfg.Demo())
	if err != nil && explicit {
		return &config.Error{Setting: "SEP_ESIA_RSA_KEY_FILE", Value: path, Reason: err.Error()}
	}
	if err != nil {
		m.Logger.Warn("no RSA key for RS256 tokens; systems registered with RS256 cannot sign in", "err", err)
		rk = nil
	}
	m.Provider, err = provider.New(provider.Options{DB: m.DB, ID: m.ID, Journal: m.Audit, GOSTKey: m.Keys.Signing, RSAKey: rk,
		Issuer: cfg.Provider.Issuer, Skew: cfg.Provider.Skew, BaseURL: m.URL, Logger: m.Logger})
	return err
}
