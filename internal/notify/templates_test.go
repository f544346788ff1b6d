package notify

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sep-platform/sep/internal/i18n"
)

func copyTexts(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(Texts, "texts", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Texts, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestEveryKindRendersInBothLanguages(t *testing.T) {
	ts, err := loadTemplates(Texts, i18n.Default(), "https://sep.example.ru")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range kinds {
		for _, lang := range i18n.Languages() {
			c, err := ts.render(k, lang, k.Example)
			if err != nil {
				t.Fatalf("%s %s: %v", k.Name, lang, err)
			}
			if c.Subject == "" || c.Text == "" || c.Short == "" {
				t.Errorf("%s %s: an empty part: %+v", k.Name, lang, c)
			}
			if k.allows(Email) && !strings.Contains(c.HTML, `<html lang="`+lang+`">`) {
				t.Errorf("%s %s: the HTML part lacks its language: %.200s", k.Name, lang, c.HTML)
			}
			// One UCS-2 SMS holds 70 characters; more is billed as two or more.
			if n := len([]rune(c.Short)); k.allows(SMS) && n > 134 {
				t.Errorf("%s %s: the short text is %d characters, more than two SMS parts", k.Name, lang, n)
			}
		}
	}
}

func TestCodeTexts(t *testing.T) {
	ts, err := loadTemplates(Texts, i18n.Default(), "https://sep.example.ru")
	if err != nil {
		t.Fatal(err)
	}
	k, _ := KindOf(SigninCode)
	c, err := ts.render(k, "ru", map[string]any{"Code": "905113", "ValidMinutes": 5})
	if err != nil {
		t.Fatal(err)
	}
	if want := "СЭП: код для входа 905113. Действует 5 минут. Никому не сообщайте."; c.Short != want {
		t.Errorf("ru SMS = %q, want %q", c.Short, want)
	}
	if c.Subject != "Код для входа в СЭП" {
		t.Errorf("ru subject = %q", c.Subject)
	}
	c, err = ts.render(k, "en", map[string]any{"Code": "905113", "ValidMinutes": 1})
	if err != nil {
		t.Fatal(err)
	}
	if want := "SEP: sign-in code 905113. Valid for 1 minute. Do not share it."; c.Short != want {
		t.Errorf("en SMS = %q, want %q", c.Short, want)
	}
	// Data is escaped in the HTML part, not in the text part.
	k, _ = KindOf(ApplicationStatus)
	c, err = ts.render(k, "en", map[string]any{"Number": "1", "Service": `<b>"x"</b>`, "Status": "ok", "Path": "/a/1"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.HTML, "<b>") || !strings.Contains(c.Text, `"<b>"x"</b>"`) {
		t.Errorf("escaping: text %q, html %q", c.Text, c.HTML)
	}
	if !strings.Contains(c.Text, "https://sep.example.ru/a/1") || !strings.Contains(c.HTML, `href="https://sep.example.ru/a/1"`) {
		t.Errorf("links: text %q html %q", c.Text, c.HTML)
	}
}

func TestBrokenTemplatesStopStartup(t *testing.T) {
	cases := []struct {
		name, want string
		change     func(m fstest.MapFS)
	}{
		{"missing English text", "new_device has no en template", func(m fstest.MapFS) { delete(m, "texts/new_device.en.txt") }},
		{"missing Russian e-mail", "signin_code has no ru e-mail template", func(m fstest.MapFS) { delete(m, "texts/signin_code.ru.html") }},
		{"no short part", `does not define "short"`, func(m fstest.MapFS) {
			m["texts/test.ru.txt"] = &fstest.MapFile{Data: []byte(`{{define "subject"}}s{{end}}{{define "text"}}t{{end}}`)}
		}},
		{"unknown data", "fail on the example data", func(m fstest.MapFS) {
			m["texts/test.en.txt"] = &fstest.MapFile{Data: []byte(`{{define "subject"}}s{{end}}{{define "text"}}{{.Nope}}{{end}}{{define "short"}}x{{end}}`)}
		}},
		{"syntax error", "confirm_code.en.html", func(m fstest.MapFS) {
			m["texts/confirm_code.en.html"] = &fstest.MapFile{Data: []byte(`{{define "content"}}{{if}}{{end}}`)}
		}},
		{"stray file", "texts/signin_cod.ru.txt", func(m fstest.MapFS) {
			m["texts/signin_cod.ru.txt"] = &fstest.MapFile{Data: []byte(`x`)}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := copyTexts(t)
			c.change(m)
			_, err := loadTemplates(m, i18n.Default(), "")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, c.want)
			}
		})
	}
}

// Every change an account_changed alert can tell is said in its own words, in every part and
// language (the texts' last branch, for a value nobody listed, is never what a person reads),
// and the short text still fits two SMS parts.
func TestEveryAccountChangeHasItsWords(t *testing.T) {
	ts, err := loadTemplates(Texts, i18n.Default(), "https://sep.example.ru")
	if err != nil {
		t.Fatal(err)
	}
	k, _ := KindOf(AccountChanged)
	fallback := map[string]string{"ru": "изменены данные для входа", "en": "the sign-in details were changed"}
	for _, lang := range i18n.Languages() {
		seen := map[string]string{}
		for _, change := range AccountChanges {
			c, err := ts.render(k, lang, map[string]any{"Change": change, "Time": exampleTime})
			if err != nil {
				t.Fatalf("%s %s: %v", change, lang, err)
			}
			for part, text := range map[string]string{"text": c.Text, "html": c.HTML, "short": c.Short} {
				if strings.Contains(text, fallback[lang]) {
					t.Errorf("%s %s: the %s part has no words of its own", change, lang, part)
				}
			}
			if other, dup := seen[c.Short]; dup {
				t.Errorf("%s %s: says the same as %s", change, lang, other)
			}
			seen[c.Short] = change
			if n := len([]rune(c.Short)); n > 134 {
				t.Errorf("%s %s: the short text is %d characters", change, lang, n)
			}
		}
	}
}
