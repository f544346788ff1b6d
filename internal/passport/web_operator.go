package passport

import (
	"errors"
	"net/http"
	"strings"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/web"
)

// OperatorPath is the operators' desk for passports.
const OperatorPath = "/operator/passports"

func (h *Handler) registerOperator() {
	h.site.Handle("GET "+OperatorPath, h.operatorPage)
	h.site.Handle("POST "+OperatorPath+"/{number}/annul", h.operatorAnnul)
	h.site.Handle("POST "+OperatorPath+"/{number}/reissue", h.operatorReissue)
	h.site.Handle("POST /api/v1/operator/passports/{number}/annul", h.apiOperatorAnnul)
	h.site.Handle("POST /api/v1/operator/passports/{number}/reissue", h.apiOperatorReissue)
}

var errNotOperator = errs.E(errs.Forbidden, "passport.operator.forbidden", errors.New("passport: operators only"))

// operatorOf admits operators (and administrators, who act as operators).
func operatorOf(r *http.Request) error {
	p, ok := web.PrincipalOf(r)
	if !ok || p.Session == "" {
		return errSignIn
	}
	if p.Kind != web.Operator && p.Kind != web.Admin {
		return errNotOperator
	}
	return nil
}

type operatorPage struct {
	formPage
	Query    string
	Done     string
	Passport *shownPassport
	Reason   string
	Action   string // the form the errors belong to: annul or reissue
	NoteMax  int
}

func (h *Handler) renderOperator(w http.ResponseWriter, r *http.Request, status int, page *operatorPage) error {
	page.Title = h.site.Printer(r).T("passport.operator.title")
	page.NoteMax = MaxNote
	if page.Query != "" && page.Passport == nil {
		if p, err := h.svc.ByNumber(r.Context(), page.Query); err == nil {
			sp := h.shownPassport(r, p)
			page.Passport = &sp
		} else if !errors.Is(err, ErrNotFound) {
			return err
		} else if page.Notice == "" {
			page.Notice = h.site.Printer(r).T("passport.not_found")
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.site.Render(w, r, status, "passport_operator", page)
}

func (h *Handler) operatorPage(w http.ResponseWriter, r *http.Request) error {
	if err := operatorOf(r); err != nil {
		if errors.Is(err, errSignIn) {
			signIn(w, r)
			return nil
		}
		return err
	}
	page := &operatorPage{Query: strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("number")))}
	if d := r.URL.Query().Get("done"); d == "annulled" || d == "reissued" {
		page.Done = h.site.Printer(r).T("passport.operator.done."+d, "number", page.Query)
	}
	return h.renderOperator(w, r, http.StatusOK, page)
}

func (h *Handler) operatorAction(w http.ResponseWriter, r *http.Request, action string) error {
	if err := operatorOf(r); err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	number, reason := r.PathValue("number"), r.PostFormValue("reason")
	var err error
	next := number
	if action == "annul" {
		err = h.svc.OperatorAnnul(r.Context(), r, number, reason)
	} else {
		var np *Passport
		if np, err = h.svc.OperatorReissue(r.Context(), r, number, reason); err == nil {
			next = np.Number
		}
	}
	if err != nil {
		page := &operatorPage{Query: number, Reason: reason, Action: action}
		if errors.Is(err, ErrNotFound) || !h.fail(r, &page.formPage, err, "reason") {
			return err
		}
		for i := range page.Summary {
			if action == "reissue" {
				page.Summary[i].Field = "reissue-reason"
			}
		}
		return h.renderOperator(w, r, http.StatusUnprocessableEntity, page)
	}
	done := "annulled"
	if action == "reissue" {
		done = "reissued"
	}
	http.Redirect(w, r, OperatorPath+"?number="+next+"&done="+done, http.StatusSeeOther)
	return nil
}

func (h *Handler) operatorAnnul(w http.ResponseWriter, r *http.Request) error {
	return h.operatorAction(w, r, "annul")
}

func (h *Handler) operatorReissue(w http.ResponseWriter, r *http.Request) error {
	return h.operatorAction(w, r, "reissue")
}

type operatorRequest struct {
	Reason string `json:"reason"`
}

func (h *Handler) apiOperatorAnnul(w http.ResponseWriter, r *http.Request) error {
	if err := operatorOf(r); err != nil {
		return err
	}
	var req operatorRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := h.svc.OperatorAnnul(r.Context(), r, r.PathValue("number"), req.Reason); err != nil {
		return h.apiFields(w, r, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) apiOperatorReissue(w http.ResponseWriter, r *http.Request) error {
	if err := operatorOf(r); err != nil {
		return err
	}
	var req operatorRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	np, err := h.svc.OperatorReissue(r.Context(), r, r.PathValue("number"), req.Reason)
	if err != nil {
		return h.apiFields(w, r, err)
	}
	web.JSON(w, http.StatusCreated, struct {
		Number string `json:"number"`
	}{np.Number})
	return nil
}
