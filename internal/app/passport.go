package app

import (
	"context"
	"database/sql"

	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/passport"
	"github.com/sep-platform/sep/internal/registry/passlist"
)

// openPassport builds the electronic passport service: its issuing certificates chain to the
// instance signing key. It follows the paper passports: after each МВД list import (a job
// enqueued in the import's transaction) and at each holder's sign-in (a registry check whose
// answer suspends the e-passport of an invalid paper passport).
func (m *Main) openPassport() error {
	var err error
	m.Passport, err = passport.New(passport.Options{DB: m.DB, Box: m.Seal.Box, Journal: m.Audit, RootKey: m.Keys.Signing,
		StatusMaxAge: m.Config.PassportStatusMaxAge, Logger: m.Logger, Notify: m.Notify, Registry: m.Registry,
		Recipient: func(ctx context.Context, accountID string) (notify.Recipient, error) {
			a, err := m.ID.Account(ctx, accountID)
			if err != nil {
				return notify.Recipient{}, err
			}
			return notify.Recipient{AccountID: a.ID, Email: a.Email, Lang: a.Lang}, nil
		}})
	if err != nil {
		return err
	}
	m.Passport.RegisterJobs(m.Jobs, invalidList{m.InvalidPassports})
	m.Registry.OnAnswer(m.Passport.PaperAnswer)
	m.ID.OnSignIn(m.Passport.CheckPaperAtSignIn)
	return nil
}

// paperRecheck is the МВД list's OnImported hook: the e-passports' paper passports are checked
// against the new list.
func (m *Main) paperRecheck(ctx context.Context, tx *sql.Tx, meta passlist.Meta) error {
	return passport.EnqueuePaperRecheck(ctx, m.Jobs, tx, meta.Version)
}
