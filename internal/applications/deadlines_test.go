package applications

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/services"
)

// clock is a controllable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// deadlineStore is a store with a job queue and a clock at Friday 4 December 2026, 12:00
// Moscow time; lapse changes the e-passport service's on_correction_lapse.
func deadlineStore(t *testing.T, d *db.DB, lapse services.Lapse) (*Store, *sent, *clock) {
	t.Helper()
	src := services.Builtin()
	files := fstest.MapFS{}
	err := fs.WalkDir(src.FS, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := fs.ReadFile(src.FS, p)
		if p == "e-passport.yaml" {
			b = bytes.Replace(b, []byte("on_correction_lapse: reject"), []byte("on_correction_lapse: "+string(lapse)), 1)
		}
		files[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := services.Load(services.Source{Name: "test", FS: files})
	if err != nil {
		t.Fatal(err)
	}
	if svc, _ := cat.Service("e-passport"); svc.Workflow.OnCorrectionLapse != lapse {
		t.Fatalf("the test service's lapse is %q", svc.Workflow.OnCorrectionLapse)
	}
	out := &sent{}
	c := &clock{t: time.Date(2026, 12, 4, 12, 0, 0, 0, moscow)}
	return NewStore(Options{DB: d, Box: testBox, Notify: out, Accounts: accounts{}, Services: cat,
		Now: c.now, Jobs: jobs.New(d)}), out, c
}

// queued is one deadline job as the queue holds it.
type queued struct {
	kind  string
	runAt time.Time
	job   *jobs.Job
}

// deadlineJobs lists the queued deadline jobs of an application, by kind.
func deadlineJobs(t *testing.T, s *Store, appID string) map[string][]queued {
	t.Helper()
	rows, err := s.db.Reader().QueryContext(context.Background(), `SELECT id, kind, payload, run_at FROM jobs
		WHERE kind LIKE 'applications.%' AND state = 'queued' ORDER BY run_at`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]queued{}
	for rows.Next() {
		var q queued
		var id, payload string
		if err := rows.Scan(&id, &q.kind, &payload, &q.runAt); err != nil {
			t.Fatal(err)
		}
		var task deadlineTask
		if err := json.Unmarshal([]byte(payload), &task); err != nil {
			t.Fatal(err)
		}
		if task.Application != appID {
			continue
		}
		q.runAt = q.runAt.UTC()
		q.job = &jobs.Job{ID: id, Kind: q.kind, Payload: []byte(payload), Attempt: 1}
		out[q.kind] = append(out[q.kind], q)
	}
	return out
}

// run runs a queued job's handler, as a worker would.
func run(t *testing.T, s *Store, q queued) error {
	t.Helper()
	h := map[string]jobs.Handler{JobRemind: s.runRemind, JobLapse: s.runLapse, JobChecksDue: s.runChecksDue}[q.kind]
	return h(context.Background(), q.job)
}

func (s *sent) kinds() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.msgs {
		out = append(out, string(m.Kind))
	}
	return out
}

func (s *sent) last() notify.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.msgs[len(s.msgs)-1]
}

// submitted is a submitted «Электронный паспорт» of acc, in review.
func submitted(t *testing.T, s *Store, acc string) *Application {
	t.Helper()
	ctx := context.Background()
	a, err := s.Create(ctx, nil, acc, "e-passport", "", passportValues())
	if err != nil {
		t.Fatal(err)
	}
	attachAll(t, s, acc, a)
	if a, err = s.Submit(ctx, nil, acc, a.ID, true); err != nil || a.State != InReview {
		t.Fatalf("submit: %v %v", a, err)
	}
	return a
}

