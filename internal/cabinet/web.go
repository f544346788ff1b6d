package cabinet

import (
	"database/sql"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/sep-platform/sep/esia"
	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/web"
)

// Register adds the cabinet's routes to the site.
func Register(site *web.Site, s *Service) {
	h := &handler{site: site, s: s}
	site.Handle("GET /cabinet", h.home)
	site.Handle("GET /cabinet/signin", h.signIn)
	site.Handle("GET /cabinet/callback", h.callback)
	site.Handle("GET /cabinet/consent", h.consentPage)
	site.Handle("POST /cabinet/consent", h.consentAnswer)
	site.Handle("POST /cabinet/signout", h.signOut)
	site.Handle("GET /cabinet/signedout", h.signedOut)
}

type handler struct {
	site *web.Site
	s    *Service
}

func (h *handler) cookieName() string { return web.CookieName(SessionCookie, h.s.secure) }

func (h *handler) setCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: h.cookieName(), Value: token, Path: "/", HttpOnly: true, Secure: h.s.secure,
		SameSite: http.SameSiteLaxMode})
}

func (h *handler) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: h.cookieName(), Value: "", Path: "/", HttpOnly: true, Secure: h.s.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// current is the request's live cabinet session, or errNoSession.
func (h *handler) current(r *http.Request) (*Session, error) {
	c, err := r.Cookie(h.cookieName())
	if err != nil {
		return nil, errNoSession
	}
	return h.s.session(r.Context(), c.Value)
}

func (h *handler) title(r *http.Request, key string) string { return h.site.Printer(r).T(key) }

// entryPage is the cabinet before entry: «Войти через Госуслуги».
type entryPage struct {
	web.Page
	Notice string
}

// homePage is the cabinet after entry.
type homePage struct {
	web.Page
	Profile  *Profile
	Name     string
	LevelKey string // catalog key of the account level
	Mobile   string
	Email    string
	Others   []labelled[esia.Contact]
	Document *labelled[esia.Document] // the identity document (rIdDoc)
	Docs     []labelled[esia.Document]
	Address  []labelled[esia.Address]
}

// labelled is an element of ЕСИА's person data with the catalog key naming its type.
type labelled[T any] struct {
	Label string
	V     T
}

// Types the catalogs name; others are shown as "other".
var (
	levels       = []string{"1", "2", "3"}
	contactTypes = []string{esia.ContactMobile, esia.ContactPhone, esia.ContactEmail, esia.ContactWorkEmail}
	docTypes     = []string{esia.DocPassport, esia.DocForeign, esia.DocDrivingLicense, esia.DocMilitaryID, esia.DocForeignPassport,
		esia.DocMedicalPolicy, esia.DocBirthCert}
	addressTypes = []string{esia.AddressRegistered, esia.AddressResidence}
)

// label is the catalog key prefix+v, or prefix+"other" for a value the catalogs do not name.
func label(prefix, v string, known []string) string {
	if slices.Contains(known, v) {
		return prefix + v
	}
	return prefix + "other"
}

