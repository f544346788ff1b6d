package app

import (
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/id"
)

// openID builds the identity provider; its sessions are the site's principals.
func (m *Main) openID(secure bool) error {
	var public string
	if u := m.Config.PublicURL; u != nil && u.Host != m.Config.HTTPAddr {
		public = u.String() // set on purpose (not derived from the listening address)
	}
	var err error
	m.ID, err = id.New(id.Options{DB: m.DB, Box: m.Seal.Box, Notify: m.Notify, Journal: m.Audit, Secure: secure,
		PublicURL: public, Logger: m.Logger, SiteURL: m.URL,
		Throttle: throttle(m.Config.SignIn), IdleTimeout: m.Config.IDIdleTimeout,
		PasswordMaxAge: m.Config.Passwords.MaxAge})
	if err == nil {
		m.ID.UseRegistry(m.Registry, m.Jobs)
	}
	return err
}

// throttle is the sign-in throttling of the settings (zero values: ID's defaults).
func throttle(c config.SignInSettings) id.Throttle {
	limits := func(rs []config.RateLimit) []id.Limit {
		if rs == nil {
			return nil
		}
		out := make([]id.Limit, len(rs))
		for i, r := range rs {
			out[i] = id.Limit{N: r.N, Per: r.Per}
		}
		return out
	}
	return id.Throttle{LockAfter: c.LockAfter, LockFor: c.LockFor, LockMax: c.LockMax, CaptchaAfter: c.CaptchaAfter,
		AddressLimits: limits(c.AddressLimits), AddressLoginLimits: limits(c.AddressLoginLimits)}
}
