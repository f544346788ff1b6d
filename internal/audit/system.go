package audit

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/db"
)

// Actions journaled by sep itself and by this package. Their readable names are the catalog
// messages "audit.action.<code>".
const (
	ActionStart           = "system.start"
	ActionStop            = "system.stop"
	ActionMigration       = "db.migration_applied"
	ActionKeyGenerated    = "key.generated"
	ActionKeyRegistered   = "key.registered"
	ActionKeyRotated      = "key.rotated"
	ActionSettingsChanged = "settings.changed"
	ActionExport          = "audit.export"
	ActionView            = "audit.view"
)

// Token turns s into something Append accepts as a detail value: s itself when it is one
// (see the package documentation), else a code made from it — letters lower-cased, other
// characters and the digits beyond a code's limits turned into '_', cut to a code's length.
// It is for values such as version strings and migration names that are codes but not
// checked as such where they come from; never use it on personal data, which it garbles
// rather than hides.
func Token(s string) string {
	if s == "" || safeDetail("value", s) {
		return s
	}
	b := make([]byte, 0, min(len(s), maxCode))
	run, digits, letter := 0, 0, false
	for i := 0; i < len(s) && len(b) < maxCode; i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
			fallthrough
		case 'a' <= c && c <= 'z':
			letter = true
			run = 0
		case '0' <= c && c <= '9' && run < maxDigitRun && digits < maxDigits:
			run++
			digits++
		case c == '.' || c == '-' || c == '_':
			run = 0
		default:
			c = '_'
			run = 0
		}
		b = append(b, c)
	}
	if !letter {
		b = append([]byte{'x'}, b[:min(len(b), maxCode-1)]...)
	} else if b[0] == '.' || b[0] == '-' || b[0] == '_' {
		b[0] = 'x'
	}
	return string(b)
}

// RecordStart journals that this instance started, with its version, mode and database.
func (j *Journal) RecordStart(ctx context.Context, version, mode string) error {
	_, err := j.Record(ctx, ActionStart, "", "", map[string]string{
		"version": Token(version), "mode": Token(mode), "database": j.db.Dialect().String()})
	return err
}

// RecordStop journals that this instance is shutting down.
func (j *Journal) RecordStop(ctx context.Context, version string) error {
	_, err := j.Record(ctx, ActionStop, "", "", map[string]string{"version": Token(version)})
	return err
}

// RecordMigrations journals each applied migration the journal has not recorded yet — those
// sep just applied, and those `sep migrate up` applied before this start.
func (j *Journal) RecordMigrations(ctx context.Context, status []db.MigrationStatus) error {
	return j.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, m := range status {
			if !m.Applied {
				continue
			}
			version := fmt.Sprintf("%04d", m.Version)
			fresh, err := remember(ctx, tx, "migration:"+version, m.Name)
			if err != nil {
				return err
			}
			if !fresh {
				continue
			}
			if _, err := j.Append(ctx, tx, Entry{ActorKind: ActorSystem, Action: ActionMigration, ObjectType: "migration",
				ObjectID: version, Details: map[string]string{"name": Token(m.Name),
					"applied_at": m.AppliedAt.UTC().Format(time.RFC3339)}}); err != nil {
				return err
			}
		}
		return nil
	})
}

// remember records name in audit_state if it is not there yet and reports whether it was new.
func remember(ctx context.Context, tx *sql.Tx, name, value string) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO audit_state (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING`, name, value)
	if err != nil {
		return false, fmt.Errorf("audit: state: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RecordKey journals an instance key: its generation (when generated is true), and the first
// time this database sees it — as a rotation if another key of the same purpose was there
// before. publicKey is the PEM public key of a signing key, empty for a data key; a key's
// value is never journaled.
func (j *Journal) RecordKey(ctx context.Context, purpose, id, publicKey string, generated bool) error {
	return j.db.Tx(ctx, func(tx *sql.Tx) error {
		entry := func(action string, details map[string]string) error {
			details["purpose"] = purpose
			_, err := j.Append(ctx, tx, Entry{ActorKind: ActorSystem, Action: action, ObjectType: "key", ObjectID: id, Details: details})
			return err
		}
		if generated {
			if err := entry(ActionKeyGenerated, map[string]string{}); err != nil {
				return err
			}
		}
		var previous string
		err := tx.QueryRowContext(ctx, `SELECT key_id FROM audit_keys WHERE purpose = $1 AND key_id <> $2
			ORDER BY created_at DESC LIMIT 1`, purpose, id).Scan(&previous)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("audit: keys: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO audit_keys (key_id, purpose, public_key, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`, id, purpose, publicKey, j.now().UTC())
		if err != nil {
			return fmt.Errorf("audit: keys: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		switch {
		case previous != "":
			return entry(ActionKeyRotated, map[string]string{"previous": previous})
		case !generated:
			return entry(ActionKeyRegistered, map[string]string{})
		}
		return nil
	})
}

// Setting is one setting as `sep config` prints it (secrets masked).
type Setting struct {
	Name, Value string
	Secret      bool
}

// RecordSettings journals each setting whose value differs from the one recorded at the last
// start (on the first start, every setting that is set). A change is journaled with a fingerprint of the
// value, and the value itself when it is not a secret and has a shape a detail may have (a
// code such as "production" or "10m"; a URL or a list is journaled by its fingerprint only).
func (j *Journal) RecordSettings(ctx context.Context, settings []Setting) error {
	return j.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, s := range settings {
			sum := streebog.Sum256([]byte(s.Name + "\x00" + s.Value))
			fp := hex.EncodeToString(sum[:8])
			fresh, err := remember(ctx, tx, "setting:"+s.Name, fp)
			if err != nil {
				return err
			}
			if fresh && s.Value == "" {
				continue // unset from the start: nothing has changed
			}
			if !fresh {
				res, err := tx.ExecContext(ctx, `UPDATE audit_state SET value = $2 WHERE name = $1 AND value <> $2`, "setting:"+s.Name, fp)
				if err != nil {
					return fmt.Errorf("audit: state: %w", err)
				}
				if n, _ := res.RowsAffected(); n == 0 {
					continue
				}
			}
			details := map[string]string{"fingerprint": fp}
			if !s.Secret && safeDetail("value", s.Value) {
				details["value"] = s.Value
			}
			if _, err := j.Append(ctx, tx, Entry{ActorKind: ActorSystem, Action: ActionSettingsChanged,
				ObjectType: "setting", ObjectID: s.Name, Details: details}); err != nil {
				return err
			}
		}
		return nil
	})
}
