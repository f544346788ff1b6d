package notify

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
)

// Preferences are what a person chose: for each kind, the channels it may reach them by. The
// choice is kept per account × kind × channel in notify_preferences; a pair without a row is
// the kind's default (Kind.Defaults). Only Optional kinds are the person's to choose: critical
// kinds (AlwaysOn) go by every channel the sender names whatever is stored, and one-time codes
// by the channel the person is signing in with.
type Preferences map[KindName][]Channel

// On reports whether the kind may reach the person by c.
func (p Preferences) On(k KindName, c Channel) bool { return slices.Contains(p[k], c) }

// PreferenceKinds are the kinds a preferences page lists, in the table's order: the optional
// ones, then the critical ones (shown checked and locked). Codes and test messages are not
// listed: a code goes where the person asked for it, a test where the person sends it.
func PreferenceKinds() []Kind {
	var optional, critical []Kind
	for _, k := range kinds {
		switch {
		case k.Optional:
			optional = append(optional, k)
		case k.AlwaysOn && k.Limit != Codes:
			critical = append(critical, k)
		}
	}
	return append(optional, critical...)
}

// Preferences returns the account's choices, with the defaults where it has made none, for
// every kind PreferenceKinds lists (a critical kind: all its channels).
func (n *Notifier) Preferences(ctx context.Context, accountID string) (Preferences, error) {
	return preferences(ctx, n.db.Reader(), accountID)
}

func preferences(ctx context.Context, q db.Querier, accountID string) (Preferences, error) {
	rows, err := q.QueryContext(ctx, `SELECT kind, channel, enabled FROM notify_preferences WHERE account_id = $1`, accountID)
	if err != nil {
		return nil, fmt.Errorf("notify: preferences: %w", err)
	}
	defer rows.Close()
	stored := map[KindName]map[Channel]bool{}
	for rows.Next() {
		var k KindName
		var c Channel
		var on bool
		if err := rows.Scan(&k, &c, &on); err != nil {
			return nil, fmt.Errorf("notify: preferences: %w", err)
		}
		if stored[k] == nil {
			stored[k] = map[Channel]bool{}
		}
		stored[k][c] = on
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("notify: preferences: %w", err)
	}
	p := Preferences{}
	for _, k := range PreferenceKinds() {
		on := []Channel{}
		for _, c := range k.Channels {
			v, chosen := stored[k.Name][c]
			if k.AlwaysOn || (chosen && v) || (!chosen && slices.Contains(k.Defaults, c)) {
				on = append(on, c)
			}
		}
		p[k.Name] = on
	}
	return p, nil
}

// SetPreferences stores the account's choice for each kind in p: the channels listed are on,
// the kind's other channels off; kinds p does not name keep what they had. Naming a critical
// kind with any of its channels missing is refused (errs.Invalid "notify.prefs.locked": it
// cannot be turned off), and so is a kind that cannot be chosen or a channel the kind cannot
// use ("notify.prefs.unknown"); nothing is stored then. It runs in x if that is a
// transaction (with the caller's journal entry), else in one of its own.
func (n *Notifier) SetPreferences(ctx context.Context, x db.Querier, accountID string, p Preferences) error {
	for name, chans := range p {
		k, err := KindOf(name)
		if err != nil || !(k.Optional || (k.AlwaysOn && k.Limit != Codes)) {
			return errs.E(errs.Invalid, "notify.prefs.unknown", fmt.Errorf("kind %q cannot be chosen", name))
		}
		for _, c := range chans {
			if !k.allows(c) {
				return errs.E(errs.Invalid, "notify.prefs.unknown", fmt.Errorf("%s cannot go by %q", name, c))
			}
		}
		if k.AlwaysOn {
			for _, c := range k.Channels {
				if !slices.Contains(chans, c) {
					return errs.E(errs.Invalid, "notify.prefs.locked", fmt.Errorf("%s is critical: it cannot be turned off", name))
				}
			}
		}
	}
	write := func(tx db.Querier) error {
		now := n.now().UTC()
		for name, chans := range p {
			k, _ := KindOf(name)
			if k.AlwaysOn {
				continue // nothing to store: always on
			}
			for _, c := range k.Channels {
				if _, err := tx.ExecContext(ctx, `INSERT INTO notify_preferences (account_id, kind, channel, enabled, updated_at)
					VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, kind, channel)
					DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at`,
					accountID, string(name), string(c), slices.Contains(chans, c), now); err != nil {
					return fmt.Errorf("notify: store preferences: %w", err)
				}
			}
		}
		return nil
	}
	if tx, ok := x.(*sql.Tx); ok {
		return write(tx)
	}
	return n.db.Tx(ctx, func(tx *sql.Tx) error { return write(tx) })
}

// chosen narrows want to the channels the recipient's account keeps on for k, read in q. Kinds
// that are not Optional, and messages to no account, are not narrowed.
func chosen(ctx context.Context, q db.Querier, k Kind, m Message, want []Channel) ([]Channel, error) {
	if !k.Optional || m.To.AccountID == "" {
		return want, nil
	}
	p, err := preferences(ctx, q, m.To.AccountID)
	if err != nil {
		return nil, err
	}
	var out []Channel
	for _, c := range want {
		if p.On(k.Name, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// PreferencesChanged is the journal action of a person's new choice.
const PreferencesChanged = "notify.preferences_changed"
