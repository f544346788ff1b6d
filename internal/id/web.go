package id

import (
	"embed"
	"errors"
	"io/fs"
	"net/http"
	"slices"
	"strings"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/id/password"
	"github.com/sep-platform/sep/internal/web"
	"github.com/sep-platform/sep/ruid"
)

// Templates are this package's page templates, for web.Options.Templates.
//
//go:embed templates/*.html
var Templates embed.FS

//go:embed openapi*.yaml
var openapiFiles embed.FS

// OpenAPI returns this package's parts of the API document (package api): openapi.yaml for
// sign-in and registration, and one openapi_<area>.yaml per further area.
func OpenAPI() [][]byte {
	names, _ := fs.Glob(openapiFiles, "openapi*.yaml")
	out := make([][]byte, 0, len(names))
	for _, n := range names {
		b, _ := fs.ReadFile(openapiFiles, n)
		out = append(out, b)
	}
	return out
}

// Handler serves ID's pages (under /id/) and its JSON API (under /api/v1/).
type Handler struct {
	site *web.Site
	svc  *Service
}

// Register adds ID's routes to the site.
func Register(site *web.Site, svc *Service) *Handler {
	h := &Handler{site: site, svc: svc}
	h.registerSignIn()
	h.registerRegistration()
	h.registerAccount()
	h.registerQR()
	h.registerAdmin()
	h.registerFactors()
	h.registerRecovery()
	h.registerLevels()
	h.registerThrottle()
	h.registerDevices()
	h.registerPasswords()
	return h
}

// FieldMessage is one field's mistake on a page: the id of the input and what to fix.
type FieldMessage struct {
	Field, Message string
}

// formPage is the part of ID's form pages that shows mistakes: an error summary at the top
// (each linking to its field) and each message next to its field.
type formPage struct {
	web.Page
	Flow    string            // the flow token, carried in a hidden field
	Errors  map[string]string // field → message
	Summary []FieldMessage    // the same, in the order of the form
	Notice  string            // a message about the whole form (not one field)
}

// fail puts err on the page: field errors next to their fields (in the order given), anything
// else as the page's notice. It reports false for errors a page cannot show (a failure of
// ours), which the handler returns instead.
func (h *Handler) fail(r *http.Request, p *formPage, err error, order ...string) bool {
	msgs := h.fieldMessages(r, err)
	if msgs == nil {
		if errs.KindOf(err) == errs.Other {
			return false
		}
		p.Notice = h.site.Printer(r).T(messageID(err))
		return true
	}
	p.Errors = msgs
	for _, f := range order {
		if m, ok := msgs[f]; ok {
			p.Summary = append(p.Summary, FieldMessage{Field: f, Message: m})
		}
	}
	return true
}

// fieldMessages turns field errors (or a password's violations) into messages in the
// request's language; nil if err has none.
func (h *Handler) fieldMessages(r *http.Request, err error) map[string]string {
	p := h.site.Printer(r)
	var fe FieldErrors
	if errors.As(err, &fe) {
		out := map[string]string{}
		for f, e := range fe {
			if lines := violationMessages(p, e); lines != nil {
				out[f] = strings.Join(lines, " ")
				continue
			}
			out[f] = message(p, web.Lang(r), e)
		}
		return out
	}
	if lines := violationMessages(p, err); lines != nil {
		return map[string]string{"password": strings.Join(lines, " ")}
	}
	return nil
}

// violationMessages are the messages of the password rules err says are broken, one each;
// nil if err is no PasswordErrors.
func violationMessages(p *i18n.Printer, err error) []string {
	var pe PasswordErrors
	if !errors.As(err, &pe) {
		return nil
	}
	lines := make([]string, 0, len(pe))
	for _, v := range pe {
		lines = append(lines, p.T(string(v), "min", password.MinLength))
	}
	return lines
}

// passwordViolations finds the broken password rules in err, or in one of its fields.
func passwordViolations(err error) PasswordErrors {
	var pe PasswordErrors
	if errors.As(err, &pe) {
		return pe
	}
	var fe FieldErrors
	if errors.As(err, &fe) {
		for _, e := range fe {
			if errors.As(e, &pe) {
				return pe
			}
		}
	}
	return nil
}

// message is what to tell the person about one field's error: ruid's precise message, or the
// catalog's message of the error's id.
func message(p *i18n.Printer, lang string, err error) string {
	var re *ruid.Error
	if errors.As(err, &re) {
		return re.Message(lang)
	}
	var cw *codeWait
	if errors.As(err, &cw) {
		return p.T(messageID(err), "seconds", cw.Seconds())
	}
	return p.T(messageID(err))
}

func messageID(err error) string {
	if id := errs.IDOf(err); id != "" {
		return id
	}
	return "error." + errs.KindOf(err).String()
}

// apiError answers a refused API call. Field errors and password violations go in "fields"
// beside the usual error body, so that an app can put each message next to its input, and the
// broken password rules also one by one in "violations"; other errors go to the site's one
// error mapping.
func (h *Handler) apiError(w http.ResponseWriter, r *http.Request, err error) error {
	msgs := h.fieldMessages(r, err)
	if msgs == nil {
		return err
	}
	var body struct {
		web.APIError
		Fields     map[string]string `json:"fields"`
		Violations []apiViolation    `json:"violations,omitempty"`
	}
	p := h.site.Printer(r)
	id := messageID(err)
	body.Error.Code, body.Error.MessageID, body.Error.Message = errs.KindOf(err).String(), id, p.T(id)
	body.RequestID, body.Fields = web.RequestID(r), msgs
	for _, v := range passwordViolations(err) {
		body.Violations = append(body.Violations, apiViolation{MessageID: string(v), Message: p.T(string(v), "min", password.MinLength)})
	}
	web.JSON(w, http.StatusBadRequest, body)
	return nil
}

// apiViolation is one broken password rule in an API answer.
type apiViolation struct {
	MessageID string `json:"message_id"`
	Message   string `json:"message"`
}

// localPath keeps a return address on this site.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") ||
		strings.ContainsAny(p, "\r\n\t") {
		return ""
	}
	return p
}

// principal returns the signed-in account's principal, or errs.Unauthenticated.
func principal(r *http.Request) (*web.Principal, error) {
	p, ok := web.PrincipalOf(r)
	if !ok || !slices.Contains([]web.PrincipalKind{web.Citizen, web.Operator, web.Admin, web.Auditor}, p.Kind) || p.Session == "" {
		return nil, errs.E(errs.Unauthenticated, "id.signin_needed", errors.New("id: not signed in"))
	}
	return p, nil
}
