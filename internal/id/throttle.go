package id

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/sep-platform/sep/internal/hits"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/web"
	"github.com/sep-platform/sep/ruid"
)

// Sign-in throttling, in layers, on by default, its counters in the database (table
// id_throttle) so that every instance counts together:
//
//   - Per login: LockAfter failures (wrong passwords and wrong second-factor answers alike)
//     lock password sign-in of that login for LockFor, doubling with each lock in a row up to
//     LockMax — always for a time, so that nobody can shut a citizen out for good; the owner
//     gets back in earlier by recovery (the OnRecovered hook lifts the lock). The counter is
//     keyed by a keyed digest of the normalised login, whether or not an account has it: an
//     unknown login is locked and answered exactly like a known one, and costs the same time
//     (the password is hashed against a dummy). Locks in a row are remembered until a
//     successful sign-in or a recovery (or 30 days of quiet, when the row is purged).
//   - Per address (the client's IP; an IPv6 /64, which one subscriber usually holds whole) and
//     per address and login: attempts per minute (AddressLimits, AddressLoginLimits). These
//     protect the password hasher — each check costs memory and a core — more than the
//     passwords, which the per-login lock protects.
//   - A CAPTCHA (captcha.go) from CaptchaAfter failures of the login, or of the address within
//     the last hour, and on every attempt at a login that has been locked before.
//
// An attempt is counted before its password is checked (a reservation, taken back if the
// password is right), so that a burst of parallel guesses cannot outrun the lock: the
// LockAfter-th reservation is the last guess until the lock ends.
//
// Each login of an account (its phone, e-mail, СНИЛС, ИНН) has its own counter: a lock never
// tells which logins belong to one account. A successful sign-in and a recovery clear all of
// them.

// Throttle configures sign-in throttling (Options.Throttle); a zero field takes its default
// from DefaultThrottle.
type Throttle struct {
	LockAfter          int           // failures of one login before its sign-in locks
	LockFor            time.Duration // the first lock; each lock in a row doubles it
	LockMax            time.Duration // the longest lock
	CaptchaAfter       int           // failures of one login or address before a CAPTCHA is asked
	AddressLimits      []Limit       // sign-in attempts from one address
	AddressLoginLimits []Limit       // sign-in attempts at one login from one address
}

// Limit allows at most N events within Per.
type Limit struct {
	N   int
	Per time.Duration
}

// DefaultThrottle is the throttling of the product's rules: 5 failures lock for 15 minutes,
// doubling up to a day; a CAPTCHA after 3; generous per-address limits, since a whole
// carrier's subscribers may share one address.
var DefaultThrottle = Throttle{
	LockAfter: 5, LockFor: 15 * time.Minute, LockMax: 24 * time.Hour, CaptchaAfter: 3,
	AddressLimits:      []Limit{{N: 30, Per: time.Minute}},
	AddressLoginLimits: []Limit{{N: 10, Per: time.Minute}},
}

func (t Throttle) withDefaults() Throttle {
	d := DefaultThrottle
	if t.LockAfter > 0 {
		d.LockAfter = t.LockAfter
	}
	if t.LockFor > 0 {
		d.LockFor = t.LockFor
	}
	if t.LockMax > 0 {
		d.LockMax = t.LockMax
	}
	if t.CaptchaAfter > 0 {
		d.CaptchaAfter = t.CaptchaAfter
	}
	if t.AddressLimits != nil {
		d.AddressLimits = t.AddressLimits
	}
	if t.AddressLoginLimits != nil {
		d.AddressLoginLimits = t.AddressLoginLimits
	}
	d.LockMax = max(d.LockMax, d.LockFor)
	return d
}

// lockFor is the length of the n-th lock in a row (n ≥ 1).
func (t Throttle) lockFor(n int) time.Duration {
	d := t.LockFor
	for i := 1; i < n && d < t.LockMax; i++ {
		d *= 2
	}
	return min(d, t.LockMax)
}

const (
	// loginMemory is how long a failure counts toward its login's lock.
	loginMemory = 24 * time.Hour
	// addressMemory is how long a failure from an address makes it answer a CAPTCHA.
	addressMemory = time.Hour
)

// The scopes of id_throttle rows.
const (
	scopeLogin     = "login"
	scopeAddr      = "addr"
	scopeAddrLogin = "addr_login"
	scopeAddrFail  = "addr_fail"
)

// purposeThrottle keys the digests of logins and addresses in id_throttle. After a data-key
// rotation the digests change and the counters start afresh (and a lock in force is lifted):
// rotations are rare and made by an operator, and a person is never locked out for it.
const purposeThrottle = "sep id sign-in throttle v1"

