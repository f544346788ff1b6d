package ruid

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// declaredCodes returns the value of every constant of type Code declared in
// the package's non-test sources, found by parsing them: a code added to
// the Go code is seen here without anyone listing it again.
func declaredCodes(t *testing.T) []Code {
	t.Helper()
	fset, files := parseSources(t)
	var codes []Code
	for _, f := range files {
		{
			for _, decl := range f.Decls {
				gd, ok := decl.(*ast.GenDecl)
				if !ok || gd.Tok != token.CONST {
					continue
				}
				for _, spec := range gd.Specs {
					vs := spec.(*ast.ValueSpec)
					if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
						continue
					}
					for _, v := range vs.Values {
						lit, ok := v.(*ast.BasicLit)
						if !ok {
							t.Fatalf("%s: a Code constant must be a string literal", fset.Position(v.Pos()))
						}
						s, _ := strconv.Unquote(lit.Value)
						codes = append(codes, Code(s))
					}
				}
			}
		}
	}
	if len(codes) == 0 {
		t.Fatal("found no Code constants")
	}
	return codes
}

// parseSources parses the package's non-test Go files.
func parseSources(t *testing.T) (*token.FileSet, []*ast.File) {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return fset, files
}

// TestCodesOnlyFromConstants keeps every code the package returns among the
// declared constants: no code is built from a string in the middle of the
// code, where the catalog test could not see it.
func TestCodesOnlyFromConstants(t *testing.T) {
	fset, files := parseSources(t)
	for _, f := range files {
		{
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "Code" {
					t.Errorf("%s: conversion to Code outside the constants", fset.Position(call.Pos()))
				}
				return true
			})
		}
	}
}

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

func TestCatalogMatchesCodes(t *testing.T) {
	codes := declaredCodes(t)
	seen := map[Code]bool{}
	for _, c := range codes {
		if seen[c] {
			t.Errorf("code %s declared twice", c)
		}
		seen[c] = true
		if !regexp.MustCompile(`^[a-z_]+\.[a-z0-9_]+$`).MatchString(string(c)) {
			t.Errorf("code %q does not look like kind.failure", c)
		}
		msgs, ok := messages.Messages[c]
		if !ok {
			t.Errorf("code %s has no messages", c)
			continue
		}
		for _, lang := range languages {
			if strings.TrimSpace(msgs[lang]) == "" {
				t.Errorf("code %s has no %s message", c, lang)
			}
		}
		// Both languages use the same arguments.
		ru := placeholder.FindAllString(msgs["ru"], -1)
		en := placeholder.FindAllString(msgs["en"], -1)
		slices.Sort(ru)
		slices.Sort(en)
		if !slices.Equal(slices.Compact(ru), slices.Compact(en)) {
			t.Errorf("code %s: ru placeholders %v, en %v", c, ru, en)
		}
		for lang := range msgs {
			if !slices.Contains(languages, lang) {
				t.Errorf("code %s: message in unknown language %q", c, lang)
			}
		}
	}
	for c := range messages.Messages {
		if !seen[c] {
			t.Errorf("catalog entry %s is not a code the package returns", c)
		}
	}
	if got := Codes(); len(got) != len(codes) || !slices.IsSorted(got) {
		t.Errorf("Codes() has %d codes (sorted: %v), want the %d declared", len(got), slices.IsSorted(got), len(codes))
	}
	for _, lang := range languages {
		if len(messages.Months[lang]) != 12 {
			t.Errorf("months[%s] has %d names, want 12", lang, len(messages.Months[lang]))
		}
	}
}

// TestCatalogRussianText guards against English left in a Russian message
// and Cyrillic in an English one.
func TestCatalogRussianText(t *testing.T) {
	cyrillic := regexp.MustCompile(`[А-Яа-яЁё]`)
	for c, msgs := range messages.Messages {
		if !cyrillic.MatchString(msgs["ru"]) {
			t.Errorf("%s: Russian message has no Russian text: %q", c, msgs["ru"])
		}
		// English messages may quote Cyrillic examples (почта.рф) but
		// must be English around them.
		withoutQuoted := strings.ReplaceAll(msgs["en"], "почта.рф", "")
		withoutQuoted = strings.ReplaceAll(withoutQuoted, ".рф", "")
		if cyrillic.MatchString(withoutQuoted) {
			t.Errorf("%s: English message has Cyrillic text: %q", c, msgs["en"])
		}
	}
}

func TestMessageLanguage(t *testing.T) {
	e := fail(SNILSLength, "got", "9")
	for _, tc := range []struct{ lang, want string }{
		{"ru", "СНИЛС состоит из 11 цифр, введено 9."},
		{"ru-RU", "СНИЛС состоит из 11 цифр, введено 9."},
		{"en", "A SNILS has 11 digits; you entered 9."},
		{"en-GB", "A SNILS has 11 digits; you entered 9."},
		{" EN_us", "A SNILS has 11 digits; you entered 9."},
		{"de", "СНИЛС состоит из 11 цифр, введено 9."},
		{"", "СНИЛС состоит из 11 цифр, введено 9."},
	} {
		if got := e.Message(tc.lang); got != tc.want {
			t.Errorf("Message(%q) = %q, want %q", tc.lang, got, tc.want)
		}
	}
	if got, want := e.Error(), "ruid: snils.length: A SNILS has 11 digits; you entered 9."; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	d := fail(DateDay, "got", "29", "month", "2", "year", "2023", "days", "28")
	if got, want := d.Message("ru"), "Такой даты нет: в феврале 2023 года последний день — 28-е число."; got != want {
		t.Errorf("ru = %q, want %q", got, want)
	}
	if got, want := d.Message("en"), "There is no such date: February 2023 has 28 days."; got != want {
		t.Errorf("en = %q, want %q", got, want)
	}
	f := fail(PassportIssueDateFuture).inField(FieldIssueDate)
	if got := f.Error(); !strings.HasPrefix(got, "ruid: issue_date: passport.issue_date_future: ") {
		t.Errorf("Error() = %q", got)
	}
}

func TestRulesFile(t *testing.T) {
	// Every section says where its values come from.
	var sections map[string]map[string]any
	if err := json.Unmarshal(rulesJSON, &sections); err != nil {
		t.Fatal(err)
	}
	for name, sec := range sections {
		if note, _ := sec["note"].(string); note == "" {
			t.Errorf("rules.json section %q has no note", name)
		}
	}
	// A misspelt key is an error, not a silently ignored rule.
	bad := bytes.Replace(rulesJSON, []byte(`"min_issue_age"`), []byte(`"min_issue_agee"`), 1)
	func() {
		defer func() {
			if recover() == nil {
				t.Error("a misspelt key in rules.json was accepted")
			}
		}()
		mustLoadRules(bad)
	}()
}
