package web

import (
	"bytes"
	"html/template"
	"strings"
	"testing"
)

// foldPage calls the catalog in every context html/template knows: text, a quoted and an
// unquoted attribute, the title (RCDATA), a URL, a script, a style and an event handler.
const foldPage = `<!doctype html><html lang="{{.Lang}}"><head><title>{{t "k.plain"}} — {{t "k.hostile"}}</title>
<link rel="stylesheet" href="{{asset "app.css"}}"><style>p { content: "{{t "k.hostile"}}" }</style></head>
<body><p>{{t "k.plain"}} {{t "k.hostile"}} {{t "k.arg" "n" "5"}} {{t "k.arg" "n" .N}}</p>
<p title="{{t "k.hostile"}}" data-x={{t "k.hostile"}} style="color: {{t "k.plain"}}">x</p>
<a href="{{t "k.url"}}">{{t "k.url"}}</a><a href="/a?q={{t "k.hostile"}}">q</a>
<button onclick="alert('{{t "k.hostile"}}')">b</button><textarea>{{t "k.hostile"}}</textarea>
<script>var s = "{{t "k.hostile"}}";</script>
{{if .N}}<em>{{t "k.plain"}}</em>{{else}}{{t "k.hostile"}}{{end}}{{range .List}}<li aria-label="{{t "k.plain"}}">{{.}}</li>{{end}}
{{with .N}}{{t "k.hostile"}}{{end}}{{template "inner" .}}{{block "blk" .}}{{t "k.plain"}}{{end}}
<p>{{supportedBrowsers}}</p></body></html>
{{define "inner"}}<span lang="{{t "k.plain"}}">{{t "k.hostile"}}</span>{{end}}`

func TestFoldWritesWhatTheTemplateWould(t *testing.T) {
	msgs := map[string]string{
		"k.plain":   "Войти в СЭП",
		"k.hostile": `<b>"Tom" & 'Jerry'</b> + 1 </script> \ ` + "\x00",
		"k.arg":     "n = %s",
		"k.url":     "javascript:alert(1)",
	}
	calls := 0
	funcs := template.FuncMap{
		"t": func(key string, args ...any) string {
			calls++
			s := msgs[key]
			if len(args) == 2 {
				s = strings.Replace(s, "%s", args[1].(string), 1)
			}
			return s
		},
		"asset":             func(name string) (string, error) { return "/static/" + name + ".0123abcd", nil },
		"supportedBrowsers": func() string { return "Chrome 109+, Firefox 115+" },
	}
	parse := func() *template.Template {
		return template.Must(template.New("page").Funcs(funcs).Parse(foldPage))
	}
	data := map[string]any{"Lang": "ru", "N": "7", "List": []string{"a", "b"}}
	render := func(tp *template.Template) string {
		var b bytes.Buffer
		if err := tp.ExecuteTemplate(&b, "page", data); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}

	plain := parse()
	want := render(plain)
	unfolded := calls

	folded := parse()
	if err := fold(folded, "page", funcs); err != nil {
		t.Fatal(err)
	}
	calls = 0
	if got := render(folded); got != want {
		t.Fatalf("the folded page differs:\n got: %s\nwant: %s", got, want)
	}
	// Left to each request: the call with a field argument, and the calls in the script, the
	// style, the unquoted attribute, the event handler, the URL query and the javascript: URL.
	if calls >= unfolded || calls > 8 {
		t.Errorf("catalog calls per render: %d folded, %d unfolded; want most of them folded", calls, unfolded)
	}
	if !strings.Contains(want, "&lt;b&gt;&#34;Tom&#34; &amp; &#39;Jerry&#39;&lt;/b&gt; &#43; 1") {
		t.Errorf("the page does not escape the hostile message as expected: %s", want)
	}
}

func TestFoldStopsAtATemplateThatCannotBeEscaped(t *testing.T) {
	funcs := template.FuncMap{"t": func(string, ...any) string { return "" }}
	// An attribute name from data is a context html/template refuses.
	tp := template.Must(template.New("page").Funcs(funcs).Parse(`<p {{if .X}}title="{{end}}">x</p>`))
	if err := fold(tp, "page", funcs); err == nil {
		t.Fatal("fold accepted a template html/template cannot escape")
	}
}
