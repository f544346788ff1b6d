package services

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sep-platform/sep/internal/id"
)

func builtin(t *testing.T) *Catalogue {
	t.Helper()
	c, err := Load(Builtin())
	if err != nil {
		t.Fatalf("the shipped service files do not load:\n%v", err)
	}
	return c
}

func TestShippedServicesLoad(t *testing.T) {
	c := builtin(t)
	for _, code := range []string{"sep-registration", "e-passport", "personal-data-change"} {
		if _, ok := c.Service(code); !ok {
			t.Errorf("service %s is not in the catalogue", code)
		}
	}
	for _, s := range c.Services {
		if s.Workflow.OnCorrectionLapse == "" || len(s.Fields) == 0 || len(s.Documents) == 0 {
			t.Errorf("%s: workflow, fields or documents missing: %+v", s.Code, s)
		}
		if _, ok := c.Category(s.Category); !ok {
			t.Errorf("%s: category %q", s.Code, s.Category)
		}
	}
	// Grouped: categories in the catalogue's order.
	var last = -1
	for _, s := range c.Services {
		i := 0
		for j, cat := range c.Categories {
			if cat.Code == s.Category {
				i = j
			}
		}
		if i < last {
			t.Fatalf("services are not in the order of their categories: %s", s.Code)
		}
		last = i
	}
}

// The document rules are exactly those the issue lists from the seeds.
func TestShippedDocumentRules(t *testing.T) {
	c := builtin(t)
	const mb = 1 << 20
	type want struct {
		formats  string
		maxBytes int64
		quality  Quality
	}
	common := map[string]want{
		"passport_scan":     {"pdf jpeg png", 5 * mb, Quality{MinDPI: 300}},
		"snils":             {"jpeg png", 2 * mb, Quality{Colour: true, Uncropped: true}},
		"inn_certificate":   {"pdf", 3 * mb, Quality{}},
		"residence_proof":   {"pdf jpeg png", 4 * mb, Quality{Colour: true}},
		"power_of_attorney": {"pdf", 5 * mb, Quality{}},
	}
	for _, s := range c.Services {
		for _, d := range s.Documents {
			w, ok := common[d.Kind]
			if !ok {
				continue
			}
			if s.Code == "sep-registration" && d.Accepts(PDF) {
				w.quality.PDFA1b = true // the seeds' «PDF A-1b» for the registration
			}
			if got := join(d.Formats); strings.ReplaceAll(got, ",", "") != w.formats {
				t.Errorf("%s %s: formats %s, want %s", s.Code, d.Kind, got, w.formats)
			}
			if d.MaxBytes != w.maxBytes || d.Quality != w.quality {
				t.Errorf("%s %s: %d bytes %+v, want %d %+v", s.Code, d.Kind, d.MaxBytes, d.Quality, w.maxBytes, w.quality)
			}
		}
	}
	p, _ := c.Service("e-passport")
	for _, kind := range []string{"photo", "fingerprints"} {
		d, ok := p.Document(kind)
		if !ok || !d.Required || !d.Biometric {
			t.Errorf("e-passport %s: %+v, want a required biometric document", kind, d)
		}
	}
	if !p.Biometric() || p.MinLevel != id.Standard || p.Fee != nil {
		t.Errorf("e-passport: biometric %v, level %s, fee %v", p.Biometric(), p.MinLevel, p.Fee)
	}
	r, _ := c.Service("sep-registration")
	if !r.NeedsQualifiedSignature(LegalEntity) || !r.NeedsQualifiedSignature(SoleTrader) || r.NeedsQualifiedSignature(Person) {
		t.Errorf("registration: КЭП for %v", r.QualifiedSignature)
	}
	if d, _ := r.Workflow.Deadline(InReview); d.WorkingDays != 1 || !r.Workflow.Activates {
		t.Errorf("registration: review %+v, activates %v; the seeds confirm within one working day", d, r.Workflow.Activates)
	}
	if d, _ := r.Workflow.Deadline(RegistryChecks); d.Hours != 24 || d.ExtendableToHours != 72 {
		t.Errorf("registration: checks %+v, want 24 h extendable to 72", d)
	}
	if d, _ := p.Workflow.Deadline(InReview); d.WorkingDays != 3 {
		t.Errorf("e-passport: review %+v, want 3 working days", d)
	}
	f, _ := r.Field("phone")
	if f.Validator != "phone" || f.ValidatorParams["mobile"] != "1" || f.Prefill != PrefillPhone || f.MaxLength != 32 {
		t.Errorf("registration phone field: %+v", f)
	}
}

