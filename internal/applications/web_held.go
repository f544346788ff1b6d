package applications

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/internal/services"
	"github.com/sep-platform/sep/internal/web"
)

// What a citizen typed into a draft's form is not lost when the session ended while they
// typed (20 minutes idle, and the page without JavaScript cannot warn). The form's post
// finds no session: its values are sealed with the instance's data key, bound to the
// application, into a cookie of the browser (HttpOnly, an hour), and the browser is sent to
// sign in and come back to the form. The owner's form page, once signed in, opens the cookie,
// shows the values in the fields with a notice to check and save them, and deletes it.
// Nothing is written to the draft until the owner saves: an ended session grants no write,
// and the values never rest in clear, on the server or in the browser. A post whose values
// do not fit in a cookie (over maxHeld) holds nothing: the draft keeps what was saved before.
var (
	heldTable  = seal.Table{Name: "application_held_form", Key: "application", Sealed: []string{"values"}}
	heldColumn = heldTable.Column("values")
)

const (
	heldCookie = "sep_held_form"
	maxHeld    = 3500 // bytes of the cookie's value; browsers keep 4096 per cookie
)

// holdForm keeps the values of a form posted without a session and sends the browser to sign
// in, back to the form.
func (h *Handler) holdForm(w http.ResponseWriter, r *http.Request) error {
	appID := r.PathValue("id")
	values := map[string]string{}
	for k, vs := range r.PostForm {
		if k != web.CSRFField && len(vs) > 0 {
			values[k] = vs[0]
		}
	}
	js, err := json.Marshal(values)
	if err != nil {
		return err
	}
	sealed := base64.RawURLEncoding.EncodeToString(h.store.box.Seal(heldColumn, appID, js).Bytes())
	if len(sealed) <= maxHeld {
		h.setHeld(w, sealed, 3600)
	}
	back := "/applications/" + appID + "/form"
	http.Redirect(w, r, "/id/signin?return="+url.QueryEscape(back), http.StatusSeeOther)
	return nil
}

func (h *Handler) setHeld(w http.ResponseWriter, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: h.site.CookieName(heldCookie), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: h.site.Secure(), SameSite: http.SameSiteLaxMode})
}

// takeHeld returns the values held for a, its own application (over a's values, the fields a
// may change only), and deletes the cookie; nil when none are held for a.
func (h *Handler) takeHeld(w http.ResponseWriter, r *http.Request, a *Application, svc *services.Service) map[string]string {
	c, err := r.Cookie(h.site.CookieName(heldCookie))
	if err != nil {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return nil
	}
	var sealed seal.Sealed
	if sealed.Scan(raw) != nil {
		return nil
	}
	js, err := h.store.box.Open(heldColumn, a.ID, sealed)
	if err != nil {
		return nil // another application's, or a key since removed
	}
	var held map[string]string
	if json.Unmarshal(js, &held) != nil {
		return nil
	}
	h.setHeld(w, "", -1)
	out := make(map[string]string, len(a.Values))
	for k, v := range a.Values {
		out[k] = v
	}
	for _, f := range svc.Fields {
		if !a.Editable(f.Name) {
			continue
		}
		if v, sent := held[f.Name]; sent || f.Type == services.Checkbox {
			out[f.Name] = v
		}
	}
	return out
}
