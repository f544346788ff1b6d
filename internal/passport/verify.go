package passport

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/passport/vds"
	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/internal/web"
)

// Outcome is the answer of a verification. Its text is the catalog's
// "passport.outcome.<code>" (Действителен, Аннулирован, …).
type Outcome string

// The outcomes.
const (
	OutcomeValid        Outcome = "valid"         // Действителен
	OutcomeSuspended    Outcome = "suspended"     // Приостановлен
	OutcomeAnnulled     Outcome = "annulled"      // Аннулирован
	OutcomeExpired      Outcome = "expired"       // Истёк срок
	OutcomeBadSignature Outcome = "bad_signature" // Подпись недействительна
	OutcomeUnrecognized Outcome = "unrecognized"  // Не распознан
	// OutcomeUnknownStatus: the seal is genuine and unexpired, but an offline verifier has no
	// status list fresh enough to say it was not annulled since.
	OutcomeUnknownStatus Outcome = "status_unknown"
)

// Result is a verification's answer with what a checker compares with the person: no more
// than the seal itself carries, and only when its signature holds.
type Result struct {
	Outcome Outcome
	// Reason is a code saying more about a refusal (the catalog's "passport.why.<code>").
	Reason   string
	Passport *Shown
	// ListIssued is when the status list used offline was signed (zero online, or when none).
	ListIssued time.Time
	ListAge    time.Duration
	Online     bool
}

// Shown is what a verification shows of a passport.
type Shown struct {
	Number     string
	Surname    string
	GivenNames string
	BirthDate  time.Time
	Sex        string
	Issued     time.Time
	Expires    time.Time
	Signer     string // the hex reference of the issuing certificate
}

// Reason codes.
const (
	WhyMalformed     = "malformed"
	WhyVersion       = "version"
	WhyUnknownSigner = "unknown_signer"
	WhyNotForSeals   = "not_for_passports"
	WhySignerInvalid = "signer_invalid"
	WhyMismatch      = "mismatch"
	WhyNotIssued     = "not_issued"
	WhyNoList        = "no_list"
	WhyStaleList     = "stale_list"
	WhyBadList       = "bad_list"
)

// checkSeal decodes a payload and checks its signature: the common first half of online and
// offline verification. A nil seal comes with the refusal.
func checkSeal(payload string, trust *vds.Trust, now time.Time) (*vds.Seal, Result) {
	s, err := vds.Decode(payload)
	if err != nil {
		why := WhyMalformed
		if errors.Is(err, vds.ErrVersion) {
			why = WhyVersion
		}
		return nil, Result{Outcome: OutcomeUnrecognized, Reason: why}
	}
	if _, err := trust.Verify(s); err != nil {
		why := WhyMismatch
		switch {
		case errors.Is(err, vds.ErrUnknownSigner):
			why = WhyUnknownSigner
		case errors.Is(err, vds.ErrNotForPassports):
			why = WhyNotForSeals
		case errors.Is(err, vds.ErrSignerInvalid):
			why = WhySignerInvalid
		}
		return nil, Result{Outcome: OutcomeBadSignature, Reason: why}
	}
	res := Result{Outcome: OutcomeValid, Passport: &Shown{Number: s.Number, Surname: s.Surname, GivenNames: s.GivenNames,
		BirthDate: s.BirthDate, Sex: s.Sex, Issued: s.Issued, Expires: s.Expires, Signer: s.Signer.String()}}
	if vds.Day(now).After(s.Expires) {
		res.Outcome = OutcomeExpired
	}
	return s, res
}

// Offline verifies a payload without the instance: the signature against trust, expiry
// against now, and annulment against a status list (nil: none), which must be signed by a
// trusted signer and at most maxAge old for the answer to be «Действителен».
func Offline(payload string, trust *vds.Trust, list *vds.StatusList, maxAge time.Duration, now time.Time) Result {
	s, res := checkSeal(payload, trust, now)
	if s == nil {
		return res
	}
	if list == nil {
		if res.Outcome == OutcomeValid {
			res.Outcome, res.Reason = OutcomeUnknownStatus, WhyNoList
		}
		return res
	}
	if err := trust.VerifyList(list); err != nil || list.Country != s.Country {
		if res.Outcome == OutcomeValid {
			res.Outcome, res.Reason = OutcomeUnknownStatus, WhyBadList
		}
		return res
	}
	res.ListIssued, res.ListAge = list.Issued, now.Sub(list.Issued)
	switch list.Lookup(s.Number) {
	case vds.Annulled:
		res.Outcome = OutcomeAnnulled
	case vds.Suspended:
		if res.Outcome != OutcomeExpired {
			res.Outcome = OutcomeSuspended
		}
	default:
		if res.Outcome == OutcomeValid && (res.ListAge > maxAge || res.ListAge < -5*time.Minute) {
			res.Outcome, res.Reason = OutcomeUnknownStatus, WhyStaleList
		}
	}
	return res
}