// Each file under testdata/broken is refused with the message its first line wants, naming
// the file and the field.
func TestBrokenServiceFilesAreRefused(t *testing.T) {
	files, err := filepath.Glob("testdata/broken/*.yaml")
	if err != nil || len(files) < 20 {
		t.Fatalf("broken examples: %d, %v", len(files), err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, ".yaml"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(data), "\n")
			want, ok := strings.CutPrefix(first, "# want: ")
			if !ok {
				t.Fatalf("%s does not begin with # want: …", file)
			}
			src := Source{Name: "extra", FS: fstest.MapFS{name: {Data: data}}}
			_, err = Load(Builtin(), src)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), "extra/"+name+": "+want) {
				t.Fatalf("error:\n%v\nwant it to contain\n%s: %s", err, "extra/"+name, want)
			}
			var fe *FileError
			if !errors.As(err, &fe) || fe.File != "extra/"+name {
				t.Fatalf("not a *FileError naming the file: %#v", err)
			}
		})
	}
}

// A directory's file replaces the built-in service of the same code, and may add services.
func TestADirectoryReplacesAndAdds(t *testing.T) {
	passport, err := os.ReadFile("defs/e-passport.yaml")
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(passport), "in_review: {working_days: 3}", "in_review: {working_days: 5}", 1)
	other := strings.Replace(strings.Replace(string(passport), "code: e-passport", "code: e-passport-copy", 1),
		"name: {ru: Электронный паспорт,", "name: {ru: Копия паспорта,", 1)
	src := Source{Name: "dir", FS: fstest.MapFS{
		"e-passport.yaml":      {Data: []byte(changed)},
		"e-passport-copy.yaml": {Data: []byte(other)},
	}}
	c, err := Load(Builtin(), src)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := c.Service("e-passport")
	if d, _ := p.Workflow.Deadline(InReview); d.WorkingDays != 5 || p.File != "dir/e-passport.yaml" {
		t.Fatalf("the directory's service did not replace the built-in one: %+v from %s", d, p.File)
	}
	if _, ok := c.Service("e-passport-copy"); !ok || len(c.Services) != 4 {
		t.Fatalf("%d services", len(c.Services))
	}
}

func TestAnEmptyDirectoryIsRefused(t *testing.T) {
	_, err := Load(Builtin(), Source{Name: "empty", FS: fstest.MapFS{}})
	if err == nil || !strings.Contains(err.Error(), "empty: no *.yaml service files") {
		t.Fatalf("%v", err)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"5 MB": 5 << 20, "2MB": 2 << 20, "500 KB": 500 << 10, "1,5 МБ": 3 << 19, "0.5 mb": 1 << 19} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"5", "MB", "-1 MB", "0 MB", "5 GB", "101 MB", "five MB"} {
		if got, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, got)
		}
	}
}

func TestParseKopecks(t *testing.T) {
	for in, want := range map[string]int64{"1500": 150000, "1500.00": 150000, "0,50": 50, "350.5x": -1, "1.5": -1, "-3": -1, "0": -1, "": -1} {
		got, err := parseKopecks(in)
		if want < 0 {
			if err == nil {
				t.Errorf("parseKopecks(%q) = %d, want an error", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("parseKopecks(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if (Fee{Kopecks: 150050}).Rubles() != "1500.50" {
		t.Error("Rubles")
	}
}

// A service names the agency whose operators review it; none named is the platform's own.
func TestServiceAgency(t *testing.T) {
	passport, err := os.ReadFile("defs/e-passport.yaml")
	if err != nil {
		t.Fatal(err)
	}
	mvd := strings.Replace(string(passport), "category: identity", "category: identity\nagency: mvd", 1)
	c, err := Load(Builtin(), Source{Name: "dir", FS: fstest.MapFS{"e-passport.yaml": {Data: []byte(mvd)}}})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := c.Service("e-passport"); p.Agency != "mvd" {
		t.Errorf("agency %q, want mvd", p.Agency)
	}
	if s, _ := c.Service("sep-registration"); s.Agency != DefaultAgency {
		t.Errorf("a service naming no agency is %q's", s.Agency)
	}
}