// An operator asks for a correction on Friday 4 December 2026: the applicant has 3 working
// days, to Wednesday 9 December's end; they are reminded on Tuesday 8 December at 09:00, once;
// a lapse job woken early waits; at the deadline the application is rejected with the reason,
// and told; running the jobs again changes nothing.
func TestCorrectionLapseRejects(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, out, c := deadlineStore(t, d, services.LapseReject)
		a := submitted(t, s, "acc-1")
		a, err := s.AskCorrection(ctx, nil, "op-1", a.ID, Correction{Documents: []string{"photo"}, Remark: "Фото размыто"})
		if err != nil {
			t.Fatal(err)
		}
		due := time.Date(2026, 12, 9, 23, 59, 59, 0, moscow)
		if !a.Correction.Due.Equal(due) || !a.Deadline.Equal(due) || a.Correction.ID == "" {
			t.Fatalf("correction %+v, deadline %v", a.Correction, a.Deadline)
		}
		js := deadlineJobs(t, s, a.ID)
		if len(js[JobRemind]) != 1 || len(js[JobLapse]) != 1 {
			t.Fatalf("jobs %+v", js)
		}
		if want := time.Date(2026, 12, 8, 9, 0, 0, 0, moscow); !js[JobRemind][0].runAt.Equal(want) {
			t.Errorf("reminder at %v, want %v", js[JobRemind][0].runAt.In(moscow), want)
		}
		if !js[JobLapse][0].runAt.Equal(due) {
			t.Errorf("lapse at %v, want %v", js[JobLapse][0].runAt.In(moscow), due)
		}

		c.set(time.Date(2026, 12, 8, 9, 0, 0, 0, moscow))
		before := len(out.kinds())
		for range 2 { // a worker that died after the first run: the second sends nothing
			if err := run(t, s, js[JobRemind][0]); err != nil {
				t.Fatal(err)
			}
		}
		if got := out.kinds()[before:]; len(got) != 1 || got[0] != string(notify.DeadlineReminder) {
			t.Fatalf("reminders %v", got)
		}
		m := out.last()
		if !m.Data["Deadline"].(time.Time).Equal(due) || !strings.Contains(m.Data["What"].(string), a.Number) ||
			m.Data["Path"] != "/applications/"+a.ID {
			t.Errorf("reminder %+v", m.Data)
		}

		c.set(time.Date(2026, 12, 9, 18, 0, 0, 0, moscow))
		if err := run(t, s, js[JobLapse][0]); !errors.Is(err, errNotYet) {
			t.Fatalf("a lapse before the deadline: %v", err)
		}
		if a, _ = s.Get(ctx, a.ID); a.State != NeedsCorrection {
			t.Fatalf("lapsed early: %s", a.State)
		}

		c.set(time.Date(2026, 12, 10, 0, 0, 5, 0, moscow))
		for range 2 {
			if err := run(t, s, js[JobLapse][0]); err != nil {
				t.Fatal(err)
			}
		}
		a, _ = s.Get(ctx, a.ID)
		if a.State != Rejected || a.Reason != "Запрошенные сведения не представлены в срок (до 09.12.2026 23:59 МСК)." {
			t.Fatalf("after the lapse: %s %q", a.State, a.Reason)
		}
		evs, _ := s.Events(ctx, a.ID)
		last := evs[len(evs)-1]
		if len(evs) != 5 || last.Action != Reject || last.ActorKind != System || last.Note != a.Reason {
			t.Fatalf("history %+v", evs)
		}
		if got := strings.Join(out.statuses(), ","); got != "В обработке,Ожидает ответа,Отклонено" {
			t.Fatalf("told %v", got)
		}
	})
}

