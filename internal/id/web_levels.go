package id

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/internal/web"
	"github.com/sep-platform/sep/ruid"
)

func (h *Handler) registerLevels() {
	h.site.Handle("GET /id/profile", h.profilePage)
	h.site.Handle("POST /id/profile", h.profilePost)
	h.site.Handle("GET /id/profile/confirm", h.confirmPage)
	h.site.Handle("POST /id/profile/confirm", h.confirmPost)
	h.site.Handle("GET /id/operator/confirm", h.operatorPage)
	h.site.Handle("POST /id/operator/confirm", h.operatorFind)
	h.site.Handle("POST /id/operator/confirm/in-person", h.operatorInPerson)
	h.site.Handle("POST /id/operator/confirm/code", h.operatorCode)
	h.registerLevelsAPI()
}

// profileInput is one input of the profile form.
type profileInput struct {
	ID, Label, Hint, Value, Error string
	Type, Autocomplete            string
	Options                       []string // a select's choices (Type "select")
}

// profileSection is a fieldset of the profile form.
type profileSection struct {
	Title, Hint string
	Fields      []profileInput
}

// checkView is one registry check as the profile shows it.
type checkView struct {
	Registry, Name, State, Message, Help, CheckedAt string
}

// levelView is the level block of the profile: the level, what the next needs, the checks.
type levelView struct {
	Level         string
	Next          string // standard, confirmed or ""
	Missing       []missingView
	Checks        []checkView
	Pending       bool
	ConfirmedHow  string
	WaitingChecks bool // nothing missing, the checks not all confirmed yet
}

type missingView struct{ Item, Text, Help string }

type profilePage struct {
	formPage
	Level    levelView
	Sections []profileSection
	Saved    bool
}

// fieldSections lays out the form: each section's title, hint and fields (id, input type,
// autocomplete).
var fieldSections = []struct {
	title, hint string
	fields      [][3]string
}{
	{"person", "", [][3]string{{"last_name", "text", "family-name"}, {"first_name", "text", "given-name"},
		{"middle_name", "text", "additional-name"}, {"birth_date", "text", "bday"}, {"birth_place", "text", "off"}}},
	{"passport", "", [][3]string{{"passport_series", "text", "off"}, {"passport_number", "text", "off"},
		{"passport_issue_date", "text", "off"}, {"passport_issuer", "text", "off"}, {"passport_division_code", "text", "off"}}},
	{"numbers", "", [][3]string{{"snils", "text", "off"}, {"inn", "text", "off"}}},
	{"address", "id.profile.address_hint", [][3]string{{"region", "select", "address-level1"}, {"district", "text", "off"},
		{"city", "text", "address-level2"}, {"street", "text", "address-line1"}, {"house", "text", "off"},
		{"flat", "text", "off"}, {"postcode", "text", "postal-code"}}},
}

// formValues maps the form's field ids to its values.
func formValues(f ProfileForm) map[string]string {
	return map[string]string{"last_name": f.LastName, "first_name": f.FirstName, "middle_name": f.MiddleName,
		"birth_date": f.BirthDate, "birth_place": f.BirthPlace, "passport_series": f.PassportSeries,
		"passport_number": f.PassportNumber, "passport_issue_date": f.PassportIssueDate, "passport_issuer": f.PassportIssuer,
		"passport_division_code": f.PassportDivisionCode, "snils": f.SNILS, "inn": f.INN, "region": f.Region,
		"district": f.District, "city": f.City, "street": f.Street, "house": f.House, "flat": f.Flat, "postcode": f.Postcode}
}

// formFrom reads the form from a request's fields by their ids.
func formFrom(get func(string) string) ProfileForm {
	return ProfileForm{LastName: get("last_name"), FirstName: get("first_name"), MiddleName: get("middle_name"),
		BirthDate: get("birth_date"), BirthPlace: get("birth_place"), PassportSeries: get("passport_series"),
		PassportNumber: get("passport_number"), PassportIssueDate: get("passport_issue_date"),
		PassportIssuer: get("passport_issuer"), PassportDivisionCode: get("passport_division_code"), SNILS: get("snils"),
		INN: get("inn"), Region: get("region"), District: get("district"), City: get("city"), Street: get("street"),
		House: get("house"), Flat: get("flat"), Postcode: get("postcode")}
}

