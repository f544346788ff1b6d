package id

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/internal/registry/sim"
	"github.com/sep-platform/sep/ruid"
)

// levelsEnv is a testEnv whose Service asks the registry simulator (no latency) and runs the
// reviews of levels on a job queue of its own, with a journal to look at.
type levelsEnv struct {
	*testEnv
	sim     *sim.Simulator
	journal *audit.Journal
}

func newLevelsEnv(t *testing.T, d *db.DB) *levelsEnv {
	t.Helper()
	q := jobs.New(d)
	s := sim.New(sim.Options{})
	reg := registry.NewService(registry.Options{DB: d, Jobs: q, Box: testBox, Adapters: s.Adapters(), Attempts: 2,
		Backoff: func(int) time.Duration { return 10 * time.Millisecond }})
	j, err := audit.New(d, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEnv(t, d, func(o *Options) { o.Journal = j })
	e.svc.UseRegistry(reg, q)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		q.Run(ctx, jobs.RunOptions{Concurrency: 2, PollInterval: 10 * time.Millisecond, Lease: time.Minute, Grace: time.Second})
		close(done)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return &levelsEnv{testEnv: e, sim: s, journal: j}
}

// personForm is the whole profile of one of the simulator's fictitious people.
func personForm(p *sim.Person) ProfileForm {
	pp := p.Passport()
	return ProfileForm{LastName: p.LastName, FirstName: p.FirstName, MiddleName: p.MiddleName,
		BirthDate: p.BirthDate.Format("02.01.2006"), BirthPlace: "город Тверь",
		PassportSeries: pp.Series, PassportNumber: pp.Number, PassportIssueDate: pp.IssueDate.Format("02.01.2006"),
		PassportIssuer: "Отделом УФМС России по Тверской области", PassportDivisionCode: pp.DivisionCode,
		SNILS: p.SNILS, INN: p.INN, Region: "Тверская область", City: "город Тверь", Street: "улица Советская",
		House: "1", Flat: "2", Postcode: "170100"}
}

// waitLevel waits until the account has the level, reviewing it as the profile page does.
func (e *levelsEnv) waitLevel(id string, want Level) *LevelState {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, err := e.svc.ReviewLevel(context.Background(), id)
		if err != nil {
			e.t.Fatal(err)
		}
		if st.Level == want && !st.Pending() {
			return st
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("level %s, checks %+v; want %s", st.Level, st.Checks, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// settled waits until no check of the account is pending.
func (e *levelsEnv) settled(id string) *LevelState {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		a, err := e.svc.Account(context.Background(), id)
		if err != nil {
			e.t.Fatal(err)
		}
		st, err := e.svc.Level(context.Background(), a)
		if err != nil {
			e.t.Fatal(err)
		}
		if !st.Pending() {
			return st
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("checks still pending: %+v", st.Checks)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// levelEvents lists the level changes journaled for the account, as from→to/method.
func (e *levelsEnv) levelEvents(id string) []string {
	e.t.Helper()
	var out []string
	err := e.journal.Scan(context.Background(), audit.Filter{}, func(en *audit.Entry) error {
		if en.Action == ActionLevelChanged && en.ObjectID == id {
			// newest first
			out = append([]string{en.Details["from"] + "→" + en.Details["to"] + "/" + en.Details["method"]}, out...)
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// A citizen fills in the profile of a person the registries know: every check confirms it,
// the account becomes standard by itself (journaled, with a message in the inbox); changing
// the passport drops it back to simplified until the new data is confirmed.
func TestProfileRaisesTheLevel(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newLevelsEnv(t, d)
		ctx, r := context.Background(), testRequest("127.0.0.1:40000")
		a := e.register("+79000000101", "levels.demo@example.ru", "Ptichka-Sinica-2026!")
		p := sim.Default().Tagged("basic")[0]

		// A half-filled profile saves: what is missing is listed, nothing is checked.
		st, err := e.svc.SaveProfileForm(ctx, r, a.ID, ProfileForm{LastName: p.LastName, FirstName: p.FirstName})
		if err != nil {
			t.Fatal(err)
		}
		if st.Level != Simplified || strings.Join(st.Missing, ",") != "birth_date,birth_place,passport,snils,inn,address" {
			t.Fatalf("level %s, missing %v", st.Level, st.Missing)
		}
		for _, c := range st.Checks {
			if c.Status != NotRequested {
				t.Fatalf("check %s asked without the data: %s", c.Registry, c.Status)
			}
		}

		if _, err := e.svc.SaveProfileForm(ctx, r, a.ID, personForm(p)); err != nil {
			t.Fatal(err)
		}
		// The registries' answers raise the level by themselves, nobody looking.
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if got, err := e.svc.Account(ctx, a.ID); err != nil || got.Level == Standard {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the level did not rise after the checks")
			}
		}
		st = e.waitLevel(a.ID, Standard)
		if len(st.Missing) != 0 || st.Next != Confirmed {
			t.Fatalf("standard: missing %v, next %s", st.Missing, st.Next)
		}
		for _, c := range st.Checks {
			if c.Status != string(registry.Confirmed) {
				t.Fatalf("check %s: %s", c.Registry, c.Status)
			}
		}
		if ev := e.levelEvents(a.ID); len(ev) != 1 || ev[0] != "simplified→standard/registries" {
			t.Fatalf("journal: %v", ev)
		}
		if n := len(e.messages("levels.demo@example.ru", 2)); n < 2 {
			t.Fatalf("%d messages", n)
		}
		// The profile is kept sealed and found by its СНИЛС.
		if got, err := e.svc.AccountByLogin(ctx, nil, p.SNILS); err != nil || got.ID != a.ID || got.Profile.Address.City != "город Тверь" {
			t.Fatalf("by СНИЛС: %v %+v", err, got)
		}

		// Saving the same data again asks nothing and keeps the level.
		calls := e.sim.Calls()
		if st, err = e.svc.SaveProfileForm(ctx, r, a.ID, personForm(p)); err != nil || st.Level != Standard {
			t.Fatalf("the same profile again: %v, %+v", err, st)
		}
		if e.sim.Calls() != calls || st.Pending() {
			t.Fatal("the same data was checked again")
		}
		// Changing the address, which no registry checks, keeps the level too.
		f := personForm(p)
		f.Flat = "3"
		if st, err = e.svc.SaveProfileForm(ctx, r, a.ID, f); err != nil || st.Level != Standard {
			t.Fatalf("a new flat: %v, %+v", err, st)
		}

		// Another person's passport number: back to simplified, and the МВД names the mismatch.
		other := sim.Default().Tagged("basic")[1].Passport()
		f.PassportSeries, f.PassportNumber = other.Series, other.Number
		if st, err = e.svc.SaveProfileForm(ctx, r, a.ID, f); err != nil || st.Level != Simplified {
			t.Fatalf("a changed passport: %v, %+v", err, st)
		}
		st = e.settled(a.ID)
		if st.Level != Simplified || st.Ready {
			t.Fatalf("after a mismatch: %+v", st)
		}
		if c := st.Checks[0]; c.Status != string(registry.Mismatch) || c.Field != "last_name" {
			t.Fatalf("passport check: %+v, want a mismatch naming the name", c)
		}
		if ev := e.levelEvents(a.ID); len(ev) != 2 || ev[0] != "standard→simplified/profile_changed" {
			t.Fatalf("journal: %v", ev)
		}
		// The right passport again: standard again.
		if _, err := e.svc.SaveProfileForm(ctx, r, a.ID, personForm(p)); err != nil {
			t.Fatal(err)
		}
		e.waitLevel(a.ID, Standard)
	})
}

// Mistakes in the form come back one per field, with ruid's messages; nothing is saved.
func TestProfileFormMistakes(t *testing.T) {
	f := personForm(sim.Default().Tagged("basic")[0])
	f.SNILS, f.INN, f.Street, f.PassportIssuer, f.PassportDivisionCode = "112-233-445 96", "1234", "ул. Советская", "", "12"
	f.BirthDate = "31.02.1990"
	_, err := f.Check(time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC))
	var fe FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("got %v", err)
	}
	for _, field := range []string{"snils", "inn", "street", "passport_issuer", "passport_division_code", "birth_date"} {
		if fe[field] == nil {
			t.Errorf("%s: no error (%v)", field, fe)
		}
	}
	var re *ruid.Error
	if !errors.As(fe["street"], &re) || re.Code != ruid.AddressAbbreviation {
		t.Errorf("street: %v", fe["street"])
	}
	if errs.IDOf(fe["passport_issuer"]) != "id.profile.issuer_empty" {
		t.Errorf("issuer: %v", fe["passport_issuer"])
	}
}

// An operator confirms a standard account's identity at a service point, or issues a code
// the citizen enters; five wrong codes make the citizen wait; a citizen cannot act as an
// operator; a simplified account cannot be confirmed.
func TestOperatorConfirmsIdentity(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newLevelsEnv(t, d)
		ctx, r := context.Background(), testRequest("127.0.0.1:40000")
		op := e.operatorAccount("+79000000199")
		people := sim.Default().Tagged("basic")
		standard := func(phone string, p *sim.Person) *Account {
			a := e.register(phone, strings.TrimPrefix(phone, "+")+"@example.ru", "Ptichka-Sinica-2026!")
			if _, err := e.svc.SaveProfileForm(ctx, r, a.ID, personForm(p)); err != nil {
				t.Fatal(err)
			}
			e.waitLevel(a.ID, Standard)
			return a
		}
		simple := e.register("+79000000110", "simple@example.ru", "Ptichka-Sinica-2026!")
		if err := e.svc.ConfirmAtServicePoint(ctx, r, op.ID, simple.ID); !errors.Is(err, ErrNotStandard) {
			t.Fatalf("a simplified account confirmed: %v", err)
		}
		// A citizen is no operator.
		if err := e.svc.ConfirmAtServicePoint(ctx, r, simple.ID, simple.ID); !errors.Is(err, ErrNotOperator) {
			t.Fatalf("a citizen confirmed an account: %v", err)
		}
		if _, _, err := e.svc.IssueConfirmationCode(ctx, r, simple.ID, simple.ID); !errors.Is(err, ErrNotOperator) {
			t.Fatalf("a citizen issued a code: %v", err)
		}
		if _, _, err := e.svc.FindForConfirmation(ctx, r, simple.ID, "+79000000110"); !errors.Is(err, ErrNotOperator) {
			t.Fatalf("a citizen searched accounts: %v", err)
		}

		// In person: found by СНИЛС.
		a := standard("+79000000111", people[0])
		found, st, err := e.svc.FindForConfirmation(ctx, r, op.ID, people[0].SNILS)
		if err != nil || found.ID != a.ID || st.Level != Standard {
			t.Fatalf("find by СНИЛС: %v", err)
		}
		if err := e.svc.ConfirmAtServicePoint(ctx, r, op.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		st = e.waitLevel(a.ID, Confirmed)
		if st.Confirmation == nil || st.Confirmation.Method != ConfirmedAtServicePoint || st.Confirmation.OperatorID != op.ID {
			t.Fatalf("confirmation: %+v", st.Confirmation)
		}
		if ev := e.levelEvents(a.ID); len(ev) != 2 || ev[0] != "standard→confirmed/service_point" {
			t.Fatalf("journal: %v", ev)
		}

		// By code: found by phone; wrong codes first.
		b := standard("+79000000112", people[1])
		if found, _, err = e.svc.FindForConfirmation(ctx, r, op.ID, "8 900 000-01-12"); err != nil || found.ID != b.ID {
			t.Fatalf("find by phone: %v", err)
		}
		code, expires, err := e.svc.IssueConfirmationCode(ctx, r, op.ID, b.ID)
		if err != nil || len(code) != 12 || expires.Sub(e.clock.Now()) != ConfirmCodeValidFor {
			t.Fatalf("code %q until %v: %v", code, expires, err)
		}
		wrong := "000-000-0000"
		if code == wrong {
			wrong = "111-111-1111"
		}
		for i := 1; i < ConfirmCodeTries; i++ {
			if err := e.svc.EnterConfirmationCode(ctx, r, b.ID, wrong); errs.IDOf(err) != "id.levels.code_wrong" {
				t.Fatalf("wrong code %d: %v", i, err)
			}
		}
		if err := e.svc.EnterConfirmationCode(ctx, r, b.ID, wrong); errs.IDOf(err) != "id.levels.code_wait" ||
			errs.KindOf(err) != errs.TooMany {
			t.Fatalf("the fifth wrong code: %v", err)
		}
		// While waiting even the right code is refused; after the wait it works.
		if err := e.svc.EnterConfirmationCode(ctx, r, b.ID, code); errs.IDOf(err) != "id.levels.code_wait" {
			t.Fatalf("the right code while waiting: %v", err)
		}
		e.clock.Advance(ConfirmCodeWait)
		if err := e.svc.EnterConfirmationCode(ctx, r, b.ID, strings.ReplaceAll(code, "-", " ")); err != nil {
			t.Fatalf("the right code: %v", err)
		}
		st = e.waitLevel(b.ID, Confirmed)
		if st.Confirmation.Method != ConfirmedByCode || st.Confirmation.OperatorID != op.ID {
			t.Fatalf("confirmation: %+v", st.Confirmation)
		}
		// The code is used up; an expired code does not work.
		if err := e.svc.EnterConfirmationCode(ctx, r, b.ID, code); !errors.Is(err, ErrNotStandard) {
			t.Fatalf("the code again: %v", err)
		}
		c := standard("+79000000113", people[2])
		code, _, _ = e.svc.IssueConfirmationCode(ctx, r, op.ID, c.ID)
		e.clock.Advance(ConfirmCodeValidFor)
		if err := e.svc.EnterConfirmationCode(ctx, r, c.ID, code); errs.IDOf(err) != "id.levels.code_wrong" {
			t.Fatalf("an expired code: %v", err)
		}
	})
}

// operatorAccount makes an operator's account, as `sep admin create-user` does.
func (e *testEnv) operatorAccount(phone string) *Account {
	e.t.Helper()
	var a *Account
	err := e.db.Tx(context.Background(), func(tx *sql.Tx) error {
		var err error
		a, err = e.svc.createAccount(context.Background(), tx, NewAccount{Role: Operator, Phone: phone, Lang: "ru"})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}
