package audit

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
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

// Token turns s into something Append accepts as an id or detail value: characters outside
// the allowed set become '_' and it is cut to the maximum length. It is for values such as
// version strings that are codes but not under sep's control; never use it on personal data.
func Token(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			i > 0 && strings.IndexByte("._:/+-", c) >= 0
		if !ok {
			b[i] = '_'
		}
	}
	if b[0] == '_' {
		b[0] = 'x'
	}
	if len(b) > maxToken {
		b = b[:maxToken]
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
// value, and the value itself when it is a plain code and not a secret.
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
			if !s.Secret && checkToken("value", s.Value, false) == nil {
				details["value"] = s.Value
			}
			if _, err := j.Append(ctx, tx, Entry{ActorKind: ActorSystem, Action: ActionSettingsChanged,
				ObjectType: "setting", ObjectID: Token(s.Name), Details: details}); err != nil {
				return err
			}
		}
		return nil
	})
}