func (h *Handler) sections(p *i18n.Printer, f ProfileForm, mistakes map[string]string) []profileSection {
	values := formValues(f)
	var out []profileSection
	for _, s := range fieldSections {
		sec := profileSection{Title: p.T("id.profile.section." + s.title)}
		if s.hint != "" {
			sec.Hint = p.T(s.hint)
		}
		for _, fd := range s.fields {
			pf := profileInput{ID: fd[0], Label: p.T("id.profile.field." + fd[0]), Value: values[fd[0]], Error: mistakes[fd[0]],
				Type: fd[1], Autocomplete: fd[2]}
			if hint := "id.profile.hint." + fd[0]; p.T(hint) != hint {
				pf.Hint = p.T(hint)
			}
			if pf.Type == "select" {
				pf.Options = ruid.Regions()
				pf.Hint = p.T("id.profile.region_choose")
			}
			sec.Fields = append(sec.Fields, pf)
		}
		out = append(out, sec)
	}
	return out
}

// levelOf is the level block in the request's language.
func (h *Handler) levelOf(r *http.Request, st *LevelState) levelView {
	p := h.site.Printer(r)
	v := levelView{Level: p.T("id.levels.name." + string(st.Level)), Next: string(st.Next), Pending: st.Pending()}
	if st.Next == Standard {
		for _, m := range st.Missing {
			mv := missingView{Item: m, Text: p.T("id.levels.missing." + m)}
			if help := "id.levels.help." + m; p.T(help) != help {
				mv.Help = p.T(help)
			}
			v.Missing = append(v.Missing, mv)
		}
		v.WaitingChecks = len(st.Missing) == 0
	}
	for _, c := range st.Checks {
		cv := checkView{Registry: string(c.Registry), Name: p.T("registry.name." + string(c.Registry)), State: c.Status}
		switch registry.Status(c.Status) {
		case registry.Mismatch:
			if c.Field != "" {
				cv.Message = p.T("id.levels.check.mismatch", "field", p.T("id.profile.field."+c.Field))
			} else {
				cv.Message = p.T("id.levels.check.mismatch_any")
			}
		case registry.Invalid:
			cv.Message = p.T("id.levels.check.invalid", "reason", p.T("registry.reason."+string(c.Reason)))
		case registry.Unavailable:
			cv.Message = p.T("id.levels.check.unavailable")
			if c.Reason == registry.ReasonNotConfigured {
				cv.Message = p.T("registry.reason.not_configured")
			}
		default:
			cv.Message = p.T("id.levels.check." + c.Status)
		}
		switch registry.Status(c.Status) {
		case registry.Mismatch, registry.NotFound, registry.Invalid:
			cv.Help = p.T("id.levels.refused." + string(c.Registry))
		}
		if !c.CheckedAt.IsZero() {
			cv.CheckedAt = p.T("id.levels.check.checked_at", "time", p.MoscowTime(c.CheckedAt))
		}
		v.Checks = append(v.Checks, cv)
	}
	if c := st.Confirmation; c != nil {
		v.ConfirmedHow = p.T("id.levels.confirmed_how."+c.Method, "date", p.MoscowTime(c.At))
	}
	return v
}

// signedIn is the request's account, or a redirect to sign in and back to ret.
func (h *Handler) signedIn(w http.ResponseWriter, r *http.Request, ret string) (*web.Principal, bool) {
	p, err := principal(r)
	if err != nil {
		http.Redirect(w, r, "/id/signin?return="+url.QueryEscape(ret), http.StatusSeeOther)
		return nil, false
	}
	return p, true
}

