package notify

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/i18n"
)

// Rehearse does what Send does for m, in tx — checks it, renders it, counts it against the
// recipient's limits and refuses it as Send would, stores the message and its deliveries —
// and then undoes the storing (to a savepoint), so that nothing is sent. Only the count
// against the limits stays.
//
// It is for a flow that must answer the same whether or not an address belongs to anyone:
// password recovery to a phone no account has is told "code sent" after the same work as a
// code sent, and after as many tries it is refused by the same limit, so that neither the
// time nor the limit tells which addresses are registered.
func (n *Notifier) Rehearse(ctx context.Context, tx *sql.Tx, m Message) error {
	k, err := KindOf(m.Kind)
	if err != nil {
		return err
	}
	lang := m.To.Lang
	if !i18n.Supported(lang) {
		lang = i18n.RU
	}
	for _, p := range k.Params {
		if _, ok := m.Data[p]; !ok {
			return fmt.Errorf("notify: %s needs the data %q", k.Name, p)
		}
	}
	targets, err := n.targets(ctx, tx, k, m)
	if err != nil {
		return err
	}
	c, err := n.texts.render(k, lang, m.Data)
	if err != nil {
		return fmt.Errorf("notify: render %s: %w", k.Name, err)
	}
	now := n.now().UTC()
	if err := n.checkLimits(ctx, tx, k, m, targets, now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `SAVEPOINT notify_rehearsal`); err != nil {
		return fmt.Errorf("notify: rehearse: %w", err)
	}
	stored := n.store(ctx, tx, db.NewID(), k, lang, m, targets, c, now)
	if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT notify_rehearsal`); err != nil {
		return fmt.Errorf("notify: rehearse: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT notify_rehearsal`); err != nil {
		return fmt.Errorf("notify: rehearse: %w", err)
	}
	return stored
}