func (h *handler) home(w http.ResponseWriter, r *http.Request) error {
	ss, err := h.current(r)
	if errors.Is(err, errNoSession) || (err == nil && ss.Stage == StageSignIn) {
		p := &entryPage{}
		p.Title = h.title(r, "cabinet.entry.title")
		if r.URL.Query().Get("ended") != "" {
			p.Notice = h.title(r, "cabinet.entry.ended")
		}
		return h.site.Render(w, r, http.StatusOK, "cabinet_entry", p)
	}
	if err != nil {
		return err
	}
	if ss.Stage == StageConsent {
		http.Redirect(w, r, "/cabinet/consent", http.StatusSeeOther)
		return nil
	}
	if err := h.s.freshTokens(r.Context(), ss); errors.Is(err, errAccessEnded) {
		if err := h.s.endWith(r.Context(), r, ss, ActionSignedOut); err != nil {
			return err
		}
		h.clearCookie(w)
		http.Redirect(w, r, "/cabinet?ended=1", http.StatusSeeOther)
		return nil
	} else if err != nil {
		h.s.log.Warn("cabinet: ЕСИА tokens not refreshed", "err", err, "request_id", web.RequestID(r))
	}
	if err := h.s.touch(r.Context(), ss); err != nil {
		return err
	}
	prof, err := h.s.Profile(r.Context(), ss.ProfileID)
	if err != nil {
		return err
	}
	p := &homePage{Profile: prof, Name: strings.Join(nonEmpty(prof.Person.LastName, prof.Person.FirstName, prof.Person.MiddleName), " "),
		LevelKey: label("cabinet.level.", prof.Level, levels)}
	if c, ok := prof.Person.Contact(esia.ContactMobile); ok {
		p.Mobile = c.Value
	}
	if c, ok := prof.Person.Contact(esia.ContactEmail); ok {
		p.Email = c.Value
	}
	if cs := prof.Person.Contacts; cs != nil {
		for _, c := range cs.Elements {
			if c.Type != esia.ContactMobile && c.Type != esia.ContactEmail {
				p.Others = append(p.Others, labelled[esia.Contact]{label("cabinet.contact.", c.Type, contactTypes), c})
			}
		}
	}
	if d, ok := prof.Person.IdentityDocument(); ok {
		p.Document = &labelled[esia.Document]{label("cabinet.doc.", d.Type, docTypes), d}
	}
	if ds := prof.Person.Documents; ds != nil {
		for _, d := range ds.Elements {
			if p.Document == nil || d.ID != p.Document.V.ID {
				p.Docs = append(p.Docs, labelled[esia.Document]{label("cabinet.doc.", d.Type, docTypes), d})
			}
		}
	}
	if as := prof.Person.Addresses; as != nil {
		for _, a := range as.Elements {
			p.Address = append(p.Address, labelled[esia.Address]{label("cabinet.address.", a.Type, addressTypes), a})
		}
	}
	p.Title = h.title(r, "cabinet.home.title")
	return h.site.Render(w, r, http.StatusOK, "cabinet_home", p)
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// signIn sends the browser to ЕСИА with a signed authorisation request.
func (h *handler) signIn(w http.ResponseWriter, r *http.Request) error {
	c, err := h.s.esia()
	if err != nil {
		return err
	}
	state := esia.NewState()
	req, err := c.AuthURL(r.Context(), state, esia.AuthOptions{Offline: true})
	if err != nil {
		h.s.log.Error("cabinet: the authorisation request not signed", "err", err, "request_id", web.RequestID(r))
		return errUnavailable
	}
	_, token, err := h.s.startSignIn(r.Context(), state)
	if err != nil {
		return err
	}
	h.setCookie(w, token)
	http.Redirect(w, r, req.URL, http.StatusFound)
	return nil
}

// refusedPage explains an entry that did not happen.
type refusedPage struct {
	web.Page
	Reason string // a catalog key
	Code   string // ЕСИА's error code, if it gave one
	Retry  bool
	Logout string // ЕСИА's logout, when the person is signed in there
}

func (h *handler) refuse(w http.ResponseWriter, r *http.Request, status int, reason, code string) error {
	p := &refusedPage{Reason: reason, Code: code, Retry: true}
	p.Title = h.title(r, "cabinet.refused.title")
	return h.site.Render(w, r, status, "cabinet_refused", p)
}

// callback is where ЕСИА sends the browser back: the code, or ЕСИА's refusal.
func (h *handler) callback(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	ss, err := h.current(r)
	if err != nil && !errors.Is(err, errNoSession) {
		return err
	}
	if ss != nil && ss.Stage != StageSignIn {
		ss = nil // a second callback of a finished sign-in: refused as one without a session
	}
	cb, cerr := esia.ParseCallback(r.URL.Query())
	var ee *esia.Error
	if errors.As(cerr, &ee) {
		if ss == nil || ee.State != ss.State {
			return h.refuse(w, r, http.StatusBadRequest, "cabinet.refused.state", "")
		}
		if err := endSession(ctx, h.s.db.Writer(), ss.ID); err != nil {
			return err
		}
		h.clearCookie(w)
		if errors.Is(cerr, esia.ErrDeclined) {
			return h.refuse(w, r, http.StatusOK, "cabinet.refused.declined", ee.Code)
		}
		h.s.log.Info("cabinet: ЕСИА refused the entry", "code", ee.Code, "request_id", web.RequestID(r))
		return h.refuse(w, r, http.StatusBadGateway, "cabinet.refused.esia", ee.Code)
	}
	if cerr != nil || ss == nil || cb.CheckState(ss.State) != nil {
		h.s.log.Info("cabinet: a callback refused", "why", "state", "request_id", web.RequestID(r))
		return h.refuse(w, r, http.StatusBadRequest, "cabinet.refused.state", "")
	}
	c, err := h.s.esia()
	if err != nil {
		return err
	}
	tok, err := c.Exchange(ctx, cb.Code, esia.ExchangeOptions{})
	if err != nil {
		h.s.log.Warn("cabinet: the code not exchanged", "err", err, "request_id", web.RequestID(r))
		return h.refuse(w, r, http.StatusBadGateway, "cabinet.refused.exchange", codeOf(err))
	}
	person, err := c.Person(ctx, tok.AccessToken, tok.OID(), esia.EmbedContacts, esia.EmbedAddresses, esia.EmbedDocuments)
	if err != nil {
		h.s.log.Warn("cabinet: no person data", "err", err, "request_id", web.RequestID(r))
		return h.refuse(w, r, http.StatusBadGateway, "cabinet.refused.person", codeOf(err))
	}
	ss.data = sessionData{Tokens: tokensOf(tok), OID: tok.OID(), Trusted: tok.Trusted(), Level: level(tok)}
	var token string
	err = h.s.db.Tx(ctx, func(tx *sql.Tx) error {
		prof, err := h.s.profileByOID(ctx, tx, ss.data.OID)
		if errors.Is(err, errNoProfile) || (err == nil && prof.ConsentVersion != ConsentVersion) {
			ss.data.Person = person // kept sealed in the session until the consent
			token, err = h.s.advance(ctx, tx, ss, StageConsent, "")
			return err
		}
		if err != nil {
			return err
		}
		prof.Person, prof.Trusted, prof.Level = *person, ss.data.Trusted, ss.data.Level
		if err := h.s.saveProfile(ctx, tx, prof); err != nil {
			return err
		}
		if token, err = h.s.advance(ctx, tx, ss, StageActive, prof.ID); err != nil {
			return err
		}
		return h.s.record(ctx, tx, r, audit.Entry{ActorKind: audit.ActorCitizen, ActorID: prof.ID, Action: ActionEntered,
			ObjectType: "cabinet_profile", ObjectID: prof.ID})
	})
	if errors.Is(err, errNoSession) {
		return h.refuse(w, r, http.StatusBadRequest, "cabinet.refused.state", "")
	}
	if err != nil {
		return err
	}
	h.setCookie(w, token)
	target := "/cabinet"
	if ss.Stage == StageConsent {
		target = "/cabinet/consent"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

func codeOf(err error) string {
	var ee *esia.Error
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ""
}

// consentView is the consent to the data transfer, asked at the first entry.
type consentView struct {
	web.Page
	Name    string
	Version string
}

func (h *handler) consentSession(w http.ResponseWriter, r *http.Request) (*Session, bool, error) {
	ss, err := h.current(r)
	if errors.Is(err, errNoSession) || (err == nil && ss.Stage == StageSignIn) {
		http.Redirect(w, r, "/cabinet", http.StatusSeeOther)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if ss.Stage == StageActive {
		http.Redirect(w, r, "/cabinet", http.StatusSeeOther)
		return nil, false, nil
	}
	return ss, true, nil
}

func (h *handler) consentPage(w http.ResponseWriter, r *http.Request) error {
	ss, ok, err := h.consentSession(w, r)
	if !ok {
		return err
	}
	p := &consentView{Version: ConsentVersion}
	if pr := ss.data.Person; pr != nil {
		p.Name = strings.Join(nonEmpty(pr.FirstName, pr.MiddleName), " ")
	}
	p.Title = h.title(r, "cabinet.consent.title")
	return h.site.Render(w, r, http.StatusOK, "cabinet_consent", p)
}

func (h *handler) consentAnswer(w http.ResponseWriter, r *http.Request) error {
	ss, ok, err := h.consentSession(w, r)
	if !ok {
		return err
	}
	ctx := r.Context()
	if r.PostFormValue("decision") != "agree" || r.PostFormValue("version") != ConsentVersion {
		err := h.s.db.Tx(ctx, func(tx *sql.Tx) error {
			if err := endSession(ctx, tx, ss.ID); err != nil {
				return err
			}
			return h.s.record(ctx, tx, r, audit.Entry{ActorKind: audit.ActorAnonymous, Action: ActionConsentRefused,
				ObjectType: "cabinet_session", ObjectID: ss.ID})
		})
		if err != nil {
			return err
		}
		h.clearCookie(w)
		p := &refusedPage{Reason: "cabinet.refused.consent", Retry: true}
		if c, err := h.s.esia(); err == nil {
			p.Logout = c.LogoutURL(h.s.site() + "/cabinet/signedout")
		}
		p.Title = h.title(r, "cabinet.refused.title")
		return h.site.Render(w, r, http.StatusOK, "cabinet_refused", p)
	}
	if ss.data.Person == nil {
		return errNoSession
	}
	err = h.s.db.Tx(ctx, func(tx *sql.Tx) error {
		prof, err := h.s.profileByOID(ctx, tx, ss.data.OID)
		if errors.Is(err, errNoProfile) {
			prof, err = &Profile{OID: ss.data.OID}, nil
		}
		if err != nil {
			return err
		}
		prof.Person, prof.Trusted, prof.Level = *ss.data.Person, ss.data.Trusted, ss.data.Level
		prof.ConsentVersion, prof.ConsentAt = ConsentVersion, h.s.now().UTC()
		if err := h.s.saveProfile(ctx, tx, prof); err != nil {
			return err
		}
		if err := h.s.activate(ctx, tx, ss, prof.ID); err != nil {
			return err
		}
		if err := h.s.record(ctx, tx, r, audit.Entry{ActorKind: audit.ActorCitizen, ActorID: prof.ID, Action: ActionConsentGiven,
			ObjectType: "cabinet_profile", ObjectID: prof.ID, Details: map[string]string{"version": ConsentVersion}}); err != nil {
			return err
		}
		return h.s.record(ctx, tx, r, audit.Entry{ActorKind: audit.ActorCitizen, ActorID: prof.ID, Action: ActionEntered,
			ObjectType: "cabinet_profile", ObjectID: prof.ID})
	})
	if errors.Is(err, errNoSession) {
		http.Redirect(w, r, "/cabinet", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/cabinet", http.StatusSeeOther)
	return nil
}

// backPage sends the browser to ЕСИА's logout: a form's navigation may not be redirected to
// another site (CSP form-action 'self'), so the page goes by itself (Refresh) and offers the
// link.
type backPage struct {
	web.Page
	URL string
}

// signOut ends the cabinet session and then ЕСИА's.
func (h *handler) signOut(w http.ResponseWriter, r *http.Request) error {
	ss, err := h.current(r)
	if err != nil && !errors.Is(err, errNoSession) {
		return err
	}
	if ss != nil {
		if err := h.s.endWith(r.Context(), r, ss, ActionSignedOut); err != nil {
			return err
		}
	}
	h.clearCookie(w)
	back := h.s.site() + "/cabinet/signedout"
	c, err := h.s.esia()
	if err != nil {
		http.Redirect(w, r, "/cabinet/signedout", http.StatusSeeOther)
		return nil
	}
	target := c.LogoutURL(back)
	if sameOrigin(target, back) {
		http.Redirect(w, r, target, http.StatusSeeOther)
		return nil
	}
	w.Header().Set("Refresh", "0;url="+target)
	p := &backPage{URL: target}
	p.Title = h.title(r, "cabinet.signout.title")
	return h.site.Render(w, r, http.StatusOK, "cabinet_back", p)
}

func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Scheme == ub.Scheme && ua.Host == ub.Host
}

func (h *handler) signedOut(w http.ResponseWriter, r *http.Request) error {
	p := &entryPage{}
	p.Title = h.title(r, "cabinet.signedout.title")
	return h.site.Render(w, r, http.StatusOK, "cabinet_signedout", p)
}
