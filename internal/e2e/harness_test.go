package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// recorder captures failures instead of failing the test, to test the harness itself.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// The accessibility check must really fail a page with violations, or it proves nothing.
func TestCheckA11yCatchesViolations(t *testing.T) {
	sep := Start(t)
	b := NewBrowser(t)
	b.Open(sep.URL + "/")
	Eval[bool](b, `(() => {
		const img = document.createElement("img"); img.src = "/static/favicon.svg"; document.querySelector("main").append(img);
		document.documentElement.removeAttribute("lang");
		return true })()`)
	rec := &recorder{TB: t}
	b.t = rec
	b.CheckA11y()
	b.t = t
	report := strings.Join(rec.errors, "\n")
	for _, rule := range []string{"image-alt", "html-has-lang"} {
		if !strings.Contains(report, rule) {
			t.Errorf("the check missed %s; it reported:\n%s", rule, report)
		}
	}
}
