package registry_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/internal/registry/sim"
)

func TestRetriedUntilTheRegistryAnswers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := start(t, d, options{attempts: 5})
		p := tagged(t, "basic")
		e.sim.FailNext(2)
		id := e.request(t, "account:A", registry.SNILSQuery{SNILS: p.SNILS, Person: personOf(p)})
		c := e.wait(t, id)
		if c.Status != registry.Confirmed || c.Attempts != 3 || c.Reason != "" {
			t.Fatalf("%s after %d attempts (reason %q), want confirmed on the 3rd", c.Status, c.Attempts, c.Reason)
		}
		if e.sim.Calls() != 3 {
			t.Fatalf("the simulator was called %d times", e.sim.Calls())
		}
	})
}

func TestUnavailableAfterTheLastAttemptAndRerun(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := start(t, d, options{attempts: 3})
		p := tagged(t, "basic")
		e.sim.FailNext(1000)
		id := e.request(t, "account:A", registry.INNQuery{INN: p.INN, Person: personOf(p)})
		c := e.wait(t, id)
		if c.Status != registry.Unavailable || c.Reason != registry.ReasonDown || c.Attempts != 3 || c.CheckedAt.IsZero() {
			t.Fatalf("%s, reason %q, %d attempts; want unavailable (down) after 3", c.Status, c.Reason, c.Attempts)
		}
		// The job finished: the outcome is stored, nothing is dead-lettered.
		if dead, _ := e.q.List(context.Background(), jobs.Dead, 10); len(dead) != 0 {
			t.Fatalf("dead jobs: %+v", dead)
		}

		e.sim.FailNext(0)
		if err := e.svc.Rerun(context.Background(), nil, id); err != nil {
			t.Fatal(err)
		}
		c = e.wait(t, id)
		if c.Status != registry.Confirmed || c.Run != 2 || c.Attempts != 1 || c.Reason != "" {
			t.Fatalf("after rerun: %s run %d attempts %d reason %q", c.Status, c.Run, c.Attempts, c.Reason)
		}
		if err := e.svc.Rerun(context.Background(), nil, id); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("rerun of a confirmed check: %v, want conflict", err)
		}
		if err := e.svc.Rerun(context.Background(), nil, db.NewID()); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("rerun of no check: %v, want not found", err)
		}
	})
}

func TestTimeoutCountsAsNoAnswer(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := start(t, d, options{attempts: 2, timeout: 30 * time.Millisecond,
			sim: sim.Options{LatencyMin: time.Minute, LatencyMax: time.Minute}})
		p := tagged(t, "basic")
		c := e.wait(t, e.request(t, "account:A", registry.SNILSQuery{SNILS: p.SNILS, Person: personOf(p)}))
		if c.Status != registry.Unavailable || c.Reason != registry.ReasonTimeout || c.Attempts != 2 {
			t.Fatalf("%s reason %q attempts %d, want unavailable (timeout) after 2", c.Status, c.Reason, c.Attempts)
		}
	})
}

func TestNoAdapterConfigured(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := start(t, d, options{attempts: 5, adapters: &registry.Adapters{}})
		p, listed := tagged(t, "basic"), tagged(t, "lost_passport")
		e.list.set(listed.Passport().Series, listed.Passport().Number, nil)
		c := e.wait(t, e.request(t, "account:A", registry.SNILSQuery{SNILS: p.SNILS, Person: personOf(p)}))
		if c.Status != registry.Unavailable || c.Reason != registry.ReasonNotConfigured || c.Attempts != 1 {
			t.Fatalf("%s reason %q attempts %d; without an adapter the answer is at once", c.Status, c.Reason, c.Attempts)
		}
		// The local invalid list still answers for passports.
		c = e.wait(t, e.request(t, "account:A", passportOf(listed)))
		if c.Status != registry.Invalid || c.Reason != registry.ReasonInvalidList {
			t.Fatalf("a listed passport without an adapter: %s %q", c.Status, c.Reason)
		}
		c = e.wait(t, e.request(t, "account:A", passportOf(p)))
		if c.Status != registry.Unavailable || c.Reason != registry.ReasonNotConfigured {
			t.Fatalf("an unlisted passport without an adapter: %s %q", c.Status, c.Reason)
		}
	})
}

func TestInvalidListErrorsAreRetried(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := start(t, d, options{attempts: 2})
		e.list.set("", "", errors.New("list table locked"))
		p := tagged(t, "basic")
		c := e.wait(t, e.request(t, "account:A", passportOf(p)))
		if c.Status != registry.Unavailable || c.Attempts != 2 || e.sim.Calls() != 0 {
			t.Fatalf("%s after %d attempts, %d registry calls; an unreadable list must not be skipped",
				c.Status, c.Attempts, e.sim.Calls())
		}
	})
}

// nonsense is an adapter with a bug: it names a mismatch in a field the query
// does not have.
type nonsense struct{}

func (nonsense) CheckSNILS(context.Context, registry.SNILSQuery) (registry.Answer, error) {
	return registry.Answer{Status: registry.Mismatch, Field: registry.FieldKPP, Source: "buggy"}, nil
}

func TestAnAdaptersNonsenseIsNotStoredAsAnAnswer(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := start(t, d, options{attempts: 2, adapters: &registry.Adapters{SNILS: nonsense{}}})
		p := tagged(t, "basic")
		c := e.wait(t, e.request(t, "account:A", registry.SNILSQuery{SNILS: p.SNILS, Person: personOf(p)}))
		if c.Status != registry.Unavailable || c.MismatchField != "" || c.Source != "" || c.Attempts != 2 {
			t.Fatalf("%s field %q source %q after %d attempts, want unavailable", c.Status, c.MismatchField, c.Source, c.Attempts)
		}
	})
}

// A check whose job is stuck retrying (or died) can be rerun while pending;
// the old run's job then stores nothing.
func TestRerunSupersedesAPendingRun(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := start(t, d, options{attempts: 100})
		p := tagged(t, "basic")
		e.sim.FailNext(1 << 30)
		id := e.request(t, "account:A", registry.SNILSQuery{SNILS: p.SNILS, Person: personOf(p)})
		for e.sim.Calls() < 2 {
			time.Sleep(5 * time.Millisecond)
		}
		if err := e.svc.Rerun(context.Background(), nil, id); err != nil {
			t.Fatal(err)
		}
		e.sim.FailNext(0)
		c := e.wait(t, id)
		if c.Status != registry.Confirmed || c.Run != 2 {
			t.Fatalf("%s in run %d, want confirmed in run 2", c.Status, c.Run)
		}
		// Both jobs end done: the first found its run superseded.
		deadline := time.Now().Add(10 * time.Second)
		for {
			running, _ := e.q.List(context.Background(), jobs.Queued, 10)
			dead, _ := e.q.List(context.Background(), jobs.Dead, 10)
			done, _ := e.q.List(context.Background(), jobs.Done, 10)
			if len(dead) != 0 {
				t.Fatalf("dead jobs: %+v", dead)
			}
			if len(running) == 0 && len(done) == 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d queued, %d done jobs", len(running), len(done))
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}
