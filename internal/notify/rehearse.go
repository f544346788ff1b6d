package notify

import (
	"context"
	"fmt"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/i18n"
)

// Rehearse goes through what Send does for m — checks it, renders it, counts it against the
// recipient's limits and refuses it as Send would — but stores and delivers nothing. It is
// for a flow that must answer the same whether or not an address belongs to anyone: password
// recovery to a phone no account has is told "code sent" at nearly the cost of sending one,
// and after as many tries it is refused by the same limit, so that neither the time nor the
// limit tells which addresses are registered. x should be the caller's transaction.
func (n *Notifier) Rehearse(ctx context.Context, x db.Querier, m Message) error {
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
	targets, err := n.targets(k, m)
	if err != nil {
		return err
	}
	if _, err := n.texts.render(k, lang, m.Data); err != nil {
		return fmt.Errorf("notify: render %s: %w", k.Name, err)
	}
	return n.checkLimits(ctx, x, k, targets, n.now().UTC())
}
