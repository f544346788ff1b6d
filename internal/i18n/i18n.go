// Package i18n holds sep's message catalogs — Russian first, English second — and picks a
// language for a request. Every user-visible string comes from here (pages, errors, messages),
// never from Go string literals.
//
// Catalogs are JSON files messages/NAME.LANG.json, one file per domain and language:
//
//	{"home.title": "Государственные услуги",
//	 "jobs.count": {"one": "{n} задача", "few": "{n} задачи", "many": "{n} задач", "other": "{n} задачи"}}
//
// A value is a text or, for counted things, its plural forms by CLDR category. Placeholders
// are {name}. Every key must exist in every language: Load fails otherwise.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// The languages of the interface; the first is the default.
const (
	RU = "ru"
	EN = "en"
)

// languages are the supported languages, default first. An array, so that nothing outside can
// change the set.
var languages = [...]string{RU, EN}

// Languages lists the supported languages, default first, in a slice of the caller's own.
func Languages() []string { return slices.Clone(languages[:]) }

//go:embed messages/*.json
var messageFiles embed.FS

// message is one catalog entry: a text, or plural forms by category.
type message struct {
	text   string
	plural map[string]string
}

// Catalog is the set of messages of every language.
type Catalog struct {
	msgs map[string]map[string]message // lang → key → message
}

// Default returns the catalogs built into sep, parsed on the first call and shared after it
// (a Catalog is never changed once loaded). It panics on a broken catalog, which the package
// tests rule out.
func Default() *Catalog { return builtIn() }

var builtIn = sync.OnceValue(func() *Catalog {
	c, err := Load(messageFiles)
	if err != nil {
		panic(err)
	}
	return c
})

// Load reads messages/*.LANG.json from each file system.
func Load(fsyses ...fs.FS) (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[string]message{}}
	for _, l := range languages {
		c.msgs[l] = map[string]message{}
	}
	for _, fsys := range fsyses {
		files, err := fs.Glob(fsys, "messages/*.json")
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if err := c.loadFile(fsys, f); err != nil {
				return nil, err
			}
		}
	}
	return c, c.check()
}

func (c *Catalog) loadFile(fsys fs.FS, file string) error {
	parts := strings.Split(path.Base(file), ".")
	if len(parts) != 3 {
		return fmt.Errorf("i18n: %s: want NAME.LANG.json", file)
	}
	lang := parts[1]
	dst, ok := c.msgs[lang]
	if !ok {
		return fmt.Errorf("i18n: %s: unsupported language %q", file, lang)
	}
	b, err := fs.ReadFile(fsys, file)
	if err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("i18n: %s: %w", file, err)
	}
	for key, v := range raw {
		if _, dup := dst[key]; dup {
			return fmt.Errorf("i18n: %s: key %q is defined twice", file, key)
		}
		var m message
		if err := json.Unmarshal(v, &m.text); err != nil {
			if err := json.Unmarshal(v, &m.plural); err != nil {
				return fmt.Errorf("i18n: %s: %q must be a string or an object of plural forms", file, key)
			}
			for _, form := range pluralForms(lang) {
				if _, ok := m.plural[form]; !ok {
					return fmt.Errorf("i18n: %s: %q lacks the plural form %q", file, key, form)
				}
			}
		}
		dst[key] = m
	}
	return nil
}

// check makes sure every key exists in every language.
func (c *Catalog) check() error {
	var missing []string
	for _, a := range languages {
		for key := range c.msgs[a] {
			for _, b := range languages {
				if _, ok := c.msgs[b][key]; !ok {
					missing = append(missing, b+":"+key)
				}
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("i18n: missing translations: %s", strings.Join(missing, ", "))
	}
	return nil
}

// Keys lists every key of the catalog, sorted.
func (c *Catalog) Keys() []string {
	keys := make([]string, 0, len(c.msgs[RU]))
	for k := range c.msgs[RU] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Has reports whether key exists.
func (c *Catalog) Has(key string) bool {
	_, ok := c.msgs[RU][key]
	return ok
}

// Printer formats messages in one language.
type Printer struct {
	lang string
	msgs map[string]message
}

// Printer returns the printer of lang, or of the default language if lang is not supported.
func (c *Catalog) Printer(lang string) *Printer {
	m, ok := c.msgs[lang]
	if !ok {
		lang, m = RU, c.msgs[RU]
	}
	return &Printer{lang: lang, msgs: m}
}

// Lang is the printer's language code.
func (p *Printer) Lang() string { return p.lang }

// T returns the message key with its placeholders filled from name/value pairs:
// T("greeting", "name", "Анна"). A missing key comes back as the key itself, so a gap shows
// on the page instead of breaking it (and the catalog tests catch it).
func (p *Printer) T(key string, args ...any) string {
	m, ok := p.msgs[key]
	if !ok {
		return key
	}
	text := m.text
	if m.plural != nil {
		text = m.plural["other"]
	}
	return fill(text, args)
}

// N returns the plural form of key for the count n; {n} is filled with n.
func (p *Printer) N(key string, n int, args ...any) string {
	m, ok := p.msgs[key]
	if !ok {
		return key
	}
	text := m.text
	if m.plural != nil {
		text = m.plural[pluralCategory(p.lang, n)]
	}
	return fill(text, append([]any{"n", n}, args...))
}

func fill(text string, args []any) string {
	if len(args) == 0 || !strings.Contains(text, "{") {
		return text
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

func pluralForms(lang string) []string {
	if lang == RU {
		return []string{"one", "few", "many", "other"}
	}
	return []string{"one", "other"}
}

// pluralCategory is the CLDR plural category of the integer n.
func pluralCategory(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	if lang != RU {
		if n == 1 {
			return "one"
		}
		return "other"
	}
	switch d, dd := n%10, n%100; {
	case d == 1 && dd != 11:
		return "one"
	case d >= 2 && d <= 4 && (dd < 12 || dd > 14):
		return "few"
	default:
		return "many"
	}
}

// Match picks the supported language an Accept-Language header prefers most, or the default.
func Match(acceptLanguage string) string {
	best, bestQ := RU, 0.0
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		for _, l := range languages {
			if base == l && q > bestQ {
				best, bestQ = l, q
			}
		}
	}
	return best
}

// Supported reports whether lang is one of the interface languages.
func Supported(lang string) bool { return slices.Contains(languages[:], lang) }
