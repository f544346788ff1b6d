package registry_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/internal/registry/sim"
	"github.com/sep-platform/sep/internal/seal"
)

// simNow is the simulator's clock: the data's people are as tagged on it.
var simNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// testBox seals the checks of every test in the package.
var testBox = seal.NewBox(seal.GenerateRing(), nil)

// env is a service on a real database with a running job queue.
type env struct {
	svc  *registry.Service
	sim  *sim.Simulator
	list *fakeList
	q    *jobs.Queue
	d    *db.DB
}

type options struct {
	attempts int
	timeout  time.Duration
	sim      sim.Options
	adapters *registry.Adapters // nil: the simulator for every registry
}

func start(t *testing.T, d *db.DB, o options) *env {
	t.Helper()
	if o.attempts == 0 {
		o.attempts = 4
	}
	if o.sim.Now == nil {
		o.sim.Now = func() time.Time { return simNow }
	}
	if o.sim.Rand == nil {
		o.sim.Rand = rand.New(rand.NewPCG(7, 7))
	}
	e := &env{sim: sim.New(o.sim), list: &fakeList{}, q: jobs.New(d), d: d}
	adapters := e.sim.Adapters()
	if o.adapters != nil {
		adapters = *o.adapters
	}
	e.svc = registry.NewService(registry.Options{DB: d, Jobs: e.q, Box: testBox, Adapters: adapters, InvalidPassports: e.list,
		Attempts: o.attempts, Timeout: o.timeout, Backoff: func(int) time.Duration { return 10 * time.Millisecond }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		e.q.Run(ctx, jobs.RunOptions{Concurrency: 4, PollInterval: 20 * time.Millisecond, Lease: 5 * time.Second,
			Grace: 2 * time.Second})
		close(done)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return e
}

// fakeList is the МВД invalid-passport list.
type fakeList struct {
	mu      sync.Mutex
	numbers map[string]bool
	err     error
}

func (l *fakeList) Contains(_ context.Context, series, number string) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.numbers[series+number], l.err
}

func (l *fakeList) set(series, number string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.numbers == nil {
		l.numbers = map[string]bool{}
	}
	if series != "" {
		l.numbers[series+number] = true
	}
	l.err = err
}

func (e *env) request(t *testing.T, subject string, q registry.Query) string {
	t.Helper()
	id, err := e.svc.Request(context.Background(), nil, registry.CheckRequest{Subject: subject, Query: q})
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	return id
}

// wait polls until the check has an outcome.
func (e *env) wait(t *testing.T, id string) registry.Check {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := e.svc.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status.Final() {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("check %s still pending after 15s (attempts %d, reason %q)", id, c.Attempts, c.Reason)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func tagged(t *testing.T, tag string) *sim.Person {
	t.Helper()
	ps := sim.Default().Tagged(tag)
	if len(ps) == 0 {
		t.Fatalf("nobody tagged %q", tag)
	}
	return ps[0]
}

func personOf(p *sim.Person) registry.Person {
	return registry.Person{LastName: p.LastName, FirstName: p.FirstName, MiddleName: p.MiddleName, BirthDate: p.BirthDate.Time}
}

func passportOf(p *sim.Person) registry.PassportQuery {
	pp := p.Passport()
	return registry.PassportQuery{Series: pp.Series, Number: pp.Number, IssueDate: pp.IssueDate.Time,
		DivisionCode: pp.DivisionCode, Person: personOf(p)}
}

func TestEveryOutcomeIsStoredWithWhatAndWhen(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := start(t, d, options{})
		basic, lost := tagged(t, "basic"), tagged(t, "lost_passport")
		listed := sim.Default().Tagged("basic")[1]
		e.list.set(listed.Passport().Series, listed.Passport().Number, nil)
		wrongName := passportOf(basic)
		wrongName.FirstName = "Мария"
		unknown := passportOf(basic)
		unknown.Number = "000001"
		var legal *sim.Organisation
		for i := range sim.Default().Organisations {
			if o := &sim.Default().Organisations[i]; o.Kind == registry.KindLegal && o.Status == registry.OrgActive {
				legal = o
				break
			}
		}

		before := time.Now().UTC()
		cases := []struct {
			q      registry.Query
			status registry.Status
			field  string
			reason registry.Reason
			source string
		}{
			{passportOf(basic), registry.Confirmed, "", "", sim.Source},
			{wrongName, registry.Mismatch, registry.FieldFirstName, "", sim.Source},
			{unknown, registry.NotFound, "", "", sim.Source},
			{passportOf(lost), registry.Invalid, "", registry.ReasonLost, sim.Source},
			{passportOf(listed), registry.Invalid, "", registry.ReasonInvalidList, registry.SourceInvalidList},
			{registry.SNILSQuery{SNILS: basic.SNILS, Person: personOf(basic)}, registry.Confirmed, "", "", sim.Source},
			{registry.INNQuery{INN: basic.INN, Person: personOf(basic)}, registry.Confirmed, "", "", sim.Source},
			{registry.LegalQuery{OGRN: legal.OGRN}, registry.Confirmed, "", "", sim.Source},
		}
		ids := make([]string, len(cases))
		for i, c := range cases {
			ids[i] = e.request(t, "account:A", c.q)
		}
		for i, c := range cases {
			got := e.wait(t, ids[i])
			if got.Status != c.status || got.MismatchField != c.field || got.Reason != c.reason || got.Source != c.source {
				t.Errorf("case %d (%s): %s field %q reason %q source %q, want %s %q %q %q", i, c.q.Registry(),
					got.Status, got.MismatchField, got.Reason, got.Source, c.status, c.field, c.reason, c.source)
			}
			if got.Subject != "account:A" || got.Registry != c.q.Registry() || got.Attempts != 1 || got.Run != 1 {
				t.Errorf("case %d: subject %q registry %s attempts %d run %d", i, got.Subject, got.Registry, got.Attempts, got.Run)
			}
			if got.CheckedAt.Before(got.RequestedAt) || got.RequestedAt.Before(before.Truncate(time.Second)) ||
				got.CheckedAt.After(time.Now().Add(time.Second)) {
				t.Errorf("case %d: requested %v, checked %v", i, got.RequestedAt, got.CheckedAt)
			}
			norm, _ := registry.Normalize(c.q)
			if !slices.Equal(got.Fields, norm.Fields()) {
				t.Errorf("case %d: fields %v, want %v", i, got.Fields, norm.Fields())
			}
		}

		// What was confirmed can be shown: the values checked, normalised.
		first, _ := e.svc.Get(context.Background(), ids[0])
		pq, ok := first.Query.(registry.PassportQuery)
		want := basic.Passport()
		if !ok || pq.Series != want.Series || pq.Number != want.Number || pq.LastName != basic.LastName ||
			!pq.BirthDate.Equal(basic.BirthDate.Time) || pq.DivisionCode != want.DivisionCode {
			t.Fatalf("stored query %#v", first.Query)
		}
		if !slices.Equal(first.Fields, []string{"series", "number", "last_name", "first_name", "middle_name",
			"birth_date", "issue_date", "division_code"}) {
			t.Fatalf("fields %v", first.Fields)
		}
		legalCheck, _ := e.svc.Get(context.Background(), ids[len(ids)-1])
		if legalCheck.Extract == nil || legalCheck.Extract.OGRN != legal.OGRN || legalCheck.Extract.Name != legal.Name {
			t.Fatalf("legal check's extract: %+v", legalCheck.Extract)
		}
		// A passport check that was not confirmed stores no extract and
		// nothing of the registry's record.
		if c, _ := e.svc.Get(context.Background(), ids[1]); c.Extract != nil {
			t.Fatal("a mismatch stored an extract")
		}

		all, err := e.svc.List(context.Background(), "account:A")
		if err != nil || len(all) != len(cases) {
			t.Fatalf("list: %d checks, %v", len(all), err)
		}
		latest, err := e.svc.Latest(context.Background(), "account:A", registry.Legal)
		if err != nil || latest.ID != ids[len(ids)-1] {
			t.Fatalf("latest legal check: %v %v", latest.ID, err)
		}
		if _, err := e.svc.Latest(context.Background(), "account:B", registry.Passport); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("latest of a subject with no checks: %v", err)
		}
	})
}
