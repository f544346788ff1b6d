package app

import "github.com/sep-platform/sep/internal/passport"

// openPassport builds the electronic passport service: its issuing certificates chain to the
// instance signing key.
func (m *Main) openPassport() error {
	var err error
	m.Passport, err = passport.New(passport.Options{DB: m.DB, Box: m.Seal.Box, Journal: m.Audit, RootKey: m.Keys.Signing,
		StatusMaxAge: m.Config.PassportStatusMaxAge, Logger: m.Logger})
	return err
}
