package notify

import (
	"bytes"
	"embed"
	"fmt"
	htemplate "html/template"
	"io/fs"
	"path"
	"sort"
	"strings"
	ttemplate "text/template"
	"time"

	"github.com/sep-platform/sep/internal/i18n"
)

// Texts are the message templates built into sep: texts/KIND.LANG.txt defines "subject",
// "text" (the e-mail's plain part and the inbox body) and "short" (SMS and push), with
// text/template; texts/KIND.LANG.html defines "content", the e-mail's HTML part inside
// texts/layout.html, with html/template.
//
//go:embed texts
var Texts embed.FS

// content is a message rendered in the recipient's language.
type content struct {
	Subject string
	Text    string
	HTML    string
	Short   string
}

type kindTemplates struct {
	text *ttemplate.Template
	html *htemplate.Template // nil for kinds that never go by e-mail
}

// templateSet holds the parsed templates of every kind and language.
type templateSet struct {
	byKind  map[string]*kindTemplates // "KIND.LANG" → templates
	siteURL string
}

// loadTemplates parses the templates of every kind in every language from fsys (which holds
// texts/), and renders each with its kind's example data, so that a missing file, a missing
// part or a template that names data its kind does not have stops start-up.
func loadTemplates(fsys fs.FS, cat *i18n.Catalog, siteURL string) (*templateSet, error) {
	ts := &templateSet{byKind: map[string]*kindTemplates{}, siteURL: strings.TrimRight(siteURL, "/")}
	expected := map[string]bool{"texts/layout.html": true}
	for _, lang := range i18n.Languages() {
		funcs := templateFuncs(cat.Printer(lang), ts.siteURL)
		layoutSrc, err := fs.ReadFile(fsys, "texts/layout.html")
		if err != nil {
			return nil, fmt.Errorf("notify: templates: %w", err)
		}
		layout, err := htemplate.New("layout.html").Funcs(htemplate.FuncMap(funcs)).Parse(string(layoutSrc))
		if err != nil {
			return nil, fmt.Errorf("notify: templates: layout.html: %w", err)
		}
		for _, k := range kinds {
			base := "texts/" + string(k.Name) + "." + lang
			kt := &kindTemplates{}
			expected[base+".txt"] = true
			src, err := fs.ReadFile(fsys, base+".txt")
			if err != nil {
				return nil, fmt.Errorf("notify: kind %s has no %s template: %w", k.Name, lang, err)
			}
			kt.text, err = ttemplate.New(path.Base(base) + ".txt").Funcs(funcs).Option("missingkey=error").Parse(string(src))
			if err != nil {
				return nil, fmt.Errorf("notify: %s.txt: %w", base, err)
			}
			for _, part := range []string{"subject", "text", "short"} {
				if kt.text.Lookup(part) == nil {
					return nil, fmt.Errorf("notify: %s.txt does not define %q", base, part)
				}
			}
			if k.allows(Email) {
				expected[base+".html"] = true
				src, err := fs.ReadFile(fsys, base+".html")
				if err != nil {
					return nil, fmt.Errorf("notify: kind %s has no %s e-mail template: %w", k.Name, lang, err)
				}
				kt.html, err = htemplate.Must(layout.Clone()).Option("missingkey=error").Parse(string(src))
				if err != nil {
					return nil, fmt.Errorf("notify: %s.html: %w", base, err)
				}
				if kt.html.Lookup("content") == nil {
					return nil, fmt.Errorf("notify: %s.html does not define \"content\"", base)
				}
			}
			ts.byKind[string(k.Name)+"."+lang] = kt
			if _, err := ts.render(k, lang, k.Example); err != nil {
				return nil, fmt.Errorf("notify: templates of %s (%s) fail on the example data: %w", k.Name, lang, err)
			}
		}
	}
	// A file no kind uses is a typo in a name, and its kind would silently lack a template.
	files, err := fs.Glob(fsys, "texts/*")
	if err != nil {
		return nil, err
	}
	var stray []string
	for _, f := range files {
		if !expected[f] {
			stray = append(stray, f)
		}
	}
	if len(stray) > 0 {
		sort.Strings(stray)
		return nil, fmt.Errorf("notify: templates of no known kind: %s", strings.Join(stray, ", "))
	}
	return ts, nil
}

// render fills the templates of kind k in lang with data (plus Lang and SiteURL).
func (ts *templateSet) render(k Kind, lang string, data map[string]any) (content, error) {
	kt, ok := ts.byKind[string(k.Name)+"."+lang]
	if !ok {
		return content{}, fmt.Errorf("notify: no templates for %s in %q", k.Name, lang)
	}
	d := make(map[string]any, len(data)+2)
	for key, v := range data {
		d[key] = v
	}
	d["Lang"], d["SiteURL"] = lang, ts.siteURL
	var c content
	var err error
	part := func(name string) string {
		if err != nil {
			return ""
		}
		var b bytes.Buffer
		err = kt.text.ExecuteTemplate(&b, name, d)
		return strings.TrimSpace(b.String())
	}
	c.Subject, c.Text, c.Short = part("subject"), part("text"), part("short")
	if err != nil {
		return content{}, err
	}
	if strings.ContainsAny(c.Subject, "\r\n") {
		return content{}, fmt.Errorf("notify: the subject of %s spans several lines", k.Name)
	}
	if kt.html != nil {
		d["Subject"] = c.Subject
		var b bytes.Buffer
		if err := kt.html.Execute(&b, d); err != nil {
			return content{}, err
		}
		c.HTML = b.String()
	}
	return c, nil
}

// templateFuncs are the functions templates may call, bound to one language.
func templateFuncs(p *i18n.Printer, siteURL string) ttemplate.FuncMap {
	dateLayout, timeLayout := "02.01.2006", "02.01.2006 15:04"
	if p.Lang() == i18n.EN {
		dateLayout, timeLayout = "2 Jan 2006", "2 Jan 2006 15:04"
	}
	return ttemplate.FuncMap{
		"t":  p.T,
		"tn": p.N,
		// date and datetime show a time in its own location: callers pass times in the zone
		// the recipient should read them in. The offset is shown so no one has to guess.
		"date": func(t time.Time) string { return t.Format(dateLayout) },
		"datetime": func(t time.Time) string {
			return t.Format(timeLayout) + " (UTC" + t.Format("-07:00") + ")"
		},
		// link makes an absolute address of a path on this site.
		"link": func(p string) string { return siteURL + "/" + strings.TrimLeft(p, "/") },
	}
}
