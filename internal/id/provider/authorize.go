package provider

import (
	"database/sql"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/web"
)

// handler serves the provider's endpoints and pages.
type handler struct {
	site *web.Site
	p    *Provider
}

func (h *handler) register() {
	s := h.site
	s.Handle("GET /aas/oauth2/v2/ac", func(w http.ResponseWriter, r *http.Request) error { return h.authorize(w, r, "v2") })
	s.Handle("GET /aas/oauth2/ac", func(w http.ResponseWriter, r *http.Request) error { return h.authorize(w, r, "v1") })
	s.Handle("GET /aas/oauth2/request/{token}", h.requestPage)
	s.Handle("POST /aas/oauth2/request/{token}", h.requestAnswer)
	s.Handle("POST /aas/oauth2/v3/te", func(w http.ResponseWriter, r *http.Request) error { return h.token(w, r, "v3") })
	s.Handle("POST /aas/oauth2/te", func(w http.ResponseWriter, r *http.Request) error { return h.token(w, r, "v1") })
	// Systems post to the token endpoints from their servers, signed: no browser, no CSRF token.
	s.AllowWithoutCSRFToken("/aas/oauth2/v3/te", "/aas/oauth2/te")
	s.Handle("GET /aas/oauth2/certs/gost.pem", h.cert(func() []byte { return h.p.certs.gost }))
	s.Handle("GET /aas/oauth2/certs/rsa.pem", h.cert(func() []byte { return h.p.certs.rsa }))
	s.Handle("GET /idp/ext/Logout", h.logout)
	h.registerPerson()
	h.registerConsents()
	h.registerOIDC()
	s.Handle("GET "+SandboxDocsPath, h.sandboxDocs)
}

// errorPage is a refusal shown to the person (when the system's redirect_uri is not known to
// be its own, nothing may be sent back there).
type errorPage struct {
	web.Page
	Code    Code
	Message string
}

// refuse shows the error page of a failure.
func (h *handler) refuse(w http.ResponseWriter, r *http.Request, f *Failure) error {
	h.site.Logger().Info("esia: request refused", "code", string(f.Code), "detail", f.Detail, "request_id", web.RequestID(r))
	pr := h.site.Printer(r)
	p := &errorPage{Code: f.Code, Message: pr.T("provider.error." + string(f.Code))}
	p.Title = pr.T("provider.error.title")
	return h.site.Render(w, r, http.StatusBadRequest, "provider_error", p)
}

// back sends a failure back to the system's (registered) redirect_uri.
func (h *handler) back(w http.ResponseWriter, r *http.Request, redirectURI, state string, f *Failure) error {
	h.site.Logger().Info("esia: request refused", "code", string(f.Code), "detail", f.Detail, "request_id", web.RequestID(r))
	http.Redirect(w, r, errorRedirect(redirectURI, f.Code, state), http.StatusFound)
	return nil
}

// backPage takes the person back to the system from the request page.
type backPage struct {
	web.Page
	URL    string
	System string
}

// returnTo goes back to the system from the request page. The page is reached from ID's
// forms (sign-in, consent), and the site's Content-Security-Policy (form-action 'self') stops
// a form's navigation from being redirected to another site: so a page answers, which goes on
// by itself (Refresh) and offers the link.
func (h *handler) returnTo(w http.ResponseWriter, r *http.Request, system, target string) error {
	w.Header().Set("Refresh", "0;url="+target)
	p := &backPage{URL: target, System: system}
	p.Title = h.site.Printer(r).T("provider.back.title")
	return h.site.Render(w, r, http.StatusOK, "provider_back", p)
}

// backFromPage is back for the request page: a failure sent to the system through returnTo.
func (h *handler) backFromPage(w http.ResponseWriter, r *http.Request, c *Client, redirectURI, state string, f *Failure) error {
	h.site.Logger().Info("esia: request refused", "code", string(f.Code), "detail", f.Detail, "request_id", web.RequestID(r))
	return h.returnTo(w, r, c.Mnemonic, errorRedirect(redirectURI, f.Code, state))
}

var challengeRe = regexp.MustCompile(`^[A-Za-z0-9_-]{43,128}$`)

