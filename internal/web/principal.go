package web

import (
	"context"
	"net/http"
)

// Principal is who makes a request: a signed-in person, an agency operator, an administrator,
// an auditor, or an external system with an access token. Authenticators (identity sessions,
// API tokens) put it on the request; handlers read it with PrincipalOf and check it against
// every object they touch.
type Principal struct {
	Kind  PrincipalKind
	ID    string // the account, operator or API client id
	OrgID string // the organisation acted for, if any
	Roles []string
	// Session is the id of the sign-in session the request came with, if it came with one.
	Session string
	// Read is what the authenticator read with the credentials, for its own package (ID keeps
	// the account as the request began, so that a page showing it asks nothing more).
	Read any
}

// PrincipalKind says what sort of actor a principal is.
type PrincipalKind string

// The kinds of principal.
const (
	Citizen   PrincipalKind = "citizen"
	Operator  PrincipalKind = "operator"
	Admin     PrincipalKind = "admin"
	Auditor   PrincipalKind = "auditor"
	APIClient PrincipalKind = "api_client"
)

// HasRole reports whether the principal holds role.
func (p *Principal) HasRole(role string) bool {
	for _, r := range p.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Authenticator recognises the principal of a request (from a session cookie, an access token…).
// It returns nil, nil when the request carries no credentials it knows; an error means the
// credentials were present but bad (expired, forged) and the request is refused.
type Authenticator interface {
	Authenticate(r *http.Request) (*Principal, error)
}

type principalKey struct{}

// PrincipalOf returns the authenticated principal of the request, if any.
func PrincipalOf(r *http.Request) (*Principal, bool) {
	p, ok := r.Context().Value(principalKey{}).(*Principal)
	return p, ok && p != nil
}

// WithPrincipal returns r carrying p; authenticators' middleware and tests use it.
func WithPrincipal(r *http.Request, p *Principal) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
}

// authenticate asks each authenticator in turn; the first that recognises the request wins.
func (s *Site) authenticate(next http.Handler) http.Handler {
	if len(s.opt.Authenticators) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, a := range s.opt.Authenticators {
			p, err := a.Authenticate(r)
			if err != nil {
				s.Error(w, r, err)
				return
			}
			if p != nil {
				r = WithPrincipal(r, p)
				break
			}
		}
		next.ServeHTTP(w, r)
	})
}