func (h *Handler) profilePage(w http.ResponseWriter, r *http.Request) error {
	pr, ok := h.signedIn(w, r, "/id/profile")
	if !ok {
		return nil
	}
	st, err := h.svc.ReviewLevel(r.Context(), pr.ID)
	if err != nil {
		return err
	}
	a, err := h.svc.Account(r.Context(), pr.ID)
	if err != nil {
		return err
	}
	return h.renderProfile(w, r, http.StatusOK, st, FormOf(a.Profile), nil, r.URL.Query().Get("saved") == "1")
}

func (h *Handler) renderProfile(w http.ResponseWriter, r *http.Request, status int, st *LevelState, f ProfileForm, err error, saved bool) error {
	p := h.site.Printer(r)
	page := &profilePage{Level: h.levelOf(r, st), Saved: saved}
	page.Title = p.T("id.profile.title")
	if err != nil && !h.fail(r, &page.formPage, err, profileFields...) {
		return err
	}
	page.Sections = h.sections(p, f, page.Errors)
	return h.site.Render(w, r, status, "id_levels_profile", page)
}

func (h *Handler) profilePost(w http.ResponseWriter, r *http.Request) error {
	pr, ok := h.signedIn(w, r, "/id/profile")
	if !ok {
		return nil
	}
	form := formFrom(r.PostFormValue)
	if _, err := h.svc.SaveProfileForm(r.Context(), r, pr.ID, form); err != nil {
		a, aerr := h.svc.Account(r.Context(), pr.ID)
		if aerr != nil {
			return aerr
		}
		st, lerr := h.svc.Level(r.Context(), a)
		if lerr != nil {
			return lerr
		}
		return h.renderProfile(w, r, http.StatusBadRequest, st, form, err, false)
	}
	http.Redirect(w, r, "/id/profile?saved=1", http.StatusSeeOther)
	return nil
}

type confirmPage struct {
	formPage
	Done bool
}

func (h *Handler) confirmPage(w http.ResponseWriter, r *http.Request) error {
	if _, ok := h.signedIn(w, r, "/id/profile/confirm"); !ok {
		return nil
	}
	return h.renderConfirm(w, r, http.StatusOK, nil, false)
}

func (h *Handler) renderConfirm(w http.ResponseWriter, r *http.Request, status int, err error, done bool) error {
	page := &confirmPage{Done: done}
	page.Title = h.site.Printer(r).T("id.confirm.title")
	if err != nil {
		if errs.KindOf(err) == errs.Other {
			return err
		}
		if errs.KindOf(err) == errs.Invalid || errs.KindOf(err) == errs.TooMany {
			err = FieldErrors{"code": err}
		}
		h.fail(r, &page.formPage, err, "code")
	}
	return h.site.Render(w, r, status, "id_levels_confirm", page)
}

func (h *Handler) confirmPost(w http.ResponseWriter, r *http.Request) error {
	pr, ok := h.signedIn(w, r, "/id/profile/confirm")
	if !ok {
		return nil
	}
	if err := h.svc.EnterConfirmationCode(r.Context(), r, pr.ID, r.PostFormValue("code")); err != nil {
		status := http.StatusBadRequest
		if errs.KindOf(err) == errs.TooMany {
			status = http.StatusTooManyRequests
		}
		return h.renderConfirm(w, r, status, err, false)
	}
	h.rotateCookie(w, r, pr.Session) // a higher level: a new token
	return h.renderConfirm(w, r, http.StatusOK, nil, true)
}

// operatorPage is the operator's confirmation desk: a search, the account found, the result.
type operatorPage struct {
	formPage
	Login  string
	Found  *foundAccount
	Done   string // what was done, said in full
	Code   string // a code just issued, shown once
	Expiry string
}

// foundAccount is what the operator compares with the passport in front of them.
type foundAccount struct {
	ID, Name, BirthDate, Passport, Level string
	CanConfirm                           bool
}

// operatorOnly is the operator signed in, or a refusal (a redirect to sign in for nobody).
func (h *Handler) operatorOnly(w http.ResponseWriter, r *http.Request) (*web.Principal, bool, error) {
	pr, ok := h.signedIn(w, r, "/id/operator/confirm")
	if !ok {
		return nil, false, nil
	}
	if pr.Kind != web.Operator {
		return nil, false, ErrNotOperator
	}
	return pr, true, nil
}