// authorize is /aas/oauth2/v2/ac (and the legacy /aas/oauth2/ac): the system's signed request
// is checked as strictly as ЕСИА checks it, then waits for the person's sign-in and consent.
func (h *handler) authorize(w http.ResponseWriter, r *http.Request, version string) error {
	q := r.URL.Query()
	for _, vs := range q {
		if len(vs) > 1 {
			return h.refuse(w, r, fail(ErrBadParameter, "a parameter given twice"))
		}
	}
	mnemonic, redirectURI := q.Get("client_id"), q.Get("redirect_uri")
	if mnemonic == "" || redirectURI == "" {
		return h.refuse(w, r, fail(ErrMissing, "client_id or redirect_uri missing"))
	}
	c, err := h.p.ClientByMnemonic(r.Context(), mnemonic)
	if errors.Is(err, errNoClient) || (err == nil && (c.Disabled() || c.Kind != KindESIA)) {
		return h.refuse(w, r, fail(ErrUnauthorized, "no such enabled system"))
	}
	if err != nil {
		return err
	}
	if !c.redirectAllowed(redirectURI) {
		return h.refuse(w, r, fail(ErrRedirectURI, "redirect_uri not registered"))
	}
	// From here the redirect_uri is the system's own: failures go back to it.
	state := q.Get("state")
	back := func(f *Failure) error { return h.back(w, r, redirectURI, state, f) }
	rawScope := q.Get("scope")
	if rawScope == "" {
		return back(fail(ErrNoScope, "no scope"))
	}
	mandatory := []string{"response_type", "state", "timestamp", "client_secret"}
	if version == "v2" {
		mandatory = append(mandatory, "client_certificate_hash")
	}
	for _, m := range mandatory {
		if q.Get(m) == "" {
			return back(fail(ErrMissing, "%s missing", m))
		}
	}
	if q.Get("response_type") != "code" {
		return back(fail(ErrBadParameter, "response_type is not code"))
	}
	if !validState(state) {
		return back(fail(ErrBadParameter, "state is not a UUID"))
	}
	if at := q.Get("access_type"); at != "" && at != "online" && at != "offline" {
		return back(fail(ErrBadParameter, "access_type"))
	}
	ts, f := h.p.checkTimestamp(q.Get("timestamp"))
	if f != nil {
		return back(f)
	}
	secret := q.Get("client_secret")
	if version == "v2" {
		if f := h.p.certHashFailure(r.Context(), c, q.Get("client_certificate_hash")); f != nil {
			return back(f)
		}
		msg := c.Mnemonic + rawScope + q.Get("scope_org") + ts + state + redirectURI
		if !verifyRaw(c.Cert.PublicKey, msg, secret) {
			return back(fail(ErrSecret, "the v2 client_secret does not verify"))
		}
	} else if !verifyCMS(c, rawScope+ts+c.Mnemonic+state, secret) {
		return back(fail(ErrSecret, "the v1 client_secret does not verify"))
	}
	scope := parseScope(rawScope)
	for _, s := range scope {
		if !knownScope(s) || !slices.Contains(c.Scopes, s) {
			return back(fail(ErrBadScope, "scope %q unknown or not allowed", s))
		}
	}
	ch, meth := q.Get("code_challenge"), q.Get("code_challenge_method")
	if ch != "" || meth != "" {
		if meth == "" {
			meth = "S256"
		}
		if meth != "S256" || !challengeRe.MatchString(ch) {
			return back(fail(ErrPKCEChallenge, "code_challenge or its method"))
		}
	}
	token, err := h.p.saveRequest(r.Context(), &authRequest{ClientID: c.ID, Version: version, Scope: scope, ScopeOrg: q.Get("scope_org"),
		RedirectURI: redirectURI, State: state, AccessType: q.Get("access_type"), Challenge: ch, ChallengeMeth: meth})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/aas/oauth2/request/"+token, http.StatusFound)
	return nil
}

// consentPage asks the person to let the system have the data it asks for.
type consentPage struct {
	web.Page
	Token  string
	System string
	Scopes []string // catalog keys of the data asked for
}

