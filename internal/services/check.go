package services

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/ruid"
)

// Limits on a file's words, in characters: a page must stay readable.
const (
	maxName        = 200
	maxSummary     = 500
	maxDescription = 5000
	maxHint        = 1000
	// MaxDocumentBytes is the largest size limit a service may set for a document.
	MaxDocumentBytes = 100 << 20
)

var (
	codePattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// problems collects a file's problems, each with its field.
type problems struct {
	file string
	list []error
}

func (p *problems) add(field, problem string) {
	p.list = append(p.list, &FileError{File: p.file, Field: field, Problem: problem})
}

// code checks a service or category code.
func (p *problems) code(field, v string) bool {
	switch {
	case v == "":
		p.add(field, "missing")
	case len(v) > 64 || !codePattern.MatchString(v):
		p.add(field, fmt.Sprintf("%q is not a code (lower-case Latin letters and digits, words joined by hyphens, at most 64)", v))
	default:
		return true
	}
	return false
}

// name checks a field, option or document kind name.
func (p *problems) name(field, v string) bool {
	switch {
	case v == "":
		p.add(field, "missing")
	case len(v) > 64 || !namePattern.MatchString(v):
		p.add(field, fmt.Sprintf("%q is not a name (lower-case Latin letters, digits and underscores, at most 64)", v))
	default:
		return true
	}
	return false
}

// text checks words given in both languages (or in neither, when optional).
func (p *problems) text(field string, t rawText, required bool, max int) Text {
	ru, en := strings.TrimSpace(t.RU), strings.TrimSpace(t.EN)
	if !required && ru == "" && en == "" {
		return Text{}
	}
	for _, l := range []struct{ lang, v string }{{"ru", ru}, {"en", en}} {
		switch n := utf8.RuneCountInString(l.v); {
		case n == 0:
			p.add(field+"."+l.lang, "missing")
		case n > max:
			p.add(field+"."+l.lang, fmt.Sprintf("%d characters, at most %d", n, max))
		}
	}
	return Text{RU: ru, EN: en}
}

// applicantList checks a list of applicant kinds.
func (p *problems) applicantList(field string, vs []string) []Applicant {
	var out []Applicant
	for i, v := range vs {
		a := Applicant(v)
		switch {
		case !slices.Contains(applicants, a):
			p.add(fmt.Sprintf("%s[%d]", field, i), fmt.Sprintf("%q is not an applicant (one of %s)", v, join(applicants)))
		case slices.Contains(out, a):
			p.add(fmt.Sprintf("%s[%d]", field, i), fmt.Sprintf("%q is listed twice", v))
		default:
			out = append(out, a)
		}
	}
	return out
}

func join[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// check validates one service file against the catalogue's vocabulary.
func (c *Catalogue) check(file string, raw rawService) (*Service, []error) {
	p := &problems{file: file}
	s := &Service{Code: raw.Code, File: file}
	p.code("code", raw.Code)
	s.Name = p.text("name", raw.Name, true, maxName)
	s.Summary = p.text("summary", raw.Summary, true, maxSummary)
	s.Description = p.text("description", raw.Description, true, maxDescription)
	for i, k := range raw.Keywords {
		s.Keywords = append(s.Keywords, p.text(fmt.Sprintf("keywords[%d]", i), k, true, maxName))
	}
	switch _, ok := c.catByID[raw.Category]; {
	case raw.Category == "":
		p.add("category", "missing")
	case !ok:
		p.add("category", fmt.Sprintf("%q is not a category of %s", raw.Category, CatalogueFile))
	default:
		s.Category = raw.Category
	}

	s.Agency = DefaultAgency
	if raw.Agency != "" && p.code("agency", raw.Agency) {
		s.Agency = raw.Agency
	}

	if len(raw.Applicants) == 0 {
		p.add("applicants", "missing: who may apply (person, sole_proprietor, legal_entity)")
	}
	s.Applicants = p.applicantList("applicants", raw.Applicants)
	s.QualifiedSignature = p.applicantList("qualified_signature", raw.QualifiedSignature)
	for i, a := range s.QualifiedSignature {
		if !s.MayApply(a) {
			p.add(fmt.Sprintf("qualified_signature[%d]", i), fmt.Sprintf("%q may not apply (not in applicants)", a))
		}
	}
	switch l := id.Level(raw.MinLevel); {
	case raw.MinLevel == "":
		p.add("min_level", "missing: the least account level (simplified, standard, confirmed)")
	case !slices.Contains(levels, l):
		p.add("min_level", fmt.Sprintf("%q is not an account level (one of %s)", raw.MinLevel, join(levels)))
	default:
		s.MinLevel = l
	}

	if len(raw.Fields) == 0 {
		p.add("fields", "missing: the form needs at least one field")
	}
	for i, rf := range raw.Fields {
		at := fmt.Sprintf("fields[%d]", i)
		f, ok := p.field(at, rf)
		if !ok {
			continue
		}
		if _, dup := s.Field(f.Name); dup {
			p.add(at+".name", fmt.Sprintf("%q is the name of an earlier field", f.Name))
			continue
		}
		s.Fields = append(s.Fields, f)
	}
	for i, rd := range raw.Documents {
		at := fmt.Sprintf("documents[%d]", i)
		d, ok := c.document(p, at, rd)
		if !ok {
			continue
		}
		if _, dup := s.Document(d.Kind); dup {
			p.add(at+".kind", fmt.Sprintf("%q is asked for twice", d.Kind))
			continue
		}
		s.Documents = append(s.Documents, d)
	}
	if raw.Fee != nil {
		s.Fee = p.fee(raw.Fee)
	}
	s.Workflow = p.workflow(raw.Workflow)
	return s, p.list
}

// field checks one form field.
func (p *problems) field(at string, rf rawField) (Field, bool) {
	n := len(p.list)
	f := Field{Name: rf.Name, Type: FieldType(rf.Type), Required: rf.Required, Prefill: Prefill(rf.Prefill),
		Validator: rf.Validator, MinLength: rf.MinLength, MaxLength: rf.MaxLength}
	p.name(at+".name", rf.Name)
	f.Label = p.text(at+".label", rf.Label, true, maxName)
	f.Hint = p.text(at+".hint", rf.Hint, false, maxHint)
	limits, known := fieldTypes[f.Type]
	switch {
	case rf.Type == "":
		p.add(at+".type", "missing")
	case !known:
		p.add(at+".type", fmt.Sprintf("%q is not a field type (one of text, textarea, date, phone, email, select, radio, checkbox)", rf.Type))
	}
	// A date, phone or e-mail field is checked by its own rule unless the file names another.
	if f.Validator == "" {
		switch f.Type {
		case Date:
			f.Validator = "date"
		case Phone:
			f.Validator = "phone"
		case Email:
			f.Validator = "email"
		}
	}
	if f.Validator != "" {
		kind, ok := ruid.LookupKind(f.Validator)
		switch {
		case !ok:
			var names []string
			for _, k := range ruid.Kinds() {
				names = append(names, k.Name)
			}
			p.add(at+".validator", fmt.Sprintf("%q is not a ruid kind (one of %s)", f.Validator, strings.Join(names, ", ")))
		case f.Type == Select || f.Type == Radio || f.Type == Checkbox:
			p.add(at+".validator", fmt.Sprintf("a %s field takes no validator", f.Type))
		default:
			for _, k := range slices.Sorted(maps.Keys(rf.ValidatorParams)) {
				if !slices.Contains(kind.Params, k) {
					p.add(at+".validator_params."+k, fmt.Sprintf("%s takes no parameter %q (only %s)", kind.Name, k,
						cmp.Or(strings.Join(kind.Params, ", "), "none")))
				}
			}
			if len(rf.ValidatorParams) > 0 {
				f.ValidatorParams = rf.ValidatorParams
			}
		}
	} else if len(rf.ValidatorParams) > 0 {
		p.add(at+".validator_params", "given without a validator")
	}
	if f.Prefill != "" && !slices.Contains(prefills, f.Prefill) {
		p.add(at+".prefill", fmt.Sprintf("%q is not a profile item (one of %s)", rf.Prefill, join(prefills)))
	}
	if f.Prefill != "" && (f.Type == Checkbox || f.Type == Select || f.Type == Radio) {
		p.add(at+".prefill", fmt.Sprintf("a %s field is not prefilled from the profile", f.Type))
	}
	if known {
		if f.MaxLength == 0 {
			f.MaxLength = limits.def
		}
		switch {
		case f.MinLength < 0:
			p.add(at+".min_length", "negative")
		case f.MaxLength < 1 || f.MaxLength > limits.max:
			p.add(at+".max_length", fmt.Sprintf("%d; a %s field takes 1 to %d", f.MaxLength, f.Type, limits.max))
		case f.MinLength > f.MaxLength:
			p.add(at+".min_length", fmt.Sprintf("%d is more than max_length %d", f.MinLength, f.MaxLength))
		}
	}
	choice := f.Type == Select || f.Type == Radio
	switch {
	case choice && len(rf.Options) < 2:
		p.add(at+".options", fmt.Sprintf("a %s field needs at least two options", f.Type))
	case !choice && len(rf.Options) > 0:
		p.add(at+".options", fmt.Sprintf("a %s field takes no options", cmp.Or(rf.Type, "field")))
	}
	for j, o := range rf.Options {
		oat := fmt.Sprintf("%s.options[%d]", at, j)
		if !p.name(oat+".value", o.Value) {
			continue
		}
		if slices.ContainsFunc(f.Options, func(x Option) bool { return x.Value == o.Value }) {
			p.add(oat+".value", fmt.Sprintf("%q is an earlier option's value", o.Value))
			continue
		}
		f.Options = append(f.Options, Option{Value: o.Value, Label: p.text(oat+".label", o.Label, true, maxName)})
	}
	return f, len(p.list) == n
}

// document checks one document rule.
func (c *Catalogue) document(p *problems, at string, rd rawDocument) (DocumentRule, bool) {
	n := len(p.list)
	d := DocumentRule{Kind: rd.Kind, Required: rd.Required}
	kind, ok := c.kinds[rd.Kind]
	switch {
	case rd.Kind == "":
		p.add(at+".kind", "missing")
	case !ok:
		p.add(at+".kind", fmt.Sprintf("%q is not a document kind of %s", rd.Kind, CatalogueFile))
	default:
		d.Name, d.Biometric = kind.Name, kind.Biometric
	}
	d.Hint = p.text(at+".hint", rd.Hint, false, maxHint)
	if len(rd.Formats) == 0 {
		p.add(at+".formats", "missing: the formats accepted (pdf, jpeg, png)")
	}
	for j, v := range rd.Formats {
		f := Format(v)
		switch {
		case !slices.Contains(formats, f):
			p.add(fmt.Sprintf("%s.formats[%d]", at, j), fmt.Sprintf("%q is not a format (one of %s)", v, join(formats)))
		case d.Accepts(f):
			p.add(fmt.Sprintf("%s.formats[%d]", at, j), fmt.Sprintf("%q is listed twice", v))
		default:
			d.Formats = append(d.Formats, f)
		}
	}
	if rd.MaxSize == "" {
		p.add(at+".max_size", "missing: the largest file accepted, e.g. 5 MB")
	} else if size, err := ParseSize(rd.MaxSize); err != nil {
		p.add(at+".max_size", err.Error())
	} else {
		d.MaxBytes = size
	}
	if q := rd.Quality; q != nil {
		d.Quality = Quality{MinDPI: q.MinDPI, MinWidth: q.MinWidth, MinHeight: q.MinHeight, Colour: q.Colour,
			Uncropped: q.Uncropped, PDFA1b: q.PDFA1b}
		image := d.Accepts(JPEG) || d.Accepts(PNG)
		if q.MinDPI < 0 || q.MinDPI > 2400 {
			p.add(at+".quality.min_dpi", fmt.Sprintf("%d; 0 to 2400", q.MinDPI))
		}
		for _, dim := range []struct {
			name string
			v    int
		}{{"min_width", q.MinWidth}, {"min_height", q.MinHeight}} {
			switch {
			case dim.v < 0 || dim.v > 20000:
				p.add(at+".quality."+dim.name, fmt.Sprintf("%d; 0 to 20000 pixels", dim.v))
			case dim.v > 0 && !image:
				p.add(at+".quality."+dim.name, "pixels are asked only of images (jpeg, png)")
			}
		}
		if q.PDFA1b && !d.Accepts(PDF) {
			p.add(at+".quality.pdfa_1b", "PDF/A-1b is asked only where pdf is a format")
		}
	}
	return d, len(p.list) == n
}

// ParseSize reads a size limit: a whole or decimal number of KB or MB (also КБ, МБ),
// counted in 1024s as file managers show them: "5 MB" is 5 242 880 bytes.
func ParseSize(v string) (int64, error) {
	s := strings.ToUpper(strings.TrimSpace(v))
	var unit int64
	for _, u := range []struct {
		suffix string
		n      int64
	}{{"MB", 1 << 20}, {"МБ", 1 << 20}, {"KB", 1 << 10}, {"КБ", 1 << 10}} {
		if strings.HasSuffix(s, u.suffix) {
			s, unit = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.n
			break
		}
	}
	x, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if unit == 0 || err != nil || x <= 0 {
		return 0, fmt.Errorf("%q is not a size (e.g. 5 MB or 500 KB)", v)
	}
	n := int64(x * float64(unit))
	if n > MaxDocumentBytes {
		return 0, fmt.Errorf("%q is over the %d MB a document may have", v, MaxDocumentBytes>>20)
	}
	return n, nil
}

// fee checks a state fee.
func (p *problems) fee(rf *rawFee) *Fee {
	f := &Fee{Purpose: p.text("fee.purpose", rf.Purpose, true, maxName)}
	k, err := parseKopecks(rf.Amount)
	if err != nil {
		p.add("fee.amount", err.Error())
	}
	f.Kopecks = k
	return f
}

// parseKopecks reads an amount in rubles, "1500" or "1500.00" (also with a comma).
func parseKopecks(v string) (int64, error) {
	s := strings.ReplaceAll(strings.TrimSpace(v), ",", ".")
	whole, frac, dot := strings.Cut(s, ".")
	bad := fmt.Errorf("%q is not an amount in rubles (e.g. 1500 or 1500.00)", v)
	if whole == "" || len(whole) > 9 || (dot && len(frac) != 2) {
		return 0, bad
	}
	r, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || r < 0 || strings.HasPrefix(whole, "+") {
		return 0, bad
	}
	var k int64
	if dot {
		if k, err = strconv.ParseInt(frac, 10, 64); err != nil || strings.HasPrefix(frac, "-") || strings.HasPrefix(frac, "+") {
			return 0, bad
		}
	}
	if r == 0 && k == 0 {
		return 0, fmt.Errorf("%q: a free service has no fee", v)
	}
	return r*100 + k, nil
}

// workflow checks the deadlines.
func (p *problems) workflow(rw *rawWorkflow) Workflow {
	w := Workflow{Deadlines: map[State]Deadline{}}
	if rw == nil {
		p.add("workflow", "missing: the deadlines of in_review and needs_correction")
		return w
	}
	w.Activates = rw.Activates
	for _, k := range slices.Sorted(maps.Keys(rw.Deadlines)) {
		rd, at := rw.Deadlines[k], "workflow.deadlines."+k
		if !slices.Contains(states, State(k)) {
			p.add(at, fmt.Sprintf("%q is not a state with a deadline (one of %s)", k, join(states)))
			continue
		}
		d := Deadline{WorkingDays: rd.WorkingDays, Hours: rd.Hours, ExtendableToHours: rd.ExtendableToHours}
		switch {
		case d.WorkingDays < 0 || d.WorkingDays > 60:
			p.add(at+".working_days", fmt.Sprintf("%d; 1 to 60", d.WorkingDays))
		case d.Hours < 0 || d.Hours > 720:
			p.add(at+".hours", fmt.Sprintf("%d; 1 to 720", d.Hours))
		case (d.WorkingDays == 0) == (d.Hours == 0):
			p.add(at, "give either working_days or hours")
		case d.ExtendableToHours != 0 && d.Hours == 0:
			p.add(at+".extendable_to_hours", "only an hours deadline is extended in hours")
		case d.ExtendableToHours != 0 && (d.ExtendableToHours <= d.Hours || d.ExtendableToHours > 720):
			p.add(at+".extendable_to_hours", fmt.Sprintf("%d; more than hours (%d), at most 720", d.ExtendableToHours, d.Hours))
		default:
			w.Deadlines[State(k)] = d
		}
	}
	for _, st := range []State{InReview, NeedsCorrection} {
		if _, ok := rw.Deadlines[string(st)]; !ok {
			p.add("workflow.deadlines."+string(st), "missing")
		}
	}
	switch l := Lapse(rw.OnCorrectionLapse); l {
	case LapseReject, LapsePause:
		w.OnCorrectionLapse = l
	case "":
		p.add("workflow.on_correction_lapse", "missing: what happens when a correction is not made in time (reject, pause)")
	default:
		p.add("workflow.on_correction_lapse", fmt.Sprintf("%q is not an outcome (reject, pause)", rw.OnCorrectionLapse))
	}
	return w
}
