package id

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/internal/web"
)

// Devices: each browser keeps a long-lived random cookie, and each account the browsers it has
// signed in from (a row per account and cookie; only the cookie's digest is stored). A
// sign-in completed from a browser the account has not seen sends the owner an alert by
// e-mail and SMS — critical, it cannot be turned off — with a one-time «это был не я» link
// (disavow.go). A citizen may ask to remember a device: for 30 days its sign-ins skip the
// second factor. Staff never skip it.
//
//	FinishSignIn ──cookie known──▶ last seen updated ─────────────────────▶ session
//	             └─unknown──▶ device stored + alert (e-mail, SMS, link) ──▶ session
//	StartSignIn (password right) ──remembered device, citizen──▶ session (no factor)

// DeviceCookie is the name of the device cookie (with the __Host- prefix over HTTPS).
const DeviceCookie = "sep_device"

// The lifetimes of devices.
const (
	DeviceCookieAge = 400 * 24 * time.Hour // the longest browsers keep a cookie
	RememberFor     = 30 * 24 * time.Hour  // a remembered device skips the second factor this long
	DisavowValidFor = 7 * 24 * time.Hour   // the «это был не я» link of an alert
)

// MethodRemembered is a session's method when a remembered device skipped the second factor.
const MethodRemembered = "remembered"

// Device is a browser an account signed in from.
type Device struct {
	ID        string
	AccountID string
	IP        string // the address of its last sign-in
	UserAgent string
	Agent     UserAgent // the browser and system, from UserAgent
	// Place is where IP is, if the configured PlaceFinder knows; empty: unknown.
	Place           string
	FirstSeen       time.Time
	LastSeen        time.Time
	RememberedUntil time.Time // zero: not remembered (or no longer)
	Current         bool      // the device of the request that lists it
}

// Remembered reports whether the device skips the second factor at now.
func (d Device) Remembered(now time.Time) bool { return now.Before(d.RememberedUntil) }

// PlaceFinder tells where an address is («Москва, Россия»), in the language asked, when a
// configured source knows: a seam for a GeoIP database or the operator's network plan. sep
// ships none, so the place shows as unknown.
type PlaceFinder interface {
	Place(ctx context.Context, ip netip.Addr, lang string) (string, bool)
}

var (
	devicesTable = seal.Table{Name: "id_devices", Key: "id", Sealed: []string{"ip", "user_agent"}}
	devIP        = devicesTable.Column("ip")
	devUA        = devicesTable.Column("user_agent")
)

// deviceToken is the device cookie the request carries, if it looks like one of ours.
func (s *Service) deviceToken(r *http.Request) string {
	if r == nil {
		return ""
	}
	c, err := r.Cookie(web.CookieName(DeviceCookie, s.secure))
	if err != nil || len(c.Value) != 43 {
		return ""
	}
	return c.Value
}

