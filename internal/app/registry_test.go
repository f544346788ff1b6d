package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/internal/registry/passlist"
	"github.com/sep-platform/sep/internal/registry/sim"
	"github.com/sep-platform/sep/internal/seal"
)

// A passport check that comes while this instance is still loading the imported МВД list is
// not answered without the list: the attempt records no answer and the check runs again,
// answered from the list once it is in memory.
func TestPassportCheckWaitsForTheListByRetrying(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteURL(t))
	p := sim.Default().Tagged("basic")[0]
	pp := p.Passport()
	csv := "PASSP_SERIES,PASSP_NUMBER\n" + pp.Series + "," + pp.Number + "\n"
	if _, err := passlist.New(d, passlist.Options{}).Import(context.Background(), strings.NewReader(csv), passlist.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	list := passlist.New(d, passlist.Options{}) // this instance's: imported, nothing loaded yet
	defer list.Close()
	q := jobs.New(d)
	// The simulator would confirm this passport: only the list knows it is invalid.
	svc := registry.NewService(registry.Options{DB: d, Jobs: q, Box: seal.NewBox(seal.GenerateRing(), nil),
		Adapters:         sim.New(sim.Options{}).Adapters(),
		InvalidPassports: invalidList{list}, Backoff: func(int) time.Duration { return 50 * time.Millisecond }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { q.Run(ctx, jobs.RunOptions{PollInterval: 10 * time.Millisecond}); close(done) }()
	defer func() { cancel(); <-done }()

	id, err := svc.Request(context.Background(), nil, registry.CheckRequest{Subject: "account:test",
		Query: registry.PassportQuery{Series: pp.Series, Number: pp.Number, IssueDate: pp.IssueDate.Time,
			DivisionCode: pp.DivisionCode, Person: registry.Person{LastName: p.LastName, FirstName: p.FirstName,
				MiddleName: p.MiddleName, BirthDate: p.BirthDate.Time}}})
	if err != nil {
		t.Fatal(err)
	}
	var c registry.Check
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if c, err = svc.Get(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		if c.Status.Final() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the check is still pending (attempts %d, reason %q)", c.Attempts, c.Reason)
		}
	}
	// The list may take more than one backoff to load on a busy machine: any attempt after the
	// first may be the one that answers.
	if c.Status != registry.Invalid || c.Reason != registry.ReasonInvalidList || c.Attempts < 2 {
		t.Fatalf("%s (%s) after %d attempts; want invalid from the list at a later attempt, the first without an answer",
			c.Status, c.Reason, c.Attempts)
	}
}