func (s *Service) throttleKey(scope, value string) string {
	m := hmac.New(streebog.New256, s.box.Ring().Derive(purposeThrottle))
	m.Write([]byte(scope + "\x00" + value))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// normalLogin is what a login is counted by: the one canonical form of the phone, address,
// СНИЛС or ИНН it reads as (in that order, as sign-in tries them), so that every spelling of
// it counts together; anything else, trimmed and in lower case.
func normalLogin(login string) string {
	login = strings.TrimSpace(login)
	if strings.Contains(login, "@") {
		if v, err := emailKey(login); err == nil {
			return "email:" + v
		}
	} else {
		if v, err := ruid.Phone(login); err == nil {
			return "phone:" + v
		}
		if v, err := ruid.SNILS(login); err == nil {
			return "snils:" + v
		}
		if v, err := ruid.INNPerson(login); err == nil {
			return "inn:" + v
		}
	}
	return "other:" + strings.ToLower(login)
}

// clientAddr is the address a request is counted by: the client's IPv4 address, or the /64
// of its IPv6 address (an IPv6 subscriber is given a whole /64 and could otherwise change
// address at every guess).
func clientAddr(r *http.Request) string {
	if r == nil {
		return "none"
	}
	a := web.ClientIP(r)
	if !a.IsValid() { // a request that did not pass through the site (tests, jobs)
		if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
			a = ap.Addr()
		}
	}
	a = a.Unmap()
	switch {
	case !a.IsValid():
		return "none"
	case a.Is6():
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// signInKeys are the counters one sign-in attempt touches.
type signInKeys struct {
	login, addr, addrLogin, addrFail string
}

func (s *Service) signInKeys(r *http.Request, login string) signInKeys {
	l, a := normalLogin(login), clientAddr(r)
	return signInKeys{login: s.throttleKey(scopeLogin, l), addr: s.throttleKey(scopeAddr, a),
		addrLogin: s.throttleKey(scopeAddrLogin, a+"\x00"+l), addrFail: s.throttleKey(scopeAddrFail, a)}
}

// LockedError says that password sign-in of a login is locked until Until. It is wrapped in
// errs.E(errs.TooMany, "id.signin_locked", …); the message says until when (Moscow time) and
// that recovery lets the owner in earlier.
type LockedError struct {
	Until time.Time
	wait  time.Duration
}

func (e *LockedError) Error() string {
	return "id: sign-in is locked until " + e.Until.UTC().Format(time.RFC3339)
}

// RetryAfter is the time left (web.RetryLater: the Retry-After header).
func (e *LockedError) RetryAfter() time.Duration { return e.wait }

func (s *Service) locked(until time.Time) error {
	return errs.E(errs.TooMany, "id.signin_locked", &LockedError{Until: until.UTC(), wait: until.Sub(s.now())})
}

// counter is one row of id_throttle.
type counter struct {
	scope, key  string
	hits        []time.Time // ascending
	locks       int
	lockedUntil time.Time
}

// loadCounter returns the row, locked for the rest of tx (PostgreSQL: FOR UPDATE; SQLite has
// one writer), made empty if it did not exist, with hits since since.
func (s *Service) loadCounter(ctx context.Context, tx *sql.Tx, scope, key string, since time.Time) (*counter, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO id_throttle (scope, key_hash, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (scope, key_hash) DO NOTHING`, scope, key, s.now().UTC()); err != nil {
		return nil, fmt.Errorf("id: throttle: %w", err)
	}
	lock := ""
	if s.db.Dialect() == db.Postgres {
		lock = " FOR UPDATE"
	}
	c := &counter{scope: scope, key: key}
	var raw string
	var until sql.NullTime
	if err := tx.QueryRowContext(ctx, `SELECT hits, locks, locked_until FROM id_throttle WHERE scope = $1 AND key_hash = $2`+lock,
		scope, key).Scan(&raw, &c.locks, &until); err != nil {
		return nil, fmt.Errorf("id: throttle: %w", err)
	}
	c.hits, c.lockedUntil = hits.Parse(raw, since), until.Time.UTC()
	return c, nil
}

// save stores the row, keeping only the newest keep hits (all that a limit of keep needs).
func (c *counter) save(ctx context.Context, tx *sql.Tx, now time.Time, keep int) error {
	if len(c.hits) > keep {
		c.hits = c.hits[len(c.hits)-keep:]
	}
	_, err := tx.ExecContext(ctx, `UPDATE id_throttle SET hits = $3, locks = $4, locked_until = $5, updated_at = $6
		WHERE scope = $1 AND key_hash = $2`, c.scope, c.key, hits.Format(c.hits), c.locks, nullTime(c.lockedUntil), now.UTC())
	if err != nil {
		return fmt.Errorf("id: throttle: %w", err)
	}
	return nil
}

// wait is how long until every limit allows one more hit (0: now).
func (c *counter) wait(now time.Time, limits []Limit) time.Duration {
	var wait time.Duration
	for _, l := range limits {
		var in []time.Time
		for _, h := range c.hits {
			if h.After(now.Add(-l.Per)) {
				in = append(in, h)
			}
		}
		if len(in) >= l.N {
			// The window frees a place when its oldest counted hit leaves it.
			wait = max(wait, in[len(in)-l.N].Add(l.Per).Sub(now))
		}
	}
	return wait
}

func longest(limits []Limit) (per time.Duration, n int) {
	for _, l := range limits {
		per, n = max(per, l.Per), max(n, l.N)
	}
	return per, n
}

// attempt is a sign-in attempt let through: its reservation on the login's counter is taken
// back if the answer is right (refund) and becomes a failure otherwise (failed).
type attempt struct {
	keys     signInKeys
	at       time.Time // the reserved hit
	password bool      // a password attempt (not a second factor)
}

// admit decides whether an attempt may be checked, in a transaction of its own that counts
// it: the address limits (password attempts), the login's lock, the CAPTCHA (password
// attempts; form carries the answer), then the reservation. A refusal is the verdict, with
// what it counted committed; err is a failure of the database.
func (s *Service) admit(ctx context.Context, k signInKeys, form SignInForm, password bool) (*attempt, error) {
	var verdict error
	var at *attempt
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		at, verdict, err = s.admitTx(ctx, tx, k, form, password)
		return err
	})
	if err != nil {
		return nil, err
	}
	return at, verdict
}

func (s *Service) admitTx(ctx context.Context, tx *sql.Tx, k signInKeys, form SignInForm, password bool) (*attempt, error, error) {
	t, now := s.throttle, s.now().UTC()
	if password {
		for _, c := range []struct {
			scope, key string
			limits     []Limit
		}{{scopeAddr, k.addr, t.AddressLimits}, {scopeAddrLogin, k.addrLogin, t.AddressLoginLimits}} {
			per, n := longest(c.limits)
			ctr, err := s.loadCounter(ctx, tx, c.scope, c.key, now.Add(-per))
			if err != nil {
				return nil, nil, err
			}
			if wait := ctr.wait(now, c.limits); wait > 0 {
				return nil, errs.E(errs.TooMany, "id.signin_too_many", &codeWait{wait: wait}), nil
			}
			ctr.hits = append(ctr.hits, now)
			if err := ctr.save(ctx, tx, now, n); err != nil {
				return nil, nil, err
			}
		}
	}
	login, err := s.loadCounter(ctx, tx, scopeLogin, k.login, now.Add(-loginMemory))
	if err != nil {
		return nil, nil, err
	}
	if now.Before(login.lockedUntil) {
		return nil, s.locked(login.lockedUntil), nil
	}
	if len(login.hits) >= t.LockAfter {
		// The last allowed guesses are being checked: the lock they would set, if wrong.
		return nil, s.locked(now.Add(t.lockFor(login.locks + 1))), nil
	}
	if password {
		fails, err := s.loadCounter(ctx, tx, scopeAddrFail, k.addrFail, now.Add(-addressMemory))
		if err != nil {
			return nil, nil, err
		}
		if len(login.hits) >= t.CaptchaAfter || login.locks > 0 || len(fails.hits) >= t.CaptchaAfter {
			ok, err := s.useCaptcha(ctx, tx, form.CaptchaID, form.Captcha)
			if err != nil {
				return nil, nil, err
			}
			if !ok {
				answered := form.Captcha != "" // an empty field is not an answer
				if answered {                  // a wrong answer keeps the address answering CAPTCHAs
					fails.hits = append(fails.hits, now)
					if err := fails.save(ctx, tx, now, t.CaptchaAfter); err != nil {
						return nil, nil, err
					}
				}
				c, err := s.newCaptcha(ctx, tx)
				if err != nil {
					return nil, nil, err
				}
				return nil, captchaError(c, answered), nil
			}
		}
	}
	login.hits = append(login.hits, now)
	if err := login.save(ctx, tx, now, t.LockAfter); err != nil {
		return nil, nil, err
	}
	return &attempt{keys: k, at: now, password: password}, nil, nil
}

// refund takes back an attempt's reservation, in tx: its answer was right.
func (s *Service) refund(ctx context.Context, tx *sql.Tx, a *attempt) error {
	login, err := s.loadCounter(ctx, tx, scopeLogin, a.keys.login, s.now().Add(-loginMemory))
	if err != nil {
		return err
	}
	if i := slices.IndexFunc(login.hits, func(h time.Time) bool { return h.UnixMilli() == a.at.UnixMilli() }); i >= 0 {
		login.hits = slices.Delete(login.hits, i, i+1)
	}
	return login.save(ctx, tx, s.now(), s.throttle.LockAfter)
}

// failed makes an attempt's reservation a failure, in tx: a wrong password also counts
// against the address; the LockAfter-th failure locks the login (journaled, with the account
// if the login has one). The verdict is the lock, if this failure set it (or one is in force);
// else, if the next password attempt must answer a CAPTCHA, next is its challenge, made now so
// that the answer to this one can show it at once.
func (s *Service) failed(ctx context.Context, tx *sql.Tx, r *http.Request, a *attempt, accountID string) (verdict error, next *Captcha, err error) {
	t, now := s.throttle, s.now().UTC()
	addrFails := 0
	if a.password {
		fails, err := s.loadCounter(ctx, tx, scopeAddrFail, a.keys.addrFail, now.Add(-addressMemory))
		if err != nil {
			return nil, nil, err
		}
		fails.hits = append(fails.hits, now)
		if err := fails.save(ctx, tx, now, t.CaptchaAfter); err != nil {
			return nil, nil, err
		}
		addrFails = len(fails.hits)
	}
	login, err := s.loadCounter(ctx, tx, scopeLogin, a.keys.login, now.Add(-loginMemory))
	if err != nil {
		return nil, nil, err
	}
	if now.Before(login.lockedUntil) {
		return s.locked(login.lockedUntil), nil, nil
	}
	if len(login.hits) < t.LockAfter {
		if a.password && (len(login.hits) >= t.CaptchaAfter || login.locks > 0 || addrFails >= t.CaptchaAfter) {
			next, err = s.newCaptcha(ctx, tx)
		}
		return nil, next, err
	}
	login.locks++
	lockFor := t.lockFor(login.locks)
	login.lockedUntil, login.hits = now.Add(lockFor), nil
	if err := login.save(ctx, tx, now, t.LockAfter); err != nil {
		return nil, nil, err
	}
	err = s.record(ctx, tx, r, Event{Action: ActionLocked, AccountID: accountID, Outcome: audit.Success,
		Details: map[string]string{"until": login.lockedUntil.Format(time.RFC3339), "lock_seq": strconv.Itoa(login.locks)}})
	if err != nil {
		return nil, nil, err
	}
	return s.locked(login.lockedUntil), nil, nil
}

// NextCaptcha goes with a wrong answer (joined to it) when the next attempt must answer a
// CAPTCHA: the challenge to show with the message.
type NextCaptcha struct{ Challenge *Captcha }

func (e *NextCaptcha) Error() string { return "id: the next attempt answers a CAPTCHA" }

// signInFailed records a wrong answer — the attempt's failure and the journal entry of the
// failed sign-in — in one transaction, and returns what to answer: the lock if it has begun,
// else wrong (with the next CAPTCHA, if one is due).
func (s *Service) signInFailed(ctx context.Context, r *http.Request, a *attempt, accountID string, details map[string]string, wrong error) error {
	var verdict error
	var next *Captcha
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if verdict, next, err = s.failed(ctx, tx, r, a, accountID); err != nil {
			return err
		}
		return s.record(ctx, tx, r, Event{Action: ActionSignIn, AccountID: accountID, Outcome: audit.Failure, Details: details})
	})
	switch {
	case err != nil:
		return err
	case verdict != nil:
		return verdict
	case next != nil:
		return errors.Join(wrong, &NextCaptcha{Challenge: next})
	}
	return wrong
}

// clearSignIn forgets the failures and locks of every login of the account, and of extra
// keys (the login a sign-in used), in tx: after a successful sign-in and after a recovery
// (registered with OnRecovered in New).
func (s *Service) clearSignIn(ctx context.Context, tx *sql.Tx, accountID string, extra ...string) error {
	a, err := s.scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM id_accounts WHERE id = $1`, accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNoAccount
	}
	if err != nil {
		return err
	}
	keys := slices.Clone(extra)
	for _, l := range []string{a.Phone, a.Email, a.Profile.SNILS, a.Profile.INN} {
		if l != "" {
			keys = append(keys, s.throttleKey(scopeLogin, normalLogin(l)))
		}
	}
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `DELETE FROM id_throttle WHERE scope = $1 AND key_hash = $2`, scopeLogin, k); err != nil {
			return fmt.Errorf("id: throttle: %w", err)
		}
	}
	return nil
}

// PurgeThrottle deletes up to limit counters untouched since before whose lock (if any) ended
// before it (the retention job).
func (s *Service) PurgeThrottle(ctx context.Context, before time.Time, limit int) (int, error) {
	return s.purge(ctx, `DELETE FROM id_throttle WHERE (scope, key_hash) IN (SELECT scope, key_hash FROM id_throttle
		WHERE updated_at < $1 AND (locked_until IS NULL OR locked_until < $1) LIMIT $2)`, before.UTC(), limit)
}

// ThrottleRetention is how long the retention job keeps a quiet counter (its lock over):
// PurgeThrottle deletes it after that, and a lock after it counts as the first again.
const ThrottleRetention = 30 * 24 * time.Hour
