package applications

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/internal/services"
)

var testBox = seal.NewBox(seal.GenerateRing(), nil)

// sent records the messages the store asks to send.
type sent struct {
	mu   sync.Mutex
	msgs []notify.Message
}

func (s *sent) Send(_ context.Context, _ db.Querier, m notify.Message) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	return "m", nil
}

func (s *sent) statuses() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.msgs {
		if m.Kind == notify.ApplicationStatus {
			out = append(out, m.Data["Status"].(string))
		}
	}
	return out
}

type accounts struct{}

func (accounts) Account(_ context.Context, accountID string) (*id.Account, error) {
	return &id.Account{ID: accountID, Lang: "ru", Email: "ivanova@example.ru"}, nil
}

func newTestStore(t *testing.T, d *db.DB) (*Store, *sent) {
	t.Helper()
	cat, err := services.Load(services.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	out := &sent{}
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC) // a Friday
	return NewStore(Options{DB: d, Box: testBox, Notify: out, Accounts: accounts{}, Services: cat,
		Now: func() time.Time { return now }}), out
}

// passportValues is a complete, right «Электронный паспорт» form (fictitious person).
func passportValues() map[string]string {
	return map[string]string{"reason": "first", "last_name": "Иванова", "first_name": "Мария", "middle_name": "Петровна",
		"birth_date": "01.02.1985", "birth_place": "г. Москва", "passport": "4508123456", "passport_issue_date": "10.03.2005",
		"passport_issuer": "ОВД Тестового района", "passport_division_code": "770-001", "snils": "112-233-445 95",
		"address": "г. Москва, ул. Примерная, д. 1, кв. 1"}
}

func attachAll(t *testing.T, s *Store, acc string, a *Application) {
	t.Helper()
	for _, k := range []string{"passport_scan", "snils", "photo", "fingerprints"} {
		if _, err := s.Attach(context.Background(), nil, acc, a.ID, k, db.NewID()); err != nil {
			t.Fatal(err)
		}
	}
}

