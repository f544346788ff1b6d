package app

import "github.com/sep-platform/sep/internal/id"

// openID builds the identity provider; its sessions are the site's principals.
func (m *Main) openID(secure bool) error {
	var err error
	m.ID, err = id.New(id.Options{DB: m.DB, Box: m.Seal.Box, Notify: m.Notify, Journal: m.Audit, Secure: secure,
		PasswordMaxAge: m.Config.Passwords.MaxAge, Logger: m.Logger})
	return err
}