func (h *Handler) operatorPage(w http.ResponseWriter, r *http.Request) error {
	if _, ok, err := h.operatorOnly(w, r); !ok {
		return err
	}
	return h.renderOperator(w, r, http.StatusOK, &operatorPage{})
}

func (h *Handler) renderOperator(w http.ResponseWriter, r *http.Request, status int, page *operatorPage) error {
	page.Title = h.site.Printer(r).T("id.operator.title")
	w.Header().Set("Cache-Control", "no-store")
	return h.site.Render(w, r, status, "id_levels_operator", page)
}

func (h *Handler) found(r *http.Request, a *Account, st *LevelState) *foundAccount {
	p := h.site.Printer(r)
	pr := a.Profile
	f := &foundAccount{ID: a.ID, Name: strings.TrimSpace(pr.LastName + " " + pr.FirstName + " " + pr.MiddleName),
		BirthDate: formDate(pr.BirthDate), Level: p.T("id.levels.name." + string(st.Level)), CanConfirm: a.Level == Standard}
	if pp := pr.Passport; pp != nil {
		f.Passport = pp.Series[:2] + " " + pp.Series[2:] + " " + pp.Number + ", " + formDate(pp.IssueDate)
	}
	return f
}

func (h *Handler) operatorFind(w http.ResponseWriter, r *http.Request) error {
	pr, ok, err := h.operatorOnly(w, r)
	if !ok {
		return err
	}
	page := &operatorPage{Login: r.PostFormValue("login")}
	a, st, err := h.svc.FindForConfirmation(r.Context(), r, pr.ID, page.Login)
	if errors.Is(err, ErrNoAccount) {
		h.fail(r, &page.formPage, FieldErrors{"login": errs.E(errs.NotFound, "id.operator.not_found", nil)}, "login")
		return h.renderOperator(w, r, http.StatusNotFound, page)
	}
	if err != nil {
		return err
	}
	page.Found = h.found(r, a, st)
	return h.renderOperator(w, r, http.StatusOK, page)
}

// operatorAct runs one of the operator's actions on the account of the form and shows the
// outcome (or why not, with the account again).
func (h *Handler) operatorAct(w http.ResponseWriter, r *http.Request, act func(operatorID, accountID string, page *operatorPage) error) error {
	pr, ok, err := h.operatorOnly(w, r)
	if !ok {
		return err
	}
	page := &operatorPage{}
	accountID := r.PostFormValue("account")
	if err := act(pr.ID, accountID, page); err != nil {
		if errs.KindOf(err) == errs.Other {
			return err
		}
		if !errors.Is(err, ErrNotOperator) {
			if a, aerr := h.svc.Account(r.Context(), accountID); aerr == nil {
				if st, lerr := h.svc.Level(r.Context(), a); lerr == nil {
					page.Found = h.found(r, a, st)
				}
			}
		}
		h.fail(r, &page.formPage, err)
		return h.renderOperator(w, r, web.Status(err), page)
	}
	return h.renderOperator(w, r, http.StatusOK, page)
}

func (h *Handler) operatorInPerson(w http.ResponseWriter, r *http.Request) error {
	return h.operatorAct(w, r, func(op, acc string, page *operatorPage) error {
		if err := h.svc.ConfirmAtServicePoint(r.Context(), r, op, acc); err != nil {
			return err
		}
		page.Done = h.site.Printer(r).T("id.operator.confirmed")
		return nil
	})
}

func (h *Handler) operatorCode(w http.ResponseWriter, r *http.Request) error {
	return h.operatorAct(w, r, func(op, acc string, page *operatorPage) error {
		code, expires, err := h.svc.IssueConfirmationCode(r.Context(), r, op, acc)
		if err != nil {
			return err
		}
		p := h.site.Printer(r)
		page.Code, page.Expiry = code, p.MoscowTime(expires.Truncate(time.Minute))
		page.Done = p.T("id.operator.code_issued", "code", code, "date", page.Expiry)
		return nil
	})
}
