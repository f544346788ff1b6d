package registry_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/ruid"
)

func TestRequestInTheCallersTransaction(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := start(t, d, options{})
		p := tagged(t, "basic")
		ctx := context.Background()
		boom := errors.New("the caller's change failed")
		var id string
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			id, err = e.svc.Request(ctx, tx, registry.CheckRequest{Subject: "account:A",
				Query: registry.SNILSQuery{SNILS: p.SNILS, Person: personOf(p)}})
			if err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if _, err := e.svc.Get(ctx, id); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("a check requested in a rolled-back transaction: %v", err)
		}
		var n int
		if err := d.Reader().QueryRowContext(ctx, `SELECT count(*) FROM jobs`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d jobs left by a rolled-back request (%v)", n, err)
		}

		err = d.Tx(ctx, func(tx *sql.Tx) error {
			id, err = e.svc.Request(ctx, tx, registry.CheckRequest{Subject: "account:A",
				Query: registry.SNILSQuery{SNILS: p.SNILS, Person: personOf(p)}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if c := e.wait(t, id); c.Status != registry.Confirmed {
			t.Fatalf("committed request: %s", c.Status)
		}
	})
}

func TestBadRequestsChangeNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := start(t, d, options{})
		p := tagged(t, "basic")
		ctx := context.Background()
		for _, c := range []struct {
			req   registry.CheckRequest
			field string
			code  ruid.Code
		}{
			{registry.CheckRequest{Subject: "a", Query: registry.SNILSQuery{SNILS: "112-233-445 94", Person: personOf(p)}},
				registry.FieldSNILS, ruid.SNILSChecksum},
			{registry.CheckRequest{Subject: "a", Query: registry.SNILSQuery{SNILS: p.SNILS}}, registry.FieldLastName, ""},
			{registry.CheckRequest{Subject: "a", Query: registry.PassportQuery{Series: "45 0", Number: "123456"}},
				registry.FieldSeries, ruid.PassportSeriesLength},
			{registry.CheckRequest{Subject: "", Query: registry.LegalQuery{OGRN: "1027700132195"}}, "", ""},
			{registry.CheckRequest{Subject: "a"}, "query", ""},
		} {
			_, err := e.svc.Request(ctx, nil, c.req)
			if errs.KindOf(err) != errs.Invalid {
				t.Fatalf("%+v: %v, want invalid", c.req, err)
			}
			var fe *registry.FieldError
			if c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field) {
				t.Fatalf("%+v: %v, want a field error in %s", c.req, err, c.field)
			}
			var re *ruid.Error
			if c.code != "" && (!errors.As(err, &re) || re.Code != c.code) {
				t.Fatalf("%+v: %v, want ruid code %s", c.req, err, c.code)
			}
		}
		var n int
		if err := d.Reader().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM jobs) + (SELECT count(*) FROM registry_checks)`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("bad requests left %d rows (%v)", n, err)
		}
	})
}

// What a check asked and what the registry answered are personal data: the row holds them
// sealed, and reads them back whole.
func TestChecksAreSealedAtRest(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := start(t, d, options{})
		p := tagged(t, "entrepreneur")
		id := e.request(t, "account:A", registry.INNQuery{INN: p.INN, Person: personOf(p)})
		got := e.wait(t, id)
		var raw []byte
		var extract []byte
		if err := d.Reader().QueryRow(`SELECT query, extract FROM registry_checks WHERE id = $1`, id).Scan(&raw, &extract); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{p.INN, p.LastName, p.FirstName, p.BirthDate.Time.Format("2006-01-02")} {
			if bytes.Contains(raw, []byte(v)) || bytes.Contains(extract, []byte(v)) {
				t.Errorf("the stored check holds a personal value in clear")
			}
		}
		if q, ok := got.Query.(registry.INNQuery); !ok || q.INN != p.INN || q.LastName != p.LastName {
			t.Fatalf("the sealed query does not read back: %+v", got.Query)
		}
		// A sealed query copied into another check does not open: it is bound to its row.
		other := e.request(t, "account:B", registry.INNQuery{INN: p.INN, Person: personOf(p)})
		e.wait(t, other)
		if _, err := d.Writer().Exec(`UPDATE registry_checks SET query = $1 WHERE id = $2`, raw, other); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Get(context.Background(), other); !errors.Is(err, seal.ErrMisplaced) {
			t.Fatalf("a query moved to another row: %v, want seal.ErrMisplaced", err)
		}
	})
}

// A check superseded by a newer one of the same subject and registry goes after its period;
// the newest of each stays, whatever its age.
func TestPurgeSuperseded(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := start(t, d, options{})
		p := tagged(t, "basic")
		snils := registry.SNILSQuery{SNILS: p.SNILS, Person: personOf(p)}
		inn := registry.INNQuery{INN: p.INN, Person: personOf(p)}
		var ids []string
		for _, c := range []struct {
			subject string
			q       registry.Query
		}{{"account:A", snils}, {"account:A", snils}, {"account:A", snils}, {"account:A", inn}, {"account:B", snils}} {
			ids = append(ids, e.request(t, c.subject, c.q))
		}
		for _, id := range ids {
			e.wait(t, id)
		}
		// Four years pass for all but the newest СНИЛС check of account A.
		old := time.Now().Add(-4 * 365 * 24 * time.Hour).UTC()
		for i, id := range []string{ids[0], ids[1], ids[3], ids[4]} {
			if _, err := d.Writer().Exec(`UPDATE registry_checks SET requested_at = $1 WHERE id = $2`,
				old.Add(time.Duration(i)*time.Minute), id); err != nil {
				t.Fatal(err)
			}
		}
		n, err := e.svc.PurgeSuperseded(context.Background(), time.Now().Add(-3*365*24*time.Hour), 100)
		if err != nil || n != 2 {
			t.Fatalf("PurgeSuperseded = %d, %v; want the two superseded СНИЛС checks of A", n, err)
		}
		for i, id := range ids {
			_, err := e.svc.Get(context.Background(), id)
			if gone := errs.KindOf(err) == errs.NotFound; gone != (i < 2) {
				t.Errorf("check %d: gone %v", i, gone)
			}
		}
	})
}

// Given a pool instead of a transaction, Request and Rerun still store the check and its job
// together: when the job cannot be stored, neither is the check's change.
func TestRequestAndRerunThroughAPoolAreAtomic(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := start(t, d, options{adapters: &registry.Adapters{}}) // no registry: checks end at once
		p := tagged(t, "basic")
		ctx := context.Background()
		req := registry.CheckRequest{Subject: "account:A", Query: registry.SNILSQuery{SNILS: p.SNILS, Person: personOf(p)}}
		done := e.wait(t, e.request(t, "account:A", req.Query))
		if done.Status != registry.Unavailable {
			t.Fatalf("a check without a registry: %s", done.Status)
		}
		// From now on no job can be stored.
		if _, err := d.Writer().ExecContext(ctx, `ALTER TABLE jobs RENAME TO jobs_gone`); err != nil {
			t.Fatal(err)
		}
		for _, x := range []db.Querier{d.Writer(), nil} {
			if _, err := e.svc.Request(ctx, x, req); err == nil {
				t.Fatal("a request whose job cannot be stored succeeded")
			}
			if err := e.svc.Rerun(ctx, x, done.ID); err == nil {
				t.Fatal("a rerun whose job cannot be stored succeeded")
			}
		}
		cs, err := e.svc.List(ctx, "account:A")
		if err != nil || len(cs) != 1 {
			t.Fatalf("the subject has %d checks (%v), want only the first: failed requests left checks without jobs", len(cs), err)
		}
		if c, err := e.svc.Get(ctx, done.ID); err != nil || c.Status != registry.Unavailable || c.Run != done.Run {
			t.Fatalf("after failed reruns the check is %s in run %d (%v), want unavailable in run %d",
				c.Status, c.Run, err, done.Run)
		}
	})
}
