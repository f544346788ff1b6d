package app

import "github.com/sep-platform/sep/internal/id"

// openID builds the identity provider; its sessions are the site's principals.
func (m *Main) openID(secure bool) error {
	var public string
	if u := m.Config.PublicURL; u != nil && u.Host != m.Config.HTTPAddr {
		public = u.String() // set on purpose (not derived from the listening address)
	}
	var err error
	m.ID, err = id.New(id.Options{DB: m.DB, Box: m.Seal.Box, Notify: m.Notify, Journal: m.Audit, Secure: secure,
		PublicURL: public, Logger: m.Logger, SiteURL: m.URL})
	if err == nil {
		m.ID.UseRegistry(m.Registry, m.Jobs)
	}
	return err
}
