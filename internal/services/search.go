package services

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
)

// MaxQueryLen bounds a search query, in bytes; a longer one is cut at a word.
const MaxQueryLen = 200

// Where a word matched, from the strongest: a service whose name has the words ranks above
// one that only mentions them.
const (
	inName = 100
	inKeys = 40
	inText = 10 // summary
	inBody = 3  // description, names of the documents asked for
	// A word typed in part («паспо») counts for less than a whole one.
	partDivisor = 3
)

// stopWords are left out of a query: they would match every description.
var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields("в во на и или а но для как по о об от до из за к ко с со у не что это мне я мой моя " +
		"моё мои же ли бы the a an of for to in on and or how my i is") {
		stopWords[w] = true
	}
}

// index holds the stems of every service's words, field by field.
type index struct {
	docs []indexed
}

type indexed struct {
	s     *Service
	stems []map[string]bool // by weight: name, keywords, summary, body
}

var weights = []int{inName, inKeys, inText, inBody}

func newIndex(services []*Service) *index {
	ix := &index{}
	for _, s := range services {
		parts := [][]Text{{s.Name}, s.Keywords, {s.Summary}, {s.Description}}
		for _, d := range s.Documents {
			parts[3] = append(parts[3], d.Name)
		}
		d := indexed{s: s}
		for _, texts := range parts {
			set := map[string]bool{}
			for _, t := range texts {
				for _, w := range words(t.RU + " " + t.EN) {
					set[Stem(w)] = true
				}
			}
			d.stems = append(d.stems, set)
		}
		ix.docs = append(ix.docs, d)
	}
	return ix
}

// words splits text into lower-case words of letters and digits.
func words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// queryStems are the stems of a query's words, stop words left out, each once.
func queryStems(q string) []string {
	if len(q) > MaxQueryLen {
		q = q[:MaxQueryLen]
		if i := strings.LastIndexFunc(q, unicode.IsSpace); i > 0 {
			q = q[:i]
		}
	}
	var out []string
	for _, w := range words(q) {
		if stopWords[w] {
			continue
		}
		if s := Stem(w); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Result is one service found, with its score (higher is better).
type Result struct {
	Service *Service
	Score   int
}

// Search finds the services matching a query in either language, whatever the form of its
// words: «паспорт», «паспорта» and «электронный паспорт» all find «Электронный паспорт».
// Each word of the query scores where it matched best — in the name far above the keywords,
// the summary and, last, the description — and services come in the order of their total. An empty query finds nothing.
func (c *Catalogue) Search(query string) []Result {
	q := queryStems(query)
	if len(q) == 0 {
		return nil
	}
	type hit struct {
		Result
		matched int
	}
	var hits []hit
	for _, d := range c.index.docs {
		h := hit{Result: Result{Service: d.s}}
		for _, stem := range q {
			best := 0
			for i, set := range d.stems {
				if set[stem] {
					best = max(best, weights[i])
				} else if len([]rune(stem)) >= 3 && prefixOfAny(stem, set) {
					best = max(best, weights[i]/partDivisor)
				}
			}
			if best > 0 {
				h.matched++
				h.Score += best
			}
		}
		if h.matched > 0 {
			hits = append(hits, h)
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(b.matched, a.matched))
	})
	out := make([]Result, len(hits))
	for i, h := range hits {
		out[i] = h.Result
	}
	return out
}

// prefixOfAny reports whether stem begins a word of set: a word typed in part.
func prefixOfAny(stem string, set map[string]bool) bool {
	for w := range set {
		if len(w) > len(stem) && strings.HasPrefix(w, stem) {
			return true
		}
	}
	return false
}
