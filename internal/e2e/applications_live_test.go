package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/applications"
)

// Live status in a real browser: the card open in Chromium changes its status word, shows
// the operator's correction request and says so in its status region when the operator acts,
// without a reload; «Мои обращения» changes the row's status the same way. Both pages stay
// axe-clean after the change.
func TestApplicationLiveStatus(t *testing.T) {
	sep := Start(t)
	users := demoUsers(t, sep)
	citizen, op := users["citizen/standard"], users["operator"]
	ctx := context.Background()
	acc, err := sep.ID.AccountByLogin(ctx, nil, citizen.Email)
	if err != nil {
		t.Fatal(err)
	}
	opAcc, err := sep.ID.AccountByLogin(ctx, nil, op.Email)
	if err != nil {
		t.Fatal(err)
	}
	a := submitted(t, sep, acc.ID, passportForm(citizen))

	b := NewBrowser(t)
	b.Open(sep.URL + "/id/signin")
	browserSignIn(t, sep, b, citizen)
	b.Open(sep.URL + "/applications/" + a.ID)
	if s := b.Text("#status"); s != "В обработке" {
		t.Fatalf("the card's status: %q", s)
	}
	b.CheckA11y()
	Eval[bool](b, `(window.notReloaded = true)`)

	if _, err := sep.Applications.Take(ctx, nil, opAcc.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := sep.Applications.AskCorrection(ctx, nil, opAcc.ID, a.ID,
		applications.Correction{Documents: []string{"photo"}, Remark: "Фотография слишком тёмная"}); err != nil {
		t.Fatal(err)
	}
	b.WaitFor(`#status[data-state="needs_correction"]`)
	if s := b.Text("#status"); s != "Ожидает ответа" {
		t.Fatalf("the card's status after the request: %q", s)
	}
	b.WaitFor("#correction")
	if !strings.Contains(b.Text("#correction"), "Фотография слишком тёмная") {
		t.Fatal("the card does not show what to correct")
	}
	b.WaitFor("#live-status p")
	if s := b.Text("#live-status"); !strings.Contains(s, a.Number) || !strings.Contains(s, "Ожидает ответа") {
		t.Fatalf("the status region says %q", s)
	}
	if !Eval[bool](b, `window.notReloaded === true`) {
		t.Fatal("the card was reloaded")
	}
	if n := Eval[int](b, `document.querySelectorAll("#history li").length`); n != 4 {
		t.Fatalf("the history has %d steps, want the request as the fourth", n)
	}
	b.CheckA11y()

	// «Мои обращения»: the row follows the correction and the approval.
	b.Open(sep.URL + "/applications")
	Eval[bool](b, `(window.notReloaded = true)`)
	if _, err := sep.Applications.Corrected(ctx, nil, acc.ID, a.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := sep.Applications.Approve(ctx, nil, opAcc.ID, a.ID, ""); err != nil {
		t.Fatal(err)
	}
	row := `#applications tr[data-id="` + a.ID + `"]`
	b.WaitFor(row + `[data-state="approved"]`)
	if s := b.Text(row + " .status"); s != "Одобрено" {
		t.Fatalf("the list's status after the approval: %q", s)
	}
	if s := b.Text(row + " .deadline"); s != "" {
		t.Fatalf("a decided application still has a deadline: %q", s)
	}
	if !Eval[bool](b, `window.notReloaded === true`) {
		t.Fatal("the list was reloaded")
	}
	b.WaitFor("#live-status p")
	b.CheckA11y()
}
