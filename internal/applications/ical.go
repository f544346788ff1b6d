package applications

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/internal/web"
)

// The personal calendar feed: an iCalendar (RFC 5545) document of the deadlines of the
// account's open applications, at a secret URL a calendar application subscribes to. The
// feed names applications and services, so the URL is a credential: 32 random bytes, shown
// once when made, kept only as a keyed digest (a blind index under the data keys, so that the
// database alone does not find a feed), replaced by making a new one and revoked by deleting
// it — a revoked or unknown secret is 404, like any missing page.

// feedDigest is the keyed digest of a feed's secret (a blind index with no sealed column
// behind it).
var feedDigest = seal.Index{Column: "digest", Purpose: "sep applications calendar feed v1"}

// feedSecretLen is the length of a secret: 32 bytes in unpadded base64url.
const feedSecretLen = 43

// feedPath is the feed's address for a secret.
func feedPath(secret string) string { return "/applications/calendar/feed/" + secret + ".ics" }

// NewFeed makes the account's calendar feed, replacing the one it had, and returns its secret,
// which is never stored and cannot be shown again.
func (s *Store) NewFeed(ctx context.Context, r *http.Request, accountID string) (string, error) {
	var b [32]byte
	rand.Read(b[:])
	secret := base64.RawURLEncoding.EncodeToString(b[:])
	digest, err := s.box.Index(feedDigest, secret)
	if err != nil {
		return "", err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM application_calendar_feeds WHERE account_id = $1`, accountID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO application_calendar_feeds (account_id, digest, created_at) VALUES ($1, $2, $3)`,
			accountID, digest, s.now()); err != nil {
			return err
		}
		return s.feedJournal(ctx, tx, r, accountID, "application.calendar_feed_created")
	})
	if err != nil {
		return "", fmt.Errorf("applications: new feed: %w", err)
	}
	return secret, nil
}