// citizen returns the signed-in citizen's principal, or nil.
func citizen(r *http.Request) *web.Principal {
	pr, ok := web.PrincipalOf(r)
	if !ok || pr.Kind != web.Citizen || pr.Session == "" {
		return nil
	}
	return pr
}

// pending reads the request of the page's token and its system; a request that is gone is
// an error page.
func (h *handler) pending(r *http.Request) (*authRequest, *Client, *Failure, error) {
	token := r.PathValue("token")
	a, err := h.p.request(r.Context(), token)
	if errors.Is(err, errGone) {
		return nil, nil, fail(ErrBadCode, "the request is gone"), nil
	}
	if err != nil {
		return nil, nil, nil, err
	}
	c, err := h.p.clientByID(r.Context(), a.ClientID)
	if err != nil {
		return nil, nil, nil, err
	}
	if c.Disabled() {
		return nil, nil, fail(ErrUnauthorized, "the system was disabled"), nil
	}
	return a, c, nil, nil
}

// requestPage is where the person lands from ac: signed out, they sign in on ID's own pages
// and come back; signed in, a system they consented to gets its code at once, another one
// shows what it asks for.
func (h *handler) requestPage(w http.ResponseWriter, r *http.Request) error {
	a, c, f, err := h.pending(r)
	if err != nil {
		return err
	}
	if f != nil {
		return h.refuse(w, r, f)
	}
	pr := citizen(r)
	if pr == nil {
		http.Redirect(w, r, "/id/signin?return="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
		return nil
	}
	acc, err := h.p.id.Account(r.Context(), pr.ID)
	if err != nil {
		return err
	}
	token := r.PathValue("token")
	if levelRank(acc.Level) < levelRank(c.MinLevel) {
		if err := dropRequest(r.Context(), h.p.db.Writer(), token); err != nil && !errors.Is(err, errGone) {
			return err
		}
		return h.backFromPage(w, r, c, a.RedirectURI, a.State, fail(ErrUnconfirmed, "account level below the system's"))
	}
	granted, err := h.p.consentScopes(r.Context(), pr.ID, c.ID)
	if err != nil {
		return err
	}
	if granted != nil && covers(granted, a.Scope) {
		return h.issueCode(w, r, token, a, c, pr, nil)
	}
	p := &consentPage{Token: token, System: c.Mnemonic}
	for _, s := range a.Scope {
		p.Scopes = append(p.Scopes, "provider.scope."+s)
	}
	p.Title = h.site.Printer(r).T("provider.consent.title")
	return h.site.Render(w, r, http.StatusOK, "provider_consent", p)
}

// requestAnswer is the consent form's answer: allow gives the system its code and remembers
// the consent; deny sends ESIA-007004 back.
func (h *handler) requestAnswer(w http.ResponseWriter, r *http.Request) error {
	a, c, f, err := h.pending(r)
	if err != nil {
		return err
	}
	if f != nil {
		return h.refuse(w, r, f)
	}
	pr := citizen(r)
	if pr == nil {
		http.Redirect(w, r, "/id/signin?return="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
		return nil
	}
	token := r.PathValue("token")
	if r.PostFormValue("decision") != "allow" {
		err := h.p.db.Tx(r.Context(), func(tx *sql.Tx) error {
			if err := dropRequest(r.Context(), tx, token); err != nil {
				return err
			}
			return h.p.record(r.Context(), tx, r, audit.Entry{ActorKind: audit.ActorCitizen, ActorID: pr.ID, Action: ActionDeclined,
				ObjectType: "client", ObjectID: c.ID})
		})
		if errors.Is(err, errGone) {
			return h.refuse(w, r, fail(ErrBadCode, "the request is gone"))
		}
		if err != nil {
			return err
		}
		return h.backFromPage(w, r, c, a.RedirectURI, a.State, fail(ErrDeclined, "the person declined"))
	}
	granted, err := h.p.consentScopes(r.Context(), pr.ID, c.ID)
	if err != nil {
		return err
	}
	merged := slices.Clone(granted)
	for _, s := range a.Scope {
		if !slices.Contains(merged, s) {
			merged = append(merged, s)
		}
	}
	return h.issueCode(w, r, token, a, c, pr, merged)
}

// issueCode answers the request with a code (remembering consent when given), journaled in
// the same transaction, and sends the person back to the system.
func (h *handler) issueCode(w http.ResponseWriter, r *http.Request, token string, a *authRequest, c *Client, pr *web.Principal, consent []string) error {
	ctx := r.Context()
	if _, err := h.p.id.ESIAOID(ctx, pr.ID); err != nil { // assigned before the transaction: its own
		return err
	}
	method, err := h.p.id.SessionMethod(ctx, pr.Session)
	if err != nil {
		return err
	}
	g := &grant{ClientID: c.ID, AccountID: pr.ID, SID: pr.Session, AMR: amr(method), Scope: a.Scope, RedirectURI: a.RedirectURI,
		Challenge: a.Challenge, ChallengeMeth: a.ChallengeMeth, Nonce: a.Nonce, AuthTime: h.p.now()}
	var code string
	err = h.p.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := dropRequest(ctx, tx, token); err != nil {
			return err
		}
		if consent != nil {
			if err := h.p.saveConsent(ctx, tx, pr.ID, c.ID, consent); err != nil {
				return err
			}
			if err := h.p.record(ctx, tx, r, audit.Entry{ActorKind: audit.ActorCitizen, ActorID: pr.ID, Action: ActionConsentGiven,
				ObjectType: "client", ObjectID: c.ID, Details: map[string]string{"scopes_count": strconv.Itoa(len(consent))}}); err != nil {
				return err
			}
		}
		var err error
		if code, err = h.p.saveCode(ctx, tx, g); err != nil {
			return err
		}
		return h.p.record(ctx, tx, r, audit.Entry{ActorKind: audit.ActorCitizen, ActorID: pr.ID, Action: ActionAuthorized,
			ObjectType: "client", ObjectID: c.ID})
	})
	if errors.Is(err, errGone) {
		return h.refuse(w, r, fail(ErrBadCode, "the request was answered meanwhile"))
	}
	if err != nil {
		return err
	}
	u, _ := url.Parse(a.RedirectURI)
	qv := u.Query()
	qv.Set("code", code)
	qv.Set("state", a.State)
	u.RawQuery = qv.Encode()
	return h.returnTo(w, r, c.Mnemonic, u.String())
}

