// Package cabinet is the citizen's personal cabinet (личный кабинет СЭП) and its entry
// «Войти через Госуслуги»: the cabinet signs people in exactly as an information system signs
// them in through ЕСИА, with the esia/ client, so that one setting (SEP_ESIA_URL) points it at
// the real ЕСИА; by default it signs in through this instance's own ID (internal/id/provider).
//
// An entry, as the cabinet sees it:
//
//	GET /cabinet/signin ──▶ session (stage signin, state) ──▶ ЕСИА /aas/oauth2/v2/ac (signed)
//	    … the person signs in and allows the access at ЕСИА …
//	GET /cabinet/callback?code&state ──▶ state checked ──▶ code exchanged (/aas/oauth2/v3/te),
//	    tokens verified with ЕСИА's certificate ──▶ /rs/prns/{oid}?embed=(…)
//	    ├─ consent to the data transfer given before ──▶ profile refreshed ──▶ stage active ──▶ /cabinet
//	    └─ first entry ──▶ stage consent ──▶ /cabinet/consent ──▶ agreed: profile created ──▶ /cabinet
//	POST /cabinet/signout ──▶ session ended ──▶ ЕСИА /idp/ext/Logout?client_id&redirect_url
//
// The cabinet keeps its own server-side sessions (cookie sep_cabinet, __Host- over HTTPS)
// rather than ID's: against the real ЕСИА there is no ID session to reuse, and the cabinet's
// session must hold the ЕСИА tokens (sealed), which it refreshes when they expire.
package cabinet

import (
	"context"
	"embed"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/sep-platform/sep/esia"
	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/seal"
)

// Templates are the cabinet's pages, for web.Options.Templates.
//
//go:embed templates/*.html
var Templates embed.FS

// Scopes are what the cabinet asks ЕСИА for.
var Scopes = []string{"openid", "fullname", "birthdate", "gender", "snils", "inn", "id_doc", "birthplace", "email", "mobile",
	"contacts", "addresses"}

// ConsentVersion is the version of the text of the consent to the data transfer
// ("cabinet.consent.text" in the catalogs). A new text gets a new version, and everyone is
// asked again at their next entry.
const ConsentVersion = "transfer-v1"

// Lifetimes of the cabinet's sessions: as ID's, 20 minutes idle and 12 hours at most; a
// sign-in not completed within 30 minutes is forgotten.
const (
	IdleTimeout     = 20 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
	SignInTTL       = 30 * time.Minute
	touchEvery      = time.Minute
)

// SessionCookie is the name of the cabinet's session cookie (__Host- over HTTPS).
const SessionCookie = "sep_cabinet"

// Journal actions of the cabinet; their readable names are "audit.action.<code>".
const (
	ActionEntered        = "cabinet.entered"         // a citizen entered the cabinet through ЕСИА
	ActionConsentGiven   = "cabinet.consent_given"   // the consent to the data transfer (its version)
	ActionConsentRefused = "cabinet.consent_refused" // the citizen did not agree: no profile kept
	ActionSignedOut      = "cabinet.signed_out"
)

// Options configure the Service.
type Options struct {
	DB      *db.DB
	Box     *seal.Box
	Journal *audit.Journal // nil in tests that do not look
	Secure  bool           // served over HTTPS: Secure, __Host- cookie
	// SiteURL is the cabinet's own base URL, for the redirect after ЕСИА's logout.
	SiteURL func() string
	Now     func() time.Time
	Logger  *slog.Logger
}

// Service is the cabinet.
type Service struct {
	db      *db.DB
	box     *seal.Box
	journal *audit.Journal
	secure  bool
	site    func() string
	now     func() time.Time
	log     *slog.Logger
	client  atomic.Pointer[esia.Client]
}

// New returns the cabinet. It signs nobody in until UseClient gives it its ЕСИА client.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.SiteURL == nil {
		o.SiteURL = func() string { return "" }
	}
	return &Service{db: o.DB, box: o.Box, journal: o.Journal, secure: o.Secure, site: o.SiteURL, now: o.Now, log: o.Logger}
}

// UseClient sets the ЕСИА client the cabinet signs in with (at start, once the instance knows
// its address and has registered the cabinet with its own ID, or built it for the real ЕСИА).
func (s *Service) UseClient(c *esia.Client) { s.client.Store(c) }

// errUnavailable is the cabinet without a working ЕСИА: its client is missing or ЕСИА does not
// answer as it should.
var errUnavailable = errs.E(errs.Unavailable, "cabinet.unavailable", errors.New("cabinet: ЕСИА is unavailable"))

func (s *Service) esia() (*esia.Client, error) {
	c := s.client.Load()
	if c == nil {
		return nil, errUnavailable
	}
	return c, nil
}

// Tables declares the cabinet's tables of sealed personal data.
func Tables() []seal.Table { return []seal.Table{profilesTable, sessionsTable} }

// record journals e in x.
func (s *Service) record(ctx context.Context, x db.Querier, r *http.Request, e audit.Entry) error {
	if s.journal == nil {
		return nil
	}
	var err error
	if r != nil {
		_, err = s.journal.AppendRequest(ctx, x, r, e)
	} else {
		_, err = s.journal.Append(ctx, x, e)
	}
	return err
}
