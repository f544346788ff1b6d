package i18n

import (
	"slices"
	"testing"
	"testing/fstest"
)

func TestBuiltInCatalogsAreComplete(t *testing.T) {
	c, err := Load(messageFiles)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Keys()) == 0 {
		t.Fatal("no messages")
	}
	ru, en := c.Printer(RU), c.Printer(EN)
	for _, k := range c.Keys() {
		if ru.T(k) == "" || en.T(k) == "" {
			t.Errorf("%s: empty text", k)
		}
	}
}

func TestLoadRejectsGaps(t *testing.T) {
	for name, files := range map[string]fstest.MapFS{
		"missing translation": {
			"messages/a.ru.json": {Data: []byte(`{"x": "икс", "y": "игрек"}`)},
			"messages/a.en.json": {Data: []byte(`{"x": "ex"}`)},
		},
		"missing plural form": {
			"messages/a.ru.json": {Data: []byte(`{"n": {"one": "{n} файл", "few": "{n} файла", "other": "{n} файла"}}`)},
			"messages/a.en.json": {Data: []byte(`{"n": {"one": "{n} file", "other": "{n} files"}}`)},
		},
		"duplicate key": {
			"messages/a.ru.json": {Data: []byte(`{"x": "икс"}`)},
			"messages/b.ru.json": {Data: []byte(`{"x": "икс"}`)},
			"messages/a.en.json": {Data: []byte(`{"x": "ex"}`)},
		},
		"unknown language": {
			"messages/a.de.json": {Data: []byte(`{"x": "x"}`)},
		},
	} {
		if _, err := Load(files); err == nil {
			t.Errorf("%s: Load accepted it", name)
		}
	}
}

func TestPluralsAndPlaceholders(t *testing.T) {
	c, err := Load(fstest.MapFS{
		"messages/a.ru.json": {Data: []byte(`{"files": {"one": "{n} файл в {where}", "few": "{n} файла в {where}", "many": "{n} файлов в {where}", "other": "{n} файла в {where}"}}`)},
		"messages/a.en.json": {Data: []byte(`{"files": {"one": "{n} file in {where}", "other": "{n} files in {where}"}}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	ru := c.Printer(RU)
	for n, want := range map[int]string{1: "1 файл", 2: "2 файла", 5: "5 файлов", 11: "11 файлов", 12: "12 файлов",
		21: "21 файл", 22: "22 файла", 25: "25 файлов", 101: "101 файл", 111: "111 файлов", 0: "0 файлов"} {
		if got := ru.N("files", n, "where", "заявке"); got != want+" в заявке" {
			t.Errorf("ru %d: %q", n, got)
		}
	}
	en := c.Printer(EN)
	if got := en.N("files", 1, "where", "the application"); got != "1 file in the application" {
		t.Errorf("en 1: %q", got)
	}
	if got := en.N("files", 3, "where", "the application"); got != "3 files in the application" {
		t.Errorf("en 3: %q", got)
	}
	if got := c.Printer("de").Lang(); got != RU {
		t.Errorf("unsupported language falls back to %q, want ru", got)
	}
	if got := ru.T("no.such.key"); got != "no.such.key" {
		t.Errorf("missing key gives %q", got)
	}
}

func TestMatch(t *testing.T) {
	for header, want := range map[string]string{
		"":                                    RU,
		"en-US,en;q=0.9":                      EN,
		"ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7": RU,
		"de-DE,de;q=0.9,en;q=0.5":             EN,
		"fr":                                  RU,
		"en;q=0.3, ru;q=0.8":                  RU,
		"EN":                                  EN,
	} {
		if got := Match(header); got != want {
			t.Errorf("Match(%q) = %s, want %s", header, got, want)
		}
	}
}

// Default is called wherever a catalog is needed (every notifier, site and command): it must
// hand out one parsed catalog, not parse the JSON files again each time.
func TestDefaultParsesOnce(t *testing.T) {
	if a, b := Default(), Default(); a != b {
		t.Fatal("two calls of Default returned two catalogs")
	}
	if allocs := testing.AllocsPerRun(10, func() { _ = Default() }); allocs != 0 {
		t.Fatalf("Default allocates %v times a call, want 0 (the catalogs are parsed again)", allocs)
	}
}

// The set of languages belongs to this package: what a caller does with the list it got
// must not change what Supported, Match and Load accept.
func TestLanguagesCannotBeChangedFromOutside(t *testing.T) {
	if got := Languages(); !slices.Equal(got, []string{RU, EN}) {
		t.Fatalf("Languages() = %v, want [ru en], the default first", got)
	}
	l := Languages()
	l[0] = "de"
	if !Supported(RU) || Supported("de") || Languages()[0] != RU || Match("") != RU {
		t.Fatal("changing the slice Languages returned changed the supported languages")
	}
}
