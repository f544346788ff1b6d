package passport

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/passport/vds"
	"github.com/sep-platform/sep/internal/seal"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var testBox = seal.NewBox(seal.GenerateRing(), nil)

func rootKey(t testing.TB) *gost3410.PrivateKey {
	c, _ := gost3410.CurveByName("tc26-256-A")
	k, err := gost3410.GenerateKey(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newService(t *testing.T, d *db.DB, c *clock) *Service {
	s, err := New(Options{DB: d, Box: testBox, RootKey: rootKey(t), Now: c.now, Agency: "Test"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestIssueAndVerify(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := &clock{t: time.Date(2025, 5, 20, 10, 0, 0, 0, time.UTC)}
		s := newService(t, d, c)
		p, err := s.IssueDemo(ctx, 1, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(p.MRZ[0]) != 44 || !strings.HasPrefix(p.MRZ[0], "P<RUSPRIMEROV<<PETR<IVANOVICH") || p.MRZ[1][:9] != p.Number {
			t.Fatalf("MRZ %q", p.MRZ)
		}
		got, err := s.ByNumber(ctx, p.Number)
		if err != nil || got.Holder.Surname != "Примеров" || got.Payload != p.Payload || got.Status != Valid || got.MRZ != p.MRZ {
			t.Fatalf("stored %+v, %v", got, err)
		}
		outcome := func(payload string) Result {
			t.Helper()
			r, err := s.Verify(ctx, nil, payload)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		r := outcome(p.Payload)
		if r.Outcome != OutcomeValid || r.Passport.Surname != "Примеров" || r.Passport.Number != p.Number {
			t.Fatalf("%+v", r)
		}
		for payload, want := range map[string]Outcome{"": OutcomeUnrecognized, "garbage": OutcomeUnrecognized,
			strings.Repeat("SEP1:", 100000): OutcomeUnrecognized, p.Payload[:len(p.Payload)-3] + "000": OutcomeBadSignature} {
			if r := outcome(payload); r.Outcome != want {
				t.Errorf("%.30q: %s, want %s", payload, r.Outcome, want)
			}
		}
		// Another instance's key (its root is not trusted here).
		other := newService(t, dbtest.Open(t, dbtest.SQLiteURL(t)), c)
		op, err := other.IssueDemo(ctx, 1, "")
		if err != nil {
			t.Fatal(err)
		}
		if r := outcome(op.Payload); r.Outcome != OutcomeBadSignature || r.Reason != WhyUnknownSigner || r.Passport != nil {
			t.Errorf("another instance's seal: %+v", r)
		}

		if err := s.Suspend(ctx, nil, p.Number, ReasonLost); err != nil {
			t.Fatal(err)
		}
		if r := outcome(p.Payload); r.Outcome != OutcomeSuspended {
			t.Errorf("suspended: %s", r.Outcome)
		}
		if err := s.Reinstate(ctx, nil, p.Number); err != nil {
			t.Fatal(err)
		}
		if err := s.Annul(ctx, nil, p.Number, ""); !errors.Is(err, ErrReason) {
			t.Errorf("annul without a reason: %v", err)
		}
		if err := s.Annul(ctx, nil, p.Number, ReasonOperator); err != nil {
			t.Fatal(err)
		}
		if r := outcome(p.Payload); r.Outcome != OutcomeAnnulled {
			t.Errorf("annulled: %s", r.Outcome)
		}
		if err := s.Reinstate(ctx, nil, p.Number); !errors.Is(err, ErrAnnulled) {
			t.Errorf("reinstate an annulled one: %v", err)
		}
		// The holder's list has the three checks (made at one instant of the test clock, so in
		// no particular order among themselves), each by an anonymous checker.
		checks, err := s.Checks(ctx, p.ID, 100)
		outcomes := map[Outcome]bool{}
		for _, c := range checks {
			outcomes[c.Outcome] = c.CheckerKind == "anonymous"
		}
		if err != nil || len(checks) != 3 || !outcomes[OutcomeValid] || !outcomes[OutcomeSuspended] || !outcomes[OutcomeAnnulled] {
			t.Errorf("checks %+v, %v", checks, err)
		}

		// Expiry: ten years on, an unannulled one is «Истёк срок».
		q, _ := s.IssueDemo(ctx, 2, "")
		c.add(11 * 365 * 24 * time.Hour)
		if r := outcome(q.Payload); r.Outcome != OutcomeExpired {
			t.Errorf("expired: %s", r.Outcome)
		}
	})
}

func TestOfflineAndRotation(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := &clock{t: time.Date(2025, 5, 20, 10, 0, 0, 0, time.UTC)}
		s := newService(t, d, c)
		p, _ := s.IssueDemo(ctx, 1, "")
		q, _ := s.IssueDemo(ctx, 2, "")
		old := p.SignerID
		if _, err := s.Rotate(ctx); err != nil {
			t.Fatal(err)
		}
		r3, _ := s.IssueDemo(ctx, 3, "")
		if r3.SignerID == old {
			t.Fatal("rotation kept the key")
		}
		if err := s.Annul(ctx, nil, q.Number, ReasonCompromised); err != nil {
			t.Fatal(err)
		}
		// What an offline verifier has: the root alone as trust, the published certificates,
		// and the status list.
		rootPEM, _ := s.RootCertificate(ctx)
		certsPEM, _ := s.Certificates(ctx)
		roots, _ := gostx509.ParseCertificatesPEM(rootPEM)
		certs, _ := gostx509.ParseCertificatesPEM(certsPEM)
		trust := vds.NewTrust(roots, certs)
		b, err := s.StatusList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		list, err := vds.ParseStatusList(b)
		if err != nil {
			t.Fatal(err)
		}
		now := c.now().Add(time.Hour)
		for _, tc := range []struct {
			name    string
			payload string
			list    *vds.StatusList
			at      time.Time
			want    Outcome
		}{
			{"old key, fresh list", p.Payload, list, now, OutcomeValid},
			{"new key, fresh list", r3.Payload, list, now, OutcomeValid},
			{"annulled, fresh list", q.Payload, list, now, OutcomeAnnulled},
			{"annulled, stale list", q.Payload, list, now.Add(48 * time.Hour), OutcomeAnnulled},
			{"valid, stale list", p.Payload, list, now.Add(48 * time.Hour), OutcomeUnknownStatus},
			{"valid, no list", p.Payload, nil, now, OutcomeUnknownStatus},
		} {
			r := Offline(tc.payload, trust, tc.list, 24*time.Hour, tc.at)
			if r.Outcome != tc.want {
				t.Errorf("%s: %s (%s)", tc.name, r.Outcome, r.Reason)
			}
			if tc.list != nil && r.ListAge != tc.at.Sub(list.Issued) {
				t.Errorf("%s: list age %v", tc.name, r.ListAge)
			}
		}
		// A list signed by a stranger is no list.
		other := newService(t, dbtest.Open(t, dbtest.SQLiteURL(t)), c)
		ob, _ := other.StatusList(ctx)
		ol, _ := vds.ParseStatusList(ob)
		if r := Offline(p.Payload, trust, ol, 24*time.Hour, now); r.Outcome != OutcomeUnknownStatus || r.Reason != WhyBadList {
			t.Errorf("a stranger's list: %+v", r)
		}
		// Online, the old key's passport still verifies after the rotation.
		if r, _ := s.Verify(ctx, nil, p.Payload); r.Outcome != OutcomeValid {
			t.Errorf("online after rotation: %s", r.Outcome)
		}
	})
}
