package main

import (
	"bytes"
	"embed"
	"fmt"
	"math/big"
	"text/template"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"mul": func(a, b int) int { return a * b },
}).ParseFS(templateFS, "templates/*.tmpl"))

// fieldLit returns v as a literal of field f, in Montgomery form when f uses it.
func fieldLit(f *field, v *big.Int) string {
	v = new(big.Int).Mod(v, f.P)
	if f.Kind == kindMont {
		v.Lsh(v, uint(64*f.N)).Mod(v, f.P)
	}
	return literal(f.Name, limbs(v, f.N))
}

func rawLit(v *big.Int, n int) string {
	return literal(fmt.Sprintf("[%d]uint64", n), limbs(v, n))
}

// curveData is what the curve templates see.
func curveData(c *curve) map[string]any {
	f := c.F
	n := f.N
	a, b := hexInt(c.A), hexInt(c.B)
	ls := make([]int, n)
	for i := range ls {
		ls[i] = i
	}
	d := map[string]any{
		"P": c.Prefix, "F": f.Name, "S": c.S.Name, "N": n, "Size": 8 * n, "Bits": 64 * n,
		"Windows": (64*n + 1 + 5) / 6, "Doc": c.Doc, "ID": c.ID, "Cofactor": c.Cofactor,
		"A3": c.Form == "a3", "Generic": c.Form == "generic", "Edwards": c.Form == "edwards",
		"WA": fieldLit(f, a), "WB": fieldLit(f, b),
		"Gx": fieldLit(f, hexInt(c.X)), "Gy": fieldLit(f, hexInt(c.Y)),
		"QLimbs": rawLit(hexInt(c.Q), n), "PLimbs": rawLit(f.P, n),
		"Phex": fmt.Sprintf("%X", f.P), "Ahex": c.A, "Bhex": c.B, "Qhex": c.Q, "Xhex": c.X, "Yhex": c.Y,
		"Limbs": ls,
		"B":     fieldLit(f, b), "A": fieldLit(f, a),
		"B3": fieldLit(f, new(big.Int).Mul(b, big.NewInt(3))),
	}
	if c.Form == "edwards" {
		s, t := c.edST()
		d["D"] = fieldLit(f, hexInt(c.EdD))
		d["EdS"] = fieldLit(f, s)
		d["EdT"] = fieldLit(f, t)
	}
	return d
}

// emitCurve returns the source of one curve's point arithmetic and group.
func emitCurve(c *curve) (string, error) {
	var b bytes.Buffer
	form := "weierstrass.tmpl"
	if c.Form == "edwards" {
		form = "edwards.tmpl"
	}
	data := curveData(c)
	if err := templates.ExecuteTemplate(&b, form, data); err != nil {
		return "", err
	}
	if err := templates.ExecuteTemplate(&b, "jacobian.tmpl", data); err != nil {
		return "", err
	}
	if err := templates.ExecuteTemplate(&b, "group.tmpl", data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// emitRegistry returns the table of groups by name.
func emitRegistry() string {
	var e emitter
	e.p("// groups maps curve names to their arithmetic.")
	e.p("var groups = map[string]Group{")
	for _, c := range curves {
		e.p("%q: %sGroup{},", c.ID, c.Prefix)
	}
	e.p("}")
	return e.String()
}

// emitTestHooks returns the test table through which the tests drive every curve.
func emitTestHooks() (string, error) {
	var b bytes.Buffer
	for _, c := range curves {
		if err := templates.ExecuteTemplate(&b, "hookfuncs.tmpl", curveData(c)); err != nil {
			return "", err
		}
	}
	b.WriteString("\n// testGroups lists the curves for the tests, which compare them with math/big.\n")
	b.WriteString("var testGroups = []testGroup{\n")
	for _, c := range curves {
		if err := templates.ExecuteTemplate(&b, "hooks.tmpl", curveData(c)); err != nil {
			return "", err
		}
	}
	b.WriteString("}\n")
	return b.String(), nil
}