func TestApplicationJourney(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, out := newTestStore(t, d)
		const acc, other, op = "acc-1", "acc-2", "op-1"

		a, err := s.Create(ctx, nil, acc, "e-passport", "k1", map[string]string{"last_name": "Иванова"})
		if err != nil {
			t.Fatal(err)
		}
		again, err := s.Create(ctx, nil, acc, "e-passport", "k1", nil)
		if err != nil || again.ID != a.ID {
			t.Fatalf("the same key made another draft: %v %v", again, err)
		}
		if _, err := s.Own(ctx, other, a.ID); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("another account reads the draft: %v", err)
		}
		svc, _ := s.opt.Services.Service("e-passport")
		if n := len(Problems(svc, a, s.now())); n == 0 {
			t.Fatal("an empty draft has no problems")
		}
		if _, err := s.Submit(ctx, nil, acc, a.ID, true); errs.IDOf(err) != "applications.has_problems" {
			t.Fatalf("an incomplete draft submitted: %v", err)
		}
		vals := passportValues()
		vals["snils"] = "112-233-445 00" // a wrong checksum
		if a, err = s.SaveValues(ctx, acc, a.ID, vals); err != nil {
			t.Fatal(err)
		}
		attachAll(t, s, acc, a)
		a, _ = s.Own(ctx, acc, a.ID)
		probs := Problems(svc, a, s.now())
		if len(probs) != 1 || probs[0].Field != "snils" {
			t.Fatalf("problems %+v, want the СНИЛС only", probs)
		}
		if a, err = s.SaveValues(ctx, acc, a.ID, map[string]string{"snils": "112-233-445 95"}); err != nil {
			t.Fatal(err)
		}
		if a.Values["last_name"] != "Иванова" {
			t.Fatal("fixing one field changed another")
		}
		if _, err := s.Submit(ctx, nil, acc, a.ID, false); errs.IDOf(err) != "applications.consent_required" {
			t.Fatalf("submitted without the consent: %v", err)
		}
		a, err = s.Submit(ctx, nil, acc, a.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if a.Number != "СЭП-2026-000001" || a.State != InReview {
			t.Fatalf("submitted: %s %s", a.Number, a.State)
		}
		// Review within 3 working days of Friday 4 December: by Wednesday 9 December's end.
		if want := time.Date(2026, 12, 9, 23, 59, 59, 0, moscow); !a.Deadline.Equal(want) {
			t.Fatalf("deadline %v, want %v", a.Deadline, want)
		}
		twice, err := s.Submit(ctx, nil, acc, a.ID, true)
		if err != nil || twice.Number != a.Number {
			t.Fatalf("a second submit: %v %v", twice, err)
		}
		if _, err := s.SaveValues(ctx, acc, a.ID, map[string]string{"last_name": "Петрова"}); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("a submitted application changed: %v", err)
		}

		// The operator asks for a new photo; the applicant replaces it and nothing else.
		if _, err := s.AskCorrection(ctx, nil, op, a.ID, Correction{Documents: []string{"photo"}}); err == nil {
			t.Fatal("a correction without a remark")
		}
		if a, err = s.AskCorrection(ctx, nil, op, a.ID, Correction{Documents: []string{"photo"}, Remark: "Фото размыто"}); err != nil {
			t.Fatal(err)
		}
		if a.State != NeedsCorrection || a.Correction.Due.IsZero() {
			t.Fatalf("after the request: %s %+v", a.State, a.Correction)
		}
		if _, err := s.Attach(ctx, nil, acc, a.ID, "snils", db.NewID()); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("replaced a document not asked for: %v", err)
		}
		newPhoto := db.NewID()
		released, err := s.Attach(ctx, nil, acc, a.ID, "photo", newPhoto)
		if err != nil || len(released) != 1 { // a photo is never kept in the library: the old one goes
			t.Fatalf("replacing the photo: %q %v", released, err)
		}
		if a, err = s.Corrected(ctx, nil, acc, a.ID, ""); err != nil || a.State != InReview {
			t.Fatalf("corrected: %v %v", a, err)
		}
		if _, err := s.Withdraw(ctx, nil, other, a.ID); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("another account withdraws: %v", err)
		}
		if a, err = s.Approve(ctx, nil, op, a.ID, ""); err != nil || a.State != Approved {
			t.Fatalf("approve: %v %v", a, err)
		}
		if _, err := s.Reject(ctx, nil, op, a.ID, "поздно"); errs.IDOf(err) != "applications.not_allowed" {
			t.Fatalf("rejected after approval: %v", err)
		}
		if _, err := s.Withdraw(ctx, nil, acc, a.ID); errs.IDOf(err) != "applications.not_allowed" {
			t.Fatalf("withdrawn after the decision: %v", err)
		}
		evs, err := s.Events(ctx, a.ID)
		if err != nil || len(evs) != 6 {
			t.Fatalf("history %+v %v", evs, err)
		}
		if evs[3].Note != "Фото размыто" {
			t.Fatalf("the remark: %q", evs[3].Note)
		}
		want := "В обработке,Ожидает ответа,В обработке,Одобрено"
		if got := strings.Join(out.statuses(), ","); got != want {
			t.Fatalf("told %s, want %s", got, want)
		}

		// The rejected path, a withdrawal, and the numbers go on.
		b, _ := s.Create(ctx, nil, acc, "e-passport", "", passportValues())
		attachAll(t, s, acc, b)
		if b, err = s.Submit(ctx, nil, acc, b.ID, true); err != nil || b.Number != "СЭП-2026-000002" {
			t.Fatalf("second: %v %v", b, err)
		}
		if _, err := s.Reject(ctx, nil, op, b.ID, " "); err == nil {
			t.Fatal("rejected without a reason")
		}
		if b, err = s.Reject(ctx, nil, op, b.ID, "Паспорт недействителен"); err != nil || b.State != Rejected {
			t.Fatalf("reject: %v %v", b, err)
		}
		if b, _ = s.Own(ctx, acc, b.ID); b.Reason != "Паспорт недействителен" {
			t.Fatalf("reason %q", b.Reason)
		}
		c, _ := s.Create(ctx, nil, acc, "e-passport", "", passportValues())
		attachAll(t, s, acc, c)
		c, _ = s.Submit(ctx, nil, acc, c.ID, true)
		if c, err = s.Withdraw(ctx, nil, acc, c.ID); err != nil || c.State != Withdrawn {
			t.Fatalf("withdraw: %v %v", c, err)
		}
		list, _ := s.List(ctx, acc)
		if len(list) != 3 {
			t.Fatalf("list %d", len(list))
		}
		if list, _ := s.List(ctx, other); len(list) != 0 {
			t.Fatal("another account lists them")
		}
	})
}

func TestNumbersAreUniqueUnderConcurrency(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var mu sync.Mutex
		seen := map[string]bool{}
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var n string
				err := d.Tx(ctx, func(tx *sql.Tx) error {
					var err error
					n, err = nextNumber(ctx, tx, 2026)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if seen[n] {
					t.Errorf("number %s twice", n)
				}
				seen[n] = true
			}()
		}
		wg.Wait()
		if len(seen) != 8 {
			t.Fatalf("%d numbers", len(seen))
		}
	})
}

func TestTransitions(t *testing.T) {
	for _, c := range []struct {
		st     State
		action Action
		role   Role
		ok     bool
	}{
		{Draft, Submit, Applicant, true}, {Draft, Submit, Operator, false}, {InReview, Approve, Applicant, false},
		{InReview, Approve, Operator, true}, {NeedsCorrection, Correct, Applicant, true}, {Approved, Withdraw, Applicant, false},
		{Submitted, Withdraw, Applicant, true}, {Rejected, Close, System, true}, {Draft, Approve, Operator, false},
	} {
		if got := May(c.st, c.action, c.role); got != c.ok {
			t.Errorf("%s %s by %s: %v, want %v", c.st, c.action, c.role, got, c.ok)
		}
	}
}

func TestWorkingDays(t *testing.T) {
	c := DefaultCalendar()
	// 30 December 2025 (Tuesday) + 2 working days: 31 Dec and 1–8 Jan are off, 9 January too: so 12 and 13 January.
	got := c.AddWorkingDays(time.Date(2025, 12, 30, 10, 0, 0, 0, moscow), 2).In(moscow)
	if got.Format(time.DateOnly) != "2026-01-13" {
		t.Fatalf("got %s", got.Format(time.DateOnly))
	}
}
