package app

import (
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/id"
)

// openID builds the identity provider; its sessions are the site's principals.
func (m *Main) openID(secure bool) error {
	var err error
	m.ID, err = id.New(id.Options{DB: m.DB, Box: m.Seal.Box, Notify: m.Notify, Journal: m.Audit, Secure: secure,
		Logger: m.Logger, Throttle: throttle(m.Config.SignIn)})
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