// An applicant who corrects in time is neither reminded nor rejected; the jobs of a request
// asked again later belong to that request only.
func TestCorrectionInTimeDisarmsTheJobs(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, out, c := deadlineStore(t, d, services.LapseReject)
		a := submitted(t, s, "acc-1")
		a, _ = s.AskCorrection(ctx, nil, "op-1", a.ID, Correction{Documents: []string{"photo"}, Remark: "Фото размыто"})
		first := deadlineJobs(t, s, a.ID)
		if _, err := s.Attach(ctx, nil, "acc-1", a.ID, "photo", db.NewID()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Corrected(ctx, nil, "acc-1", a.ID, ""); err != nil {
			t.Fatal(err)
		}
		// Asked again on Monday 7 December: due Thursday 10 December.
		c.set(time.Date(2026, 12, 7, 10, 0, 0, 0, moscow))
		a, err := s.AskCorrection(ctx, nil, "op-1", a.ID, Correction{Fields: []string{"address"}, Remark: "Уточните адрес"})
		if err != nil {
			t.Fatal(err)
		}
		told := len(out.kinds())
		c.set(time.Date(2026, 12, 10, 12, 0, 0, 0, moscow)) // past the first request's deadline
		for _, q := range append(first[JobRemind], first[JobLapse]...) {
			if err := run(t, s, q); err != nil {
				t.Fatal(err)
			}
		}
		if a, _ = s.Get(ctx, a.ID); a.State != NeedsCorrection || len(out.kinds()) != told {
			t.Fatalf("the first request's jobs acted on the second: %s, %v", a.State, out.kinds()[told:])
		}
		second := deadlineJobs(t, s, a.ID)
		var lapse queued
		for _, q := range second[JobLapse] {
			if !q.runAt.Equal(first[JobLapse][0].runAt) {
				lapse = q
			}
		}
		if want := time.Date(2026, 12, 10, 23, 59, 59, 0, moscow); !lapse.runAt.Equal(want) {
			t.Fatalf("the second lapse at %v, want %v", lapse.runAt, want)
		}
		if _, err := s.Corrected(ctx, nil, "acc-1", a.ID, ""); err != nil {
			t.Fatal(err)
		}
		c.set(time.Date(2026, 12, 11, 12, 0, 0, 0, moscow))
		if err := run(t, s, lapse); err != nil {
			t.Fatal(err)
		}
		if a, _ = s.Get(ctx, a.ID); a.State != InReview {
			t.Fatalf("corrected in time, then %s", a.State)
		}
	})
}

// A service whose lapse pauses keeps the application waiting for the applicant, without a
// deadline, says so, and still takes the answer.
func TestCorrectionLapsePauses(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, out, c := deadlineStore(t, d, services.LapsePause)
		a := submitted(t, s, "acc-1")
		a, _ = s.AskCorrection(ctx, nil, "op-1", a.ID, Correction{Documents: []string{"photo"}, Remark: "Фото размыто"})
		js := deadlineJobs(t, s, a.ID)
		c.set(time.Date(2026, 12, 10, 9, 0, 0, 0, moscow))
		for range 2 {
			if err := run(t, s, js[JobLapse][0]); err != nil {
				t.Fatal(err)
			}
		}
		a, _ = s.Get(ctx, a.ID)
		if a.State != NeedsCorrection || !a.Deadline.IsZero() || a.Correction == nil || a.Correction.Lapsed.IsZero() ||
			a.Correction.Remark != "Фото размыто" || !a.DocumentEditable("photo") {
			t.Fatalf("paused: %s %v %+v", a.State, a.Deadline, a.Correction)
		}
		evs, _ := s.Events(ctx, a.ID)
		if n := len(evs); evs[n-1].Action != Pause || evs[n-2].Action == Pause {
			t.Fatalf("history %+v", evs)
		}
		if got := out.statuses(); got[len(got)-1] != "Ожидает ответа — срок дополнения истёк, рассмотрение приостановлено" {
			t.Fatalf("told %v", got)
		}
		// The reminder of a paused request is not sent late.
		c.set(time.Date(2026, 12, 10, 10, 0, 0, 0, moscow))
		n := len(out.kinds())
		if err := run(t, s, js[JobRemind][0]); err != nil || len(out.kinds()) != n {
			t.Fatalf("a late reminder: %v %v", err, out.kinds()[n:])
		}
		if _, err := s.Attach(ctx, nil, "acc-1", a.ID, "photo", db.NewID()); err != nil {
			t.Fatal(err)
		}
		if a, err := s.Corrected(ctx, nil, "acc-1", a.ID, ""); err != nil || a.State != InReview {
			t.Fatalf("the answer after the pause: %v %v", a, err)
		}
	})
}