// SetDeviceCookie gives the browser of a new session its device cookie (again, so that its
// 400 days start anew): HttpOnly, SameSite=Lax, Secure and __Host- over HTTPS. A session
// started without a browser's request (the app) has none to give.
func (s *Service) SetDeviceCookie(w http.ResponseWriter, ss *Session) {
	if ss == nil || ss.deviceToken == "" {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: web.CookieName(DeviceCookie, s.secure), Value: ss.deviceToken, Path: "/",
		MaxAge: int(DeviceCookieAge / time.Second), HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

// requestAddr and requestAgent are what a device row keeps of the request.
func requestAddr(r *http.Request) string {
	if r == nil {
		return ""
	}
	if ip := web.ClientIP(r); ip.IsValid() {
		return ip.String()
	}
	return ""
}

func requestAgent(r *http.Request) string {
	if r == nil {
		return ""
	}
	return clipText(r.UserAgent(), 512)
}

// deviceOf finds the account's device that the token names, in x.
func (s *Service) deviceOf(ctx context.Context, x db.Querier, accountID, token string) (*Device, error) {
	if token == "" {
		return nil, errNoDevice
	}
	return s.scanDevice(x.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM id_devices WHERE account_id = $1 AND token_hash = $2`,
		accountID, tokenHash(token)))
}

var errNoDevice = errs.E(errs.NotFound, "id.devices.no_device", errors.New("id: no such device"))

const deviceColumns = `id, account_id, ip, user_agent, first_seen, last_seen, remembered_until`

func (s *Service) scanDevice(row interface{ Scan(...any) error }) (*Device, error) {
	d := &Device{}
	var ip, ua seal.Sealed
	var remembered sql.NullTime
	err := row.Scan(&d.ID, &d.AccountID, &ip, &ua, &d.FirstSeen, &d.LastSeen, &remembered)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoDevice
	}
	if err != nil {
		return nil, err
	}
	if d.IP, err = s.box.OpenString(devIP, d.ID, ip); err != nil {
		return nil, err
	}
	if d.UserAgent, err = s.box.OpenString(devUA, d.ID, ua); err != nil {
		return nil, err
	}
	d.Agent = ParseUserAgent(d.UserAgent)
	d.FirstSeen, d.LastSeen, d.RememberedUntil = d.FirstSeen.UTC(), d.LastSeen.UTC(), remembered.Time.UTC()
	return d, nil
}

// seenDevice records a sign-in of a known device: when, from where, with what.
func (s *Service) seenDevice(ctx context.Context, x db.Querier, d *Device, r *http.Request) error {
	d.LastSeen, d.IP, d.UserAgent = s.now().UTC(), requestAddr(r), requestAgent(r)
	_, err := x.ExecContext(ctx, `UPDATE id_devices SET last_seen = $2, ip = $3, user_agent = $4 WHERE id = $1`, d.ID,
		d.LastSeen, s.box.SealString(devIP, d.ID, d.IP), s.box.SealString(devUA, d.ID, d.UserAgent))
	return err
}

// startSessionOnDevice starts a session of the account for the request's browser, in tx: the
// session ends the one the browser had (a new token at every sign-in), a known device is
// marked seen, and an unknown one is stored and — if alert — announced to the owner. It is
// how sign-in (and registration, without the alert) starts sessions from browsers.
func (s *Service) startSessionOnDevice(ctx context.Context, tx *sql.Tx, a *Account, method string, r *http.Request, alert bool) (*Session, string, error) {
	if r == nil {
		r = &http.Request{Header: http.Header{}}
	}
	if old := s.sessionToken(r); old != "" && r.Header.Get("Authorization") == "" {
		if _, err := tx.ExecContext(ctx, `UPDATE id_sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL`,
			tokenHash(old), s.now().UTC()); err != nil {
			return nil, "", err
		}
	}
	token := s.deviceToken(r)
	d, err := s.deviceOf(ctx, tx, a.ID, token)
	switch {
	case err == nil:
		err = s.seenDevice(ctx, tx, d, r)
	case errors.Is(err, errNoDevice):
		if token == "" {
			token = newToken()
		}
		d, err = s.newDevice(ctx, tx, a, token, r, alert)
	}
	if err != nil {
		return nil, "", err
	}
	ss, st, err := s.startSession(ctx, tx, a.ID, d.ID, method, r)
	if err != nil {
		return nil, "", err
	}
	ss.deviceToken = token
	return ss, st, nil
}

// newDevice stores a device the account has not signed in from, and if alert sends the
// new-device alert with its «это был не я» link, in tx: the alert exists if and only if the
// device does, so it goes once per new device.
func (s *Service) newDevice(ctx context.Context, tx *sql.Tx, a *Account, token string, r *http.Request, alert bool) (*Device, error) {
	now := s.now().UTC()
	d := &Device{ID: db.NewID(), AccountID: a.ID, IP: requestAddr(r), UserAgent: requestAgent(r), FirstSeen: now, LastSeen: now}
	d.Agent = ParseUserAgent(d.UserAgent)
	var disavow string
	var disavowHash any
	var disavowUntil any
	if alert {
		disavow = newToken()
		disavowHash, disavowUntil = tokenHash(disavow), now.Add(DisavowValidFor)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO id_devices (id, account_id, token_hash, ip, user_agent, first_seen, last_seen,
			disavow_hash, disavow_until)
		VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8)`, d.ID, a.ID, tokenHash(token), s.box.SealString(devIP, d.ID, d.IP),
		s.box.SealString(devUA, d.ID, d.UserAgent), now, disavowHash, disavowUntil)
	if err != nil {
		return nil, fmt.Errorf("id: store device: %w", err)
	}
	if !alert {
		return d, nil
	}
	if err := s.record(ctx, tx, r, Event{Action: ActionNewDevice, AccountID: a.ID, Outcome: audit.Success,
		Details: map[string]string{"device": d.ID}}); err != nil {
		return nil, err
	}
	ip := d.IP
	if ip == "" {
		ip = "—"
	}
	_, err = s.notify.Send(ctx, tx, notify.Message{Kind: notify.NewDevice,
		To:       notify.Recipient{AccountID: a.ID, Email: a.Email, Phone: a.Phone, Lang: a.Lang},
		Channels: alertChannels(a),
		Data: map[string]any{"Device": d.Agent.String(), "IP": ip, "Time": now.In(i18n.Moscow),
			"Disavow": "/id/disavow/" + disavow}})
	return d, err
}

// alertChannels are the channels a critical alert goes by: e-mail and SMS, each where the
// account has the address.
func alertChannels(a *Account) []notify.Channel {
	var out []notify.Channel
	if a.Email != "" {
		out = append(out, notify.Email)
	}
	if a.Phone != "" {
		out = append(out, notify.SMS)
	}
	return out
}

// deviceSignIn is what StartSignIn asks once the password is right: a refusal if the owner
// blocked password sign-in with «это был не я» (until recovery), or a session at once if a
// citizen signs in from a device remembered for it. Otherwise nil, nil: the second factor
// follows.
func (s *Service) deviceSignIn(ctx context.Context, r *http.Request, a *Account) (*SignIn, error) {
	if blocked, err := s.signInBlocked(ctx, nil, a.ID); err != nil || blocked {
		if err == nil {
			err = ErrSignInDisavowed
		}
		return nil, err
	}
	if a.Role != Citizen {
		return nil, nil
	}
	d, err := s.deviceOf(ctx, s.db.Reader(), a.ID, s.deviceToken(r))
	if errors.Is(err, errNoDevice) || (err == nil && !d.Remembered(s.now())) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	si := &SignIn{Account: a}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if si.Session, si.SessionToken, err = s.startSessionOnDevice(ctx, tx, a, MethodRemembered, r, false); err != nil {
			return err
		}
		return s.record(ctx, tx, r, Event{Action: ActionSignIn, AccountID: a.ID, Outcome: audit.Success,
			Details: map[string]string{"method": MethodRemembered, "session": si.Session.ID, "device": d.ID}})
	})
	if err != nil {
		return nil, err
	}
	return si, nil
}

