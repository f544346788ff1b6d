package services

import (
	"cmp"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"
)

// defs are the service files shipped with sep.
//
//go:embed defs/*.yaml
var defs embed.FS

// CatalogueFile is the file of a source that declares categories and document kinds rather
// than a service.
const CatalogueFile = "catalogue.yaml"

// Source is a set of service files: a file system whose top-level *.yaml files are read,
// and the name messages give it.
type Source struct {
	Name string // e.g. "internal/services/defs" or the directory's path
	FS   fs.FS
}

// Builtin is the service files shipped with sep.
func Builtin() Source {
	sub, err := fs.Sub(defs, "defs")
	if err != nil {
		panic(err) // the embedded tree always has defs/
	}
	return Source{Name: "internal/services/defs", FS: sub}
}

// Dir is the service files in a directory on disk (SEP_SERVICES_DIR).
func Dir(dir string) Source { return Source{Name: dir, FS: os.DirFS(dir)} }

// FileError is one problem with a service file: which file, which field (a path such as
// "documents[1].max_size", empty for the file as a whole) and what is wrong.
type FileError struct {
	File    string
	Field   string
	Problem string
}

func (e *FileError) Error() string {
	if e.Field == "" {
		return e.File + ": " + e.Problem
	}
	return e.File + ": " + e.Field + ": " + e.Problem
}

