package id

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/id/password"
)

// DemoUser is a fictitious account that demo mode makes on an empty database, so that every
// journey can be tried at once: a citizen at each level, an operator, an administrator and an
// auditor.
type DemoUser struct {
	Role         Role
	Level        Level
	Phone, Email string
	Profile      Profile // a citizen's personal data (the registry simulator knows it)
	// ID and Password are set by SeedDemo: the password is generated, shown once at the
	// start, and kept only as a hash.
	ID, Password string
}

// DemoOutcome says what SeedDemo did.
type DemoOutcome int

// The outcomes.
const (
	DemoCreated DemoOutcome = iota // the demo users were made now
	DemoExist                      // they were made at an earlier start
	DemoSkipped                    // the database has other accounts: none were made
)

// actorDemo journals what demo seeding does.
var actorDemo = Actor{Kind: audit.ActorSystem, ID: "demo"}

// SeedDemo makes the users, each with a generated password, if the database has no account
// yet; all or none, in one transaction. The levels are set directly (the profile is what the
// registry simulator confirms). Run again, it makes nothing: DemoExist if one of the users is
// there (from an earlier start, or another instance starting at the same moment), else
// DemoSkipped.
func (s *Service) SeedDemo(ctx context.Context, users []DemoUser) (DemoOutcome, error) {
	if len(users) == 0 {
		return DemoSkipped, nil
	}
	exist := func() (DemoOutcome, error) {
		for _, u := range users {
			if _, err := s.AccountByLogin(ctx, nil, u.Phone); err == nil {
				return DemoExist, nil
			} else if !errors.Is(err, ErrNoAccount) {
				return 0, err
			}
		}
		return DemoSkipped, nil
	}
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM id_accounts LIMIT 1) a`).Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return exist()
	}
	hashes := make([]string, len(users))
	for i := range users {
		u := &users[i]
		u.Password = NewPassword(password.Facts{Phone: u.Phone, Email: u.Email})
		var err error
		if hashes[i], err = s.hasher.Hash(ctx, u.Password); err != nil {
			return 0, err
		}
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for i := range users {
			u := &users[i]
			n := NewAccount{Role: u.Role, Phone: u.Phone, Email: u.Email, Lang: "ru", PasswordHash: hashes[i]}
			if u.Role == Citizen {
				n.ConsentVersion = ConsentVersion
			}
			a, err := s.createAccount(ctx, tx, n)
			if err != nil {
				return err
			}
			u.ID = a.ID
			if u.Profile != (Profile{}) {
				if err := s.SaveProfile(ctx, tx, a.ID, u.Profile); err != nil {
					return fmt.Errorf("id: the profile of demo user %s: %w", u.Email, err)
				}
			}
			if u.Level != "" && u.Level != Simplified {
				if _, err := tx.ExecContext(ctx, `UPDATE id_accounts SET level = $2 WHERE id = $1`, a.ID, string(u.Level)); err != nil {
					return err
				}
			}
			action := ActionRegistered
			if u.Role.Staff() {
				action = ActionStaffCreated
			}
			if err := s.recordBy(ctx, tx, nil, actorDemo, action, a.ID, map[string]string{"role": string(u.Role),
				"level": string(u.Level)}); err != nil {
				return err
			}
		}
		return nil
	})
	if errs.IDOf(err) == "id.contact_taken" {
		return exist() // another instance made them a moment ago
	}
	if err != nil {
		return 0, err
	}
	return DemoCreated, nil
}
