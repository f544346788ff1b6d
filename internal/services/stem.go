package services

import (
	"strings"
	"unicode"
)

// Stem reduces a Russian word to its stem by stripping inflectional endings, following the
// Snowball Russian algorithm (snowballstem.org/algorithms/russian): «паспорта», «паспортов»
// and «паспорт» share the stem «паспорт»; «электронный» and «электронного» share
// «электрон». The word is lower-cased and ё read as е; a word in another script is
// returned lower-cased, with an English plural -s taken off.
//
// The algorithm works on regions: RV is what follows the first vowel; R1 what follows the
// first consonant after a vowel; R2 the same within R1. Endings are removed only inside RV
// (derivational ones inside R2), so that short stems survive.
func Stem(word string) string {
	w := []rune(strings.ReplaceAll(strings.ToLower(word), "ё", "е"))
	if !cyrillic(w) {
		return stemLatin(string(w))
	}
	rv, r2 := regions(w)
	if rv >= len(w) {
		return string(w)
	}
	// Step 1: a perfective gerund; else a reflexive ending, then an adjectival, verb or noun
	// ending.
	if n := endingIn(w, rv, perfectiveGerund1, true); n > 0 {
		w = w[:len(w)-n]
	} else if n := endingIn(w, rv, perfectiveGerund2, false); n > 0 {
		w = w[:len(w)-n]
	} else {
		if n := endingIn(w, rv, reflexive, false); n > 0 {
			w = w[:len(w)-n]
		}
		if n := adjectival(w, rv); n > 0 {
			w = w[:len(w)-n]
		} else if n := max(endingIn(w, rv, verb1, true), endingIn(w, rv, verb2, false)); n > 0 {
			w = w[:len(w)-n]
		} else if n := endingIn(w, rv, noun, false); n > 0 {
			w = w[:len(w)-n]
		}
	}
	// Step 2: a final и.
	if len(w) > rv && w[len(w)-1] == 'и' {
		w = w[:len(w)-1]
	}
	// Step 3: a derivational ending in R2.
	if n := endingIn(w, r2, derivational, false); n > 0 {
		w = w[:len(w)-n]
	}
	// Step 4: нн undoubled, a superlative taken off (then нн undoubled), or a final ь.
	if n := endingIn(w, rv, superlative, false); n > 0 {
		w = w[:len(w)-n]
	}
	switch {
	case hasSuffix(w, rv, "нн"):
		w = w[:len(w)-1]
	case len(w) > rv && w[len(w)-1] == 'ь':
		w = w[:len(w)-1]
	}
	return string(w)
}

// The endings of the algorithm, by class. Those of the "1" groups count only after а or я,
// which stays.
var (
	perfectiveGerund1 = []string{"в", "вши", "вшись"}
	perfectiveGerund2 = []string{"ив", "ивши", "ившись", "ыв", "ывши", "ывшись"}
	adjective         = []string{"ее", "ие", "ые", "ое", "ими", "ыми", "ей", "ий", "ый", "ой", "ем", "им", "ым",
		"ом", "его", "ого", "ему", "ому", "их", "ых", "ую", "юю", "ая", "яя", "ою", "ею"}
	participle1 = []string{"ем", "нн", "вш", "ющ", "щ"}
	participle2 = []string{"ивш", "ывш", "ующ"}
	reflexive   = []string{"ся", "сь"}
	verb1       = []string{"ла", "на", "ете", "йте", "ли", "й", "л", "ем", "н", "ло", "но", "ет", "ют", "ны", "ть",
		"ешь", "нно"}
	verb2 = []string{"ила", "ыла", "ена", "ейте", "уйте", "ите", "или", "ыли", "ей", "уй", "ил", "ыл", "им", "ым",
		"ен", "ило", "ыло", "ено", "ят", "ует", "уют", "ит", "ыт", "ены", "ить", "ыть", "ишь", "ую", "ю"}
	noun = []string{"а", "ев", "ов", "ие", "ье", "е", "иями", "ями", "ами", "еи", "ии", "и", "ией", "ей", "ой",
		"ий", "й", "иям", "ям", "ием", "ем", "ам", "ом", "о", "у", "ах", "иях", "ях", "ы", "ь", "ию", "ью", "ю",
		"ия", "ья", "я"}
	derivational = []string{"ост", "ость"}
	superlative  = []string{"ейше", "ейш"}
)

// adjectival is the length of an adjective ending, with a participle ending before it when
// there is one, or 0.
func adjectival(w []rune, rv int) int {
	n := endingIn(w, rv, adjective, false)
	if n == 0 {
		return 0
	}
	rest := w[:len(w)-n]
	return n + max(endingIn(rest, rv, participle1, true), endingIn(rest, rv, participle2, false))
}

// endingIn is the length of the longest of endings that w ends with inside the region from
// start, or 0. afterAYa demands that а or я, inside the region too, come before it.
func endingIn(w []rune, start int, endings []string, afterAYa bool) int {
	best := 0
	for _, e := range endings {
		n := len([]rune(e))
		if n <= best || !hasSuffix(w, start, e) {
			continue
		}
		if afterAYa {
			i := len(w) - n - 1
			if i < start || (w[i] != 'а' && w[i] != 'я') {
				continue
			}
		}
		best = n
	}
	return best
}

// hasSuffix reports whether w ends with s inside the region from start.
func hasSuffix(w []rune, start int, s string) bool {
	e := []rune(s)
	if len(w)-len(e) < start {
		return false
	}
	return string(w[len(w)-len(e):]) == s
}

func vowel(r rune) bool { return strings.ContainsRune("аеиоуыэюя", r) }

// regions returns where RV and R2 begin.
func regions(w []rune) (rv, r2 int) {
	rv = len(w)
	for i, r := range w {
		if vowel(r) {
			rv = i + 1
			break
		}
	}
	after := func(from int) int {
		for i := from + 1; i < len(w); i++ {
			if !vowel(w[i]) && vowel(w[i-1]) {
				return i + 1
			}
		}
		return len(w)
	}
	r1 := after(0)
	return rv, after(r1)
}

func cyrillic(w []rune) bool {
	for _, r := range w {
		if unicode.Is(unicode.Cyrillic, r) {
			return true
		}
	}
	return false
}

// stemLatin takes a plural -s or -es off an English word, enough for "passports" to find
// "passport".
func stemLatin(w string) string {
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 4 && (strings.HasSuffix(w, "sses") || strings.HasSuffix(w, "shes") || strings.HasSuffix(w, "ches")):
		return w[:len(w)-2]
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us"):
		return w[:len(w)-1]
	}
	return w
}