// Load reads the service files of every source, in order, and validates them. A later
// source may add categories, document kinds and services, and replaces a service of the
// same code. Every problem found is returned, each a *FileError, joined.
func Load(sources ...Source) (*Catalogue, error) {
	c := &Catalogue{byCode: map[string]*Service{}, kinds: map[string]DocumentKind{}, catByID: map[string]Category{}}
	var problems []error
	type pending struct {
		file string
		raw  rawService
	}
	var files []pending
	for _, src := range sources {
		names, err := fs.Glob(src.FS, "*.yaml")
		if err != nil {
			return nil, err
		}
		if len(names) == 0 {
			problems = append(problems, &FileError{File: src.Name, Problem: "no *.yaml service files"})
		}
		slices.Sort(names)
		for _, name := range names {
			file := path.Join(src.Name, name)
			data, err := fs.ReadFile(src.FS, name)
			if err != nil {
				problems = append(problems, &FileError{File: file, Problem: err.Error()})
				continue
			}
			if name == CatalogueFile {
				var raw rawCatalogue
				if err := decode(data, &raw); err != nil {
					problems = append(problems, &FileError{File: file, Problem: err.Error()})
					continue
				}
				problems = append(problems, c.addVocabulary(file, raw)...)
				continue
			}
			var raw rawService
			if err := decode(data, &raw); err != nil {
				problems = append(problems, &FileError{File: file, Problem: err.Error()})
				continue
			}
			if want := strings.TrimSuffix(name, ".yaml"); raw.Code != want {
				problems = append(problems, &FileError{File: file, Field: "code",
					Problem: fmt.Sprintf("%q must be the file's name without .yaml (%q)", raw.Code, want)})
				continue
			}
			files = append(files, pending{file, raw})
		}
	}
	// Services are checked once every vocabulary is known, so that a directory's service
	// may use a category that only the directory declares.
	for _, p := range files {
		s, errs := c.check(p.file, p.raw)
		problems = append(problems, errs...)
		if len(errs) == 0 {
			c.byCode[s.Code] = s
		}
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	if len(c.byCode) == 0 {
		return nil, &FileError{File: sources[0].Name, Problem: "no services"}
	}
	order := map[string]int{}
	for i, cat := range c.Categories {
		order[cat.Code] = i
	}
	for _, s := range c.byCode {
		c.Services = append(c.Services, s)
	}
	slices.SortFunc(c.Services, func(a, b *Service) int {
		return cmp.Or(cmp.Compare(order[a.Category], order[b.Category]), strings.Compare(a.Name.RU, b.Name.RU))
	})
	c.index = newIndex(c.Services)
	return c, nil
}

// parserError is how the YAML parser words a syntax error.
var parserError = regexp.MustCompile(`^go-yaml load error in \w+ (\(.*\)) at L(\d+)\.C(\d+)\S*: (.*)$`)

// decode reads one YAML document strictly: an unknown field is an error, as a misspelt
// "requird" must not silently make a document optional.
func decode(data []byte, v any) error {
	err := yaml.Load(data, v, yaml.WithKnownFields())
	if err == nil {
		return nil
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "construct errors: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors: ")
	// The raw types' Go names mean nothing to whoever writes the file.
	if i := strings.Index(msg, " in type services."); i >= 0 {
		msg = msg[:i]
	}
	if m := parserError.FindStringSubmatch(msg); m != nil {
		msg = fmt.Sprintf("line %s, column %s: %s %s", m[2], m[3], m[4], m[1])
	}
	return errors.New(msg)
}

// rawText and the other raw types are a file's shape; check turns them into the model.
type rawText struct {
	RU string `yaml:"ru"`
	EN string `yaml:"en"`
}

type rawCatalogue struct {
	Categories []struct {
		Code string  `yaml:"code"`
		Name rawText `yaml:"name"`
	} `yaml:"categories"`
	DocumentKinds []struct {
		Code      string  `yaml:"code"`
		Name      rawText `yaml:"name"`
		Biometric bool    `yaml:"biometric"`
	} `yaml:"document_kinds"`
}

type rawService struct {
	Code               string        `yaml:"code"`
	Name               rawText       `yaml:"name"`
	Summary            rawText       `yaml:"summary"`
	Description        rawText       `yaml:"description"`
	Category           string        `yaml:"category"`
	Agency             string        `yaml:"agency"`
	Keywords           []rawText     `yaml:"keywords"`
	Applicants         []string      `yaml:"applicants"`
	MinLevel           string        `yaml:"min_level"`
	QualifiedSignature []string      `yaml:"qualified_signature"`
	Fields             []rawField    `yaml:"fields"`
	Documents          []rawDocument `yaml:"documents"`
	Fee                *rawFee       `yaml:"fee"`
	Workflow           *rawWorkflow  `yaml:"workflow"`
}

type rawField struct {
	Name            string            `yaml:"name"`
	Type            string            `yaml:"type"`
	Label           rawText           `yaml:"label"`
	Hint            rawText           `yaml:"hint"`
	Required        bool              `yaml:"required"`
	Validator       string            `yaml:"validator"`
	ValidatorParams map[string]string `yaml:"validator_params"`
	Prefill         string            `yaml:"prefill"`
	MinLength       int               `yaml:"min_length"`
	MaxLength       int               `yaml:"max_length"`
	Options         []struct {
		Value string  `yaml:"value"`
		Label rawText `yaml:"label"`
	} `yaml:"options"`
}

type rawDocument struct {
	Kind     string      `yaml:"kind"`
	Hint     rawText     `yaml:"hint"`
	Required bool        `yaml:"required"`
	Formats  []string    `yaml:"formats"`
	MaxSize  string      `yaml:"max_size"`
	Quality  *rawQuality `yaml:"quality"`
}

type rawQuality struct {
	MinDPI    int  `yaml:"min_dpi"`
	MinWidth  int  `yaml:"min_width"`
	MinHeight int  `yaml:"min_height"`
	Colour    bool `yaml:"colour"`
	Uncropped bool `yaml:"uncropped"`
	PDFA1b    bool `yaml:"pdfa_1b"`
}

type rawFee struct {
	Amount  string  `yaml:"amount"`
	Purpose rawText `yaml:"purpose"`
}

type rawWorkflow struct {
	Deadlines map[string]struct {
		WorkingDays       int `yaml:"working_days"`
		Hours             int `yaml:"hours"`
		ExtendableToHours int `yaml:"extendable_to_hours"`
	} `yaml:"deadlines"`
	OnCorrectionLapse string `yaml:"on_correction_lapse"`
	Activates         bool   `yaml:"activates"`
}

// addVocabulary adds a catalogue file's categories and document kinds.
func (c *Catalogue) addVocabulary(file string, raw rawCatalogue) []error {
	p := &problems{file: file}
	for i, cat := range raw.Categories {
		at := fmt.Sprintf("categories[%d]", i)
		if !p.code(at+".code", cat.Code) {
			continue
		}
		if _, dup := c.catByID[cat.Code]; dup {
			p.add(at+".code", fmt.Sprintf("category %q is declared twice", cat.Code))
			continue
		}
		category := Category{Code: cat.Code, Name: p.text(at+".name", cat.Name, true, maxName)}
		c.catByID[cat.Code] = category
		c.Categories = append(c.Categories, category)
	}
	for i, k := range raw.DocumentKinds {
		at := fmt.Sprintf("document_kinds[%d]", i)
		if !p.name(at+".code", k.Code) {
			continue
		}
		if _, dup := c.kinds[k.Code]; dup {
			p.add(at+".code", fmt.Sprintf("document kind %q is declared twice", k.Code))
			continue
		}
		kind := DocumentKind{Code: k.Code, Name: p.text(at+".name", k.Name, true, maxName), Biometric: k.Biometric}
		c.kinds[k.Code] = kind
		c.DocumentKinds = append(c.DocumentKinds, kind)
	}
	return p.list
}