// amr is how ЕСИА names the way the person signed in: PWD (password and a code) — or DS for
// a qualified electronic signature, which ID does not take yet.
func amr(method string) string { return "PWD" }

// cert serves a published certificate, PEM.
func (h *handler) cert(pem func() []byte) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		b := pem()
		if b == nil {
			return errNoClient // nothing published: 404
		}
		w.Header().Set("Content-Type", "application/x-pem-file")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, err := w.Write(b)
		return err
	}
}

// logout is /idp/ext/Logout?client_id=…&redirect_url=…: the ID session ends, and the person
// goes back to the system only if the address is one it registered.
func (h *handler) logout(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	target := q.Get("redirect_url")
	var c *Client
	if mnemonic := q.Get("client_id"); mnemonic != "" {
		var err error
		c, err = h.p.ClientByMnemonic(r.Context(), mnemonic)
		if errors.Is(err, errNoClient) {
			return h.refuse(w, r, fail(ErrUnauthorized, "logout for an unknown system"))
		}
		if err != nil {
			return err
		}
	}
	if target != "" && (c == nil || !c.redirectAllowed(target)) {
		return h.refuse(w, r, fail(ErrRedirectURI, "logout redirect_url not registered"))
	}
	if pr := citizen(r); pr != nil && c != nil {
		if err := h.p.record(r.Context(), nil, r, audit.Entry{ActorKind: audit.ActorCitizen, ActorID: pr.ID, Action: ActionLogout,
			ObjectType: "client", ObjectID: c.ID}); err != nil {
			return err
		}
	}
	if err := h.p.id.SignOut(w, r); err != nil {
		return err
	}
	if target == "" {
		target = "/"
	}
	http.Redirect(w, r, target, http.StatusFound)
	return nil
}