// Verify checks a payload online: the signature, then the passport's record — its status now
// and its expiry. A check of a genuine seal is recorded for its holder (who checked, when)
// and journaled; r is the checker's request (nil: none recorded as such).
func (s *Service) Verify(ctx context.Context, r *http.Request, payload string) (Result, error) {
	trust, err := s.Trust(ctx)
	if err != nil {
		return Result{}, err
	}
	now := s.now()
	seal, res := checkSeal(payload, trust, now)
	if seal == nil && res.Reason == WhyUnknownSigner {
		// Another instance of this installation may have rotated the key a moment ago.
		if trust, err = s.loadTrust(ctx); err != nil {
			return Result{}, err
		}
		seal, res = checkSeal(payload, trust, now)
	}
	res.Online = true
	if seal == nil {
		return res, nil
	}
	p, err := s.verifyRecord(ctx, seal.Number)
	if errors.Is(err, ErrNotFound) {
		return Result{Outcome: OutcomeBadSignature, Reason: WhyNotIssued, Online: true}, nil
	}
	if err != nil {
		return Result{}, err
	}
	if p.payload != payload && !sameSeal(p.payload, seal) {
		// A genuine seal of this number that is not the passport's current one.
		return Result{Outcome: OutcomeBadSignature, Reason: WhyNotIssued, Online: true}, nil
	}
	switch {
	case p.status == Annulled:
		res.Outcome = OutcomeAnnulled
	case res.Outcome == OutcomeExpired:
	case p.status == Suspended:
		res.Outcome = OutcomeSuspended
	}
	s.recordCheck(r, p.id, res.Outcome)
	return res, nil
}

// checked is what an online verification reads of a passport's record: not the holder's data
// nor the photo, which it need not open.
type checked struct {
	id      string
	status  Status
	payload string
}

func (s *Service) verifyRecord(ctx context.Context, number string) (*checked, error) {
	var c checked
	var status string
	var payload seal.Sealed
	err := s.db.Reader().QueryRowContext(ctx, `SELECT id, status, payload FROM passports WHERE number = $1`, number).
		Scan(&c.id, &status, &payload)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	c.status = Status(status)
	if c.payload, err = s.box.OpenString(colPayload, c.id, payload); err != nil {
		return nil, err
	}
	return &c, nil
}

func sameSeal(stored string, s *vds.Seal) bool {
	st, err := vds.Decode(stored)
	return err == nil && st.Equal(s)
}

// recordCheck records a check of p for its holder: queued, written with others shortly
// after (see checkRecorder), never holding up the answer.
func (s *Service) recordCheck(r *http.Request, passportID string, o Outcome) {
	kind, id, ip := string(audit.ActorAnonymous), "", ""
	if r != nil {
		if pr, ok := web.PrincipalOf(r); ok {
			kind, id = string(pr.Kind), pr.ID
		}
		if a := web.ClientIP(r); a.IsValid() {
			ip = a.String()
		}
	}
	checkID := db.NewID()
	s.checks.add(checkRow{id: checkID, passportID: passportID, at: s.now().UTC(), kind: kind, checkerID: id, outcome: o,
		ip: s.box.SealString(colIP, checkID, ip)})
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Check is one online verification of a passport, as its holder sees it.
type Check struct {
	At          time.Time
	CheckerKind string // a web.PrincipalKind, or "anonymous"
	CheckerID   string // the account, operator or API client; empty when anonymous
	Outcome     Outcome
}

// Checks lists the online verifications of a passport, newest first (at most limit), after
// writing those still queued, so that a holder sees every check made until then.
func (s *Service) Checks(ctx context.Context, passportID string, limit int) ([]Check, error) {
	if err := s.FlushChecks(ctx); err != nil {
		return nil, err
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT checked_at, checker_kind, checker_id, result FROM passport_checks
		WHERE passport_id = $1 ORDER BY checked_at DESC, id DESC LIMIT $2`, passportID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Check
	for rows.Next() {
		var c Check
		var id sql.NullString
		var o string
		if err := rows.Scan(&c.At, &c.CheckerKind, &id, &o); err != nil {
			return nil, err
		}
		c.At, c.CheckerID, c.Outcome = c.At.UTC(), id.String, Outcome(o)
		out = append(out, c)
	}
	return out, rows.Err()
}

// StatusList returns the signed status list: every suspended and annulled number with the
// time it was signed. It is signed anew after a status change, and at least every
// Options.StatusEvery, so that its age tells a verifier how current it is.
func (s *Service) StatusList(ctx context.Context) ([]byte, error) {
	now := s.now()
	s.mu.Lock()
	if s.list != nil && !s.dirty && now.Sub(s.listAt) < s.opt.StatusEvery {
		l := s.list
		s.mu.Unlock()
		return l, nil
	}
	s.dirty = false
	s.mu.Unlock()
	sg, err := s.currentSigner(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT number, status FROM passports WHERE status <> 'valid'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	l := &vds.StatusList{Country: s.opt.Country, Signer: sg.ref, Issued: now.Truncate(time.Second)}
	for rows.Next() {
		var number, status string
		if err := rows.Scan(&number, &status); err != nil {
			return nil, err
		}
		e := vds.Entry{Number: number, Status: vds.Suspended}
		if Status(status) == Annulled {
			e.Status = vds.Annulled
		}
		l.Entries = append(l.Entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	b, err := l.Sign(sg.key)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.list, s.listAt = b, now
	s.mu.Unlock()
	return b, nil
}
