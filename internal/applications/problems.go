package applications

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/services"
	"github.com/sep-platform/sep/ruid"
)

// Problem is one thing to fix before submission: a field (Field set) or a document (Kind
// set), with its error (a message id, or a ruid error carrying its own message).
type Problem struct {
	Field, Kind string
	Err         error
}

// CheckValue checks one value of field f: "" and nil for an empty optional field, the
// value's canonical form when it is right, or the error to show next to the field.
func CheckValue(f services.Field, v string, today time.Time) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		if f.Required {
			return "", errs.E(errs.Invalid, "applications.field_required", nil)
		}
		return "", nil
	}
	if n := utf8.RuneCountInString(v); n > f.MaxLength {
		return v, errs.E(errs.Invalid, "applications.field_too_long", nil)
	} else if n < f.MinLength {
		return v, errs.E(errs.Invalid, "applications.field_too_short", nil)
	}
	if len(f.Options) > 0 {
		for _, o := range f.Options {
			if o.Value == v {
				return v, nil
			}
		}
		return v, errs.E(errs.Invalid, "applications.field_option", nil)
	}
	if f.Validator != "" {
		kind, ok := ruid.LookupKind(f.Validator)
		if ok {
			canon, err := kind.Check(v, params(f.ValidatorParams), today)
			if err != nil {
				return v, err
			}
			return canon, nil
		}
	}
	return v, nil
}

type params map[string]string

func (p params) Get(k string) string { return p[k] }

// Problems lists what keeps a from being submitted, in the order of the form: each field
// missing or wrong, then each required document missing.
func Problems(svc *services.Service, a *Application, today time.Time) []Problem {
	var out []Problem
	for _, f := range svc.Fields {
		if _, err := CheckValue(f, a.Values[f.Name], today); err != nil {
			out = append(out, Problem{Field: f.Name, Err: err})
		}
	}
	for _, d := range svc.Documents {
		if d.Required && a.Documents[d.Kind] == "" {
			out = append(out, Problem{Kind: d.Kind, Err: errs.E(errs.Invalid, "applications.document_required", nil)})
		}
	}
	return out
}
