package web

import (
	"errors"
	"html/template"
	"io"
	"reflect"
	"strings"
	"text/template/parse"
)

// Folding constant actions. A page's layout and content call the catalog dozens of times with
// a literal key ({{t "layout.signin"}}), and each call goes through text/template's reflection:
// a quarter of the CPU of a small signed-in page. Since the renderer parses every template once
// per language with that language's messages bound, such a call writes the same text on every
// request. fold replaces it, after html/template has escaped the templates, by that text,
// escaped as html/template would have.
//
// Only actions whose whole pipeline is known are folded: a call of one of foldable with
// literal string arguments, followed only by html/template's own escapers. A call whose result
// html/template would pass through a context this file does not reproduce (a script, a style, an
// unquoted attribute) stays as it is, as does anything else; a newer Go that names its escapers
// differently folds nothing and loses only the speed. render_test.go checks that folded and
// unfolded pages write the same bytes.

// foldable are the template functions whose result depends only on their arguments (and on the
// language the templates were parsed for).
var foldable = map[string]bool{"t": true, "asset": true, "supportedBrowsers": true}

// Escapers that html/template adds to a pipeline: those that HTML-escape a string with the
// table htmlEscape reproduces, and those that leave a plain path (plainURL) as it is.
var (
	htmlTableEscapers = map[string]bool{
		"_html_template_htmlescaper":   true,
		"_html_template_attrescaper":   true,
		"_html_template_rcdataescaper": true,
	}
	plainPathEscapers = map[string]bool{
		"_html_template_htmlescaper":   true,
		"_html_template_attrescaper":   true,
		"_html_template_rcdataescaper": true,
		"_html_template_urlfilter":     true,
		"_html_template_urlnormalizer": true,
		"_html_template_urlescaper":    true,
	}
)

// htmlEscape is html/template's escaping of a string in HTML text and quoted attributes.
var htmlEscape = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;",
	"+", "&#43;", "<", "&lt;", ">", "&gt;")

// fold escapes t (by executing it once: html/template escapes a template set at its first
// execution, whatever the data) and folds the constant actions of every template in the set.
// It must run before t is shared. Its error is html/template's, for a template it cannot
// escape: such a page would fail on every request, so start-up stops instead.
func fold(t *template.Template, entry string, funcs template.FuncMap) error {
	// With no data the execution stops at the first field it needs (an error of text/template
	// that says nothing here); the escaping is done before it starts.
	var escape *template.Error
	if err := t.ExecuteTemplate(io.Discard, entry, nil); errors.As(err, &escape) {
		return err
	}
	for _, tt := range t.Templates() {
		if tt.Tree != nil && tt.Tree.Root != nil {
			foldList(tt.Tree.Root, funcs)
		}
	}
	return nil
}

func foldList(l *parse.ListNode, funcs template.FuncMap) {
	if l == nil {
		return
	}
	for i, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			if text, ok := constant(n, funcs); ok {
				l.Nodes[i] = &parse.TextNode{NodeType: parse.NodeText, Pos: n.Pos, Text: []byte(text)}
			}
		case *parse.IfNode:
			foldList(n.List, funcs)
			foldList(n.ElseList, funcs)
		case *parse.RangeNode:
			foldList(n.List, funcs)
			foldList(n.ElseList, funcs)
		case *parse.WithNode:
			foldList(n.List, funcs)
			foldList(n.ElseList, funcs)
		case *parse.ListNode:
			foldList(n, funcs)
		}
	}
}

// constant is the text action n always writes, if it is a foldable call with literal
// arguments followed by known escapers.
func constant(n *parse.ActionNode, funcs template.FuncMap) (string, bool) {
	p := n.Pipe
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) < 2 {
		return "", false // an unescaped action is not in an HTML context we know
	}
	call := p.Cmds[0].Args
	name, ok := call[0].(*parse.IdentifierNode)
	if !ok || !foldable[name.Ident] || funcs[name.Ident] == nil {
		return "", false
	}
	fn := reflect.ValueOf(funcs[name.Ident])
	ft := fn.Type()
	fixed := ft.NumIn()
	if ft.IsVariadic() {
		fixed--
	}
	if len(call)-1 < fixed || !ft.IsVariadic() && len(call)-1 > fixed {
		return "", false
	}
	args := make([]reflect.Value, 0, len(call)-1)
	for i, a := range call[1:] {
		s, ok := a.(*parse.StringNode)
		if !ok {
			return "", false
		}
		param := ft.In(min(i, ft.NumIn()-1))
		if i >= fixed {
			param = param.Elem()
		}
		v := reflect.ValueOf(s.Text)
		if !v.Type().AssignableTo(param) {
			return "", false
		}
		args = append(args, v)
	}
	var escapers []string
	for _, c := range p.Cmds[1:] {
		if len(c.Args) != 1 {
			return "", false
		}
		e, ok := c.Args[0].(*parse.IdentifierNode)
		if !ok {
			return "", false
		}
		escapers = append(escapers, e.Ident)
	}
	out := fn.Call(args)
	if len(out) == 0 || out[0].Kind() != reflect.String || out[0].Type() != reflect.TypeFor[string]() {
		return "", false // template.HTML and the like are not escaped: leave them to the template
	}
	if len(out) == 2 && !out[1].IsNil() {
		return "", false // an error (an unknown asset) is the template's to report, per request
	}
	s := out[0].String()
	switch {
	case plainPath(s) && all(escapers, plainPathEscapers):
		return s, true
	case len(escapers) == 1 && htmlTableEscapers[escapers[0]]:
		return htmlEscape.Replace(s), true
	}
	return "", false
}

func all(names []string, set map[string]bool) bool {
	for _, n := range names {
		if !set[n] {
			return false
		}
	}
	return true
}

// plainPath reports whether s is a path that no escaper changes: /static/app.0123abcd.css.
func plainPath(s string) bool {
	if !strings.HasPrefix(s, "/") {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("/._-", c)) {
			return false
		}
	}
	return true
}
