package services

import (
	"testing"
)

func TestStem(t *testing.T) {
	// Word forms that must meet: each group shares one stem.
	groups := [][]string{
		{"паспорт", "паспорта", "паспорту", "паспортом", "паспорте", "паспорты", "паспортов", "паспортами", "Паспортах"},
		{"электронный", "электронного", "электронному", "электронным", "электронном", "электронная", "электронной", "электронные", "электронных"},
		{"регистрация", "регистрации", "регистрацию", "регистрацией", "регистраций"},
		{"изменение", "изменения", "изменению", "изменением", "изменений"},
		{"персональные", "персональных", "персональными", "персональный"},
		{"данные", "данных", "данными"},
		{"услуга", "услуги", "услуге", "услугу", "услугой", "услуг"},
		{"документ", "документа", "документы", "документов"},
		{"ёлка", "елки", "Ёлку"},
		{"passport", "passports", "Passports"},
	}
	for _, g := range groups {
		want := Stem(g[0])
		for _, w := range g[1:] {
			if got := Stem(w); got != want {
				t.Errorf("Stem(%q) = %q, but Stem(%q) = %q", w, got, g[0], want)
			}
		}
	}
	for in, want := range map[string]string{
		"паспорта":      "паспорт",
		"электронный":   "электрон",
		"регистрации":   "регистрац",
		"сэп":           "сэп",
		"красивейший":   "красив",
		"бегающий":      "бега",
		"прочитавши":    "прочита",
		"умывшись":      "ум",
		"бесконечности": "бесконечн",
		"снилс":         "снилс",
		"я":             "я",
		"":              "",
		"инн":           "ин",
		"2026":          "2026",
		"applications":  "application",
		"fees":          "fee",
		"bus":           "bus",
	} {
		if got := Stem(in); got != want {
			t.Errorf("Stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSearch(t *testing.T) {
	c := builtin(t)
	for _, tc := range []struct {
		query string
		first string // the service that must come first; "" for none found
	}{
		{"паспорт", "e-passport"},
		{"паспорта", "e-passport"},
		{"электронный паспорт", "e-passport"},
		{"Электронного паспорта", "e-passport"},
		{"ЭЛЕКТРОННЫЕ ПАСПОРТА", "e-passport"},
		{"паспо", "e-passport"}, // typed in part
		{"как получить электронный паспорт", "e-passport"},
		{"electronic passport", "e-passport"},
		{"регистрация", "sep-registration"},
		{"регистрации в СЭП", "sep-registration"},
		{"зарегистрироваться", ""}, // a verb of another stem: honest about not knowing
		{"изменение персональных данных", "personal-data-change"},
		{"изменить данные", "personal-data-change"},
		{"смена фамилии", "personal-data-change"},
		{"personal data", "personal-data-change"},
		{"отпечатки пальцев", "e-passport"},
		{"СНИЛС", ""}, // only checks it is found somewhere; see below
		{"", ""},
		{"   ", ""},
		{"и в на", ""},
		{"тракторы", ""},
	} {
		res := c.Search(tc.query)
		switch {
		case tc.query == "СНИЛС":
			if len(res) != 3 {
				t.Errorf("%q found %d services, want all 3 (each asks for the СНИЛС)", tc.query, len(res))
			}
		case tc.first == "":
			if len(res) != 0 {
				t.Errorf("%q found %s, want nothing", tc.query, res[0].Service.Code)
			}
		case len(res) == 0:
			t.Errorf("%q found nothing, want %s", tc.query, tc.first)
		case res[0].Service.Code != tc.first:
			t.Errorf("%q found %s first, want %s (%v)", tc.query, res[0].Service.Code, tc.first, codes(res))
		}
	}
}

// A match in the name ranks above a match in the description.
func TestSearchRanksNameOverDescription(t *testing.T) {
	c := builtin(t)
	// «паспорт» is in the e-passport's name and in the others' descriptions and documents.
	res := c.Search("паспорт")
	if len(res) < 2 || res[0].Service.Code != "e-passport" || res[0].Score <= res[1].Score {
		t.Fatalf("паспорт: %v", codes(res))
	}
	// Both words beat one word, wherever they are.
	res = c.Search("персональных данных паспорт")
	if res[0].Service.Code != "personal-data-change" {
		t.Fatalf("персональных данных паспорт: %v", codes(res))
	}
}

func TestSearchBoundsTheQuery(t *testing.T) {
	c := builtin(t)
	long := ""
	for len(long) < 10*MaxQueryLen {
		long += "паспорт "
	}
	if res := c.Search(long); len(res) == 0 || res[0].Service.Code != "e-passport" {
		t.Fatalf("a long query: %v", codes(res))
	}
	if n := len(queryStems(long)); n != 1 {
		t.Fatalf("%d stems from one repeated word", n)
	}
}

func codes(rs []Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Service.Code)
	}
	return out
}