// inChecks is a submitted application stopped in the automatic checks (the built-in
// submission passes them at once, as the application's own data has no registry checks yet).
func inChecks(t *testing.T, s *Store, acc string) *Application {
	t.Helper()
	ctx := context.Background()
	a, _ := s.Create(ctx, nil, acc, "e-passport", "", passportValues())
	attachAll(t, s, acc, a)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = s.get(ctx, tx, a.ID, acc); err != nil {
			return err
		}
		if a.Number, err = nextNumber(ctx, tx, 2026); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE applications SET number = $2, submitted_at = $3 WHERE id = $1`, a.ID, a.Number, s.now()); err != nil {
			return err
		}
		if err := s.act(ctx, tx, nil, a, change{action: Submit, who: Actor{Applicant, acc}, quiet: true}); err != nil {
			return err
		}
		return s.act(ctx, tx, nil, a, change{action: StartChecks, who: Actor{System, "applications"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The automatic checks are due within 24 hours; when they are not done by then the system
// extends them, once, to 72 hours from their start, and tells the applicant; an operator may
// not extend them a second time; a finished check's job does nothing.
func TestChecksExtension(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, out, c := deadlineStore(t, d, services.LapseReject)
		start := c.now()
		a := inChecks(t, s, "acc-1")
		if a.State != RegistryChecks || !a.Deadline.Equal(start.Add(24*time.Hour)) {
			t.Fatalf("checks: %s due %v", a.State, a.Deadline)
		}
		js := deadlineJobs(t, s, a.ID)[JobChecksDue]
		if len(js) != 1 || !js[0].runAt.Equal(a.Deadline) {
			t.Fatalf("checks jobs %+v", js)
		}
		c.set(start.Add(23 * time.Hour))
		if err := run(t, s, js[0]); !errors.Is(err, errNotYet) {
			t.Fatalf("extended before the deadline: %v", err)
		}
		c.set(start.Add(24*time.Hour + time.Minute))
		for range 2 {
			if err := run(t, s, js[0]); err != nil {
				t.Fatal(err)
			}
		}
		a, _ = s.Get(ctx, a.ID)
		if a.State != RegistryChecks || !a.Deadline.Equal(start.Add(72*time.Hour)) {
			t.Fatalf("extended: %s due %v", a.State, a.Deadline.In(moscow))
		}
		if got := out.statuses(); len(got) != 2 || got[1] != "В обработке — срок проверки продлён до 07.12.2026 12:00 МСК" {
			t.Fatalf("told %v", got)
		}
		evs, _ := s.Events(ctx, a.ID)
		if e := evs[len(evs)-1]; e.Action != ExtendChecks || e.ActorKind != System {
			t.Fatalf("history %+v", evs)
		}
		if _, err := s.ExtendChecks(ctx, Actor{Operator, "op-1"}, a.ID); errs.IDOf(err) != "applications.not_extendable" {
			t.Fatalf("a second extension: %v", err)
		}
		if _, err := s.ExtendChecks(ctx, Actor{Applicant, "acc-1"}, a.ID); errs.IDOf(err) != "applications.not_allowed" {
			t.Fatalf("the applicant extends: %v", err)
		}

		// An operator extends another application's checks; one that passed its checks has
		// nothing to extend, and its job does nothing.
		b := inChecks(t, s, "acc-2")
		if b, err := s.ExtendChecks(ctx, Actor{Operator, "op-1"}, b.ID); err != nil || !b.Deadline.Equal(c.now().Add(72*time.Hour)) {
			t.Fatalf("operator's extension: %v %v", b, err)
		}
		p := submitted(t, s, "acc-3")
		if _, err := s.ExtendChecks(ctx, Actor{System, "applications"}, p.ID); errs.IDOf(err) != "applications.not_allowed" {
			t.Fatalf("extended an application in review: %v", err)
		}
		pj := deadlineJobs(t, s, p.ID)[JobChecksDue]
		c.set(c.now().Add(25 * time.Hour))
		if err := run(t, s, pj[0]); err != nil {
			t.Fatal(err)
		}
		if p, _ = s.Get(ctx, p.ID); p.State != InReview {
			t.Fatalf("the passed application: %s", p.State)
		}
	})
}