// ErrStaffRemember refuses to remember a device of an operator, administrator or auditor:
// their second factor is asked at every sign-in.
var ErrStaffRemember = errs.E(errs.Forbidden, "id.devices.remember_staff", errors.New("id: staff devices are never remembered"))

// RememberDevice lets the device of the session skip the second factor for RememberFor
// (the owner ticked «Запомнить это устройство на 30 дней» when signing in). Citizens only.
func (s *Service) RememberDevice(ctx context.Context, r *http.Request, ss *Session) error {
	a, err := s.Account(ctx, ss.AccountID)
	if err != nil {
		return err
	}
	if a.Role != Citizen {
		return ErrStaffRemember
	}
	if ss.DeviceID == "" {
		return errNoDevice
	}
	until := s.now().UTC().Add(RememberFor)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE id_devices SET remembered_until = $3 WHERE id = $1 AND account_id = $2`,
			ss.DeviceID, a.ID, until)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNoDevice
		}
		return s.record(ctx, tx, r, Event{Action: ActionDeviceRemembered, AccountID: a.ID, Outcome: audit.Success,
			Details: map[string]string{"device": ss.DeviceID}})
	})
}

// Devices lists the account's devices, the last seen first; current is the device token of
// the request that asks (its device is marked Current), and lang the language of places.
func (s *Service) Devices(ctx context.Context, accountID, current, lang string) ([]Device, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+deviceColumns+`, token_hash FROM id_devices WHERE account_id = $1
		ORDER BY last_seen DESC, id DESC`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var mine []byte
	if current != "" {
		mine = tokenHash(current)
	}
	var out []Device
	for rows.Next() {
		var hash []byte
		d, err := s.scanDevice(scanFunc(func(dest ...any) error { return rows.Scan(append(dest, &hash)...) }))
		if err != nil {
			return nil, err
		}
		d.Current = mine != nil && string(hash) == string(mine)
		d.Place = s.place(ctx, d.IP, lang)
		out = append(out, *d)
	}
	return out, rows.Err()
}

// scanFunc makes a function a row Scanner.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// place asks the PlaceFinder, if any, where ip is.
func (s *Service) place(ctx context.Context, ip, lang string) string {
	if s.places == nil || ip == "" {
		return ""
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ""
	}
	p, _ := s.places.Place(ctx, a, lang)
	return p
}

// ForgetDevice forgets a device of the account: its sessions end, it is no longer
// remembered, and its next sign-in is a new device's (with the alert).
func (s *Service) ForgetDevice(ctx context.Context, r *http.Request, accountID, deviceID string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM id_devices WHERE id = $1 AND account_id = $2`, deviceID, accountID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNoDevice
		}
		n, err := s.revokeDevice(ctx, tx, accountID, deviceID)
		if err != nil {
			return err
		}
		return s.record(ctx, tx, r, Event{Action: ActionDeviceForgotten, AccountID: accountID, Outcome: audit.Success,
			Details: map[string]string{"device": deviceID, "sessions_count": fmt.Sprint(n)}})
	})
}

// revokeDevice ends the live sessions of one device of the account.
func (s *Service) revokeDevice(ctx context.Context, x db.Querier, accountID, deviceID string) (int, error) {
	res, err := x.ExecContext(ctx, `UPDATE id_sessions SET revoked_at = $3 WHERE account_id = $1 AND device_id = $2
		AND revoked_at IS NULL`, accountID, deviceID, s.now().UTC())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// PurgeDevices deletes up to limit devices not seen since before (their cookie has expired
// by then): the retention job.
func (s *Service) PurgeDevices(ctx context.Context, before time.Time, limit int) (int, error) {
	return s.purge(ctx, `DELETE FROM id_devices WHERE id IN (SELECT id FROM id_devices WHERE last_seen < $1 LIMIT $2)`,
		before.UTC(), limit)
}