// RevokeFeed deletes the account's calendar feed; its URL answers 404 from then on.
func (s *Store) RevokeFeed(ctx context.Context, r *http.Request, accountID string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM application_calendar_feeds WHERE account_id = $1`, accountID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return s.feedJournal(ctx, tx, r, accountID, "application.calendar_feed_revoked")
	})
}

// Feed returns when the account's feed was made, or zero for none.
func (s *Store) Feed(ctx context.Context, accountID string) (time.Time, error) {
	var at time.Time
	err := s.db.Reader().QueryRowContext(ctx, `SELECT created_at FROM application_calendar_feeds WHERE account_id = $1`,
		accountID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return at.UTC(), err
}

// FeedAccount returns the account whose feed secret is secret; an unknown or revoked one is
// ErrNotFound.
func (s *Store) FeedAccount(ctx context.Context, secret string) (string, error) {
	if len(secret) != feedSecretLen || strings.Trim(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return "", ErrNotFound
	}
	cands, err := s.box.Candidates(feedDigest, secret)
	if err != nil {
		return "", err
	}
	marks := make([]string, len(cands))
	for i := range cands {
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	var accountID string
	err = s.db.Reader().QueryRowContext(ctx, `SELECT account_id FROM application_calendar_feeds WHERE digest IN (`+
		strings.Join(marks, ", ")+`)`, cands...).Scan(&accountID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return accountID, err
}

func (s *Store) feedJournal(ctx context.Context, tx *sql.Tx, r *http.Request, accountID, action string) error {
	if s.opt.Journal == nil {
		return nil
	}
	e := audit.Entry{ActorKind: audit.ActorCitizen, ActorID: accountID, Action: action, ObjectType: "calendar_feed",
		ObjectID: accountID}
	var err error
	if r != nil {
		_, err = s.opt.Journal.AppendRequest(ctx, tx, r, e)
	} else {
		_, err = s.opt.Journal.Append(ctx, tx, e)
	}
	return err
}

// Calendar writes the iCalendar document of the account's open deadlines in p's language:
// one VEVENT per open application with a deadline — an all-day event on the day a
// working-day deadline ends, a timed one for an hours deadline. base is the site's address,
// for the events' links.
func (s *Store) Calendar(ctx context.Context, p *i18n.Printer, accountID, base string) ([]byte, error) {
	apps, err := s.List(ctx, accountID)
	if err != nil {
		return nil, err
	}
	var c icalWriter
	c.line("BEGIN:VCALENDAR")
	c.line("VERSION:2.0")
	c.line("PRODID:-//sep-platform//sep applications deadlines//EN")
	c.line("CALSCALE:GREGORIAN")
	c.line("METHOD:PUBLISH")
	c.prop("X-WR-CALNAME", p.T("applications.calendar.feed_name"))
	stamp := s.now().Format("20060102T150405Z")
	for _, a := range apps {
		if !a.State.Open() || a.Deadline.IsZero() {
			continue
		}
		svc, ok := s.opt.Services.Service(a.Service)
		if !ok {
			continue
		}
		what, uid := "applications.calendar.review", a.ID+"."+string(a.State)
		switch a.State {
		case Submitted, RegistryChecks:
			what = "applications.calendar.checks"
		case NeedsCorrection:
			what = "applications.calendar.correction"
			if a.Correction != nil && a.Correction.ID != "" {
				uid = a.ID + "." + a.Correction.ID
			}
		}
		summary := p.T(what, "number", a.Number, "service", svc.Name.In(p.Lang()))
		desc := p.T("applications.calendar.due", "due", p.MoscowTime(a.Deadline))
		if a.State == NeedsCorrection {
			desc += " " + p.T("applications.deadlines.lapse."+string(svc.Workflow.OnCorrectionLapse), "due", p.MoscowTime(a.Deadline))
		}
		link := strings.TrimSuffix(base, "/") + "/applications/" + a.ID
		c.line("BEGIN:VEVENT")
		c.prop("UID", uid+"@sep")
		c.line("DTSTAMP:" + stamp)
		if d := a.Deadline.In(moscow); d.Hour() == 23 && d.Minute() == 59 {
			c.line("DTSTART;VALUE=DATE:" + d.Format("20060102"))
			c.line("DTEND;VALUE=DATE:" + d.AddDate(0, 0, 1).Format("20060102"))
		} else {
			c.line("DTSTART:" + a.Deadline.UTC().Format("20060102T150405Z"))
		}
		c.prop("SUMMARY", summary)
		c.prop("DESCRIPTION", desc+"\n"+link)
		c.line("URL:" + link)
		c.line("TRANSP:TRANSPARENT")
		c.line("END:VEVENT")
	}
	c.line("END:VCALENDAR")
	return []byte(c.b.String()), nil
}

// icalWriter writes content lines: CRLF-terminated, folded at 75 octets without splitting a
// character, TEXT values escaped (RFC 5545 3.1, 3.3.11).
type icalWriter struct{ b strings.Builder }

func (w *icalWriter) prop(name, text string) { w.line(name + ":" + icalText(text)) }

func (w *icalWriter) line(l string) {
	n := 0 // octets on the current physical line
	for _, r := range l {
		size := utf8.RuneLen(r)
		if n+size > 75 {
			w.b.WriteString("\r\n ")
			n = 1
		}
		w.b.WriteRune(r)
		n += size
	}
	w.b.WriteString("\r\n")
}

func icalText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// The pages of the feed.

type calendarPage struct {
	web.Page
	Has     bool
	Created string
	URL     string // the new feed's address, shown once
	Notice  string
}

func (h *Handler) calendarPage(w http.ResponseWriter, r *http.Request) error {
	p, ok, err := citizen(w, r)
	if !ok {
		return err
	}
	page := &calendarPage{}
	if r.URL.Query().Get("done") == "revoked" {
		page.Notice = h.site.Printer(r).T("applications.calendar.revoked")
	}
	return h.renderCalendar(w, r, p.ID, page)
}

func (h *Handler) renderCalendar(w http.ResponseWriter, r *http.Request, accountID string, page *calendarPage) error {
	pr := h.site.Printer(r)
	at, err := h.store.Feed(r.Context(), accountID)
	if err != nil {
		return err
	}
	page.Has, page.Title = !at.IsZero(), pr.T("applications.calendar.title")
	if page.Has {
		page.Created = pr.MoscowTime(at)
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.site.Render(w, r, http.StatusOK, "applications_calendar", page)
}

// calendarForm makes a new feed (op=new, shown once) or revokes the feed (op=revoke).
func (h *Handler) calendarForm(w http.ResponseWriter, r *http.Request) error {
	p, ok, err := citizen(w, r)
	if !ok {
		return err
	}
	if r.PostFormValue("op") == "revoke" {
		if err := h.store.RevokeFeed(r.Context(), r, p.ID); err != nil {
			return err
		}
		http.Redirect(w, r, "/applications/calendar?done=revoked", http.StatusSeeOther)
		return nil
	}
	secret, err := h.store.NewFeed(r.Context(), r, p.ID)
	if err != nil {
		return err
	}
	page := &calendarPage{URL: h.siteURL(r) + feedPath(secret), Notice: h.site.Printer(r).T("applications.calendar.made")}
	return h.renderCalendar(w, r, p.ID, page)
}

// feed serves the calendar of a feed's secret: /applications/calendar/feed/SECRET.ics.
func (h *Handler) feed(w http.ResponseWriter, r *http.Request) error {
	secret, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok {
		return ErrNotFound
	}
	accountID, err := h.store.FeedAccount(r.Context(), secret)
	if err != nil {
		return err
	}
	p, err := h.store.printerOf(r.Context(), accountID)
	if err != nil {
		return err
	}
	body, err := h.store.Calendar(r.Context(), p, accountID, h.siteURL(r))
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/calendar; charset=utf-8")
	hd.Set("Content-Disposition", `inline; filename="deadlines.ics"`)
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Robots-Tag", "noindex")
	_, err = w.Write(body)
	return err
}

// siteURL is the address people reach the site at: Options.SiteURL, else the request's.
func (h *Handler) siteURL(r *http.Request) string {
	if f := h.store.opt.SiteURL; f != nil {
		return strings.TrimSuffix(f(), "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
