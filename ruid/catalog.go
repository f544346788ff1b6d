package ruid

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// messages.json holds every message in Russian and English, keyed by code.
// Placeholders {name} take Error.Args[name]; {month_name} takes the month
// named by Args["month"] (1–12) from the "months" table, in the locative case
// for Russian ("в феврале").
//
//go:embed messages.json
var messagesJSON []byte

// languages the catalog carries; the first is the fallback.
var languages = []string{"ru", "en"}

type catalog struct {
	Months   map[string][]string        `json:"months"`
	Messages map[Code]map[string]string `json:"messages"`
}

var messages = mustLoadCatalog(messagesJSON)

// mustLoadCatalog parses the embedded catalog. It panics only if the file
// compiled into the package is broken, which every test run would show.
func mustLoadCatalog(data []byte) *catalog {
	var c catalog
	if err := json.Unmarshal(data, &c); err != nil {
		panic(fmt.Sprintf("ruid: messages.json: %v", err))
	}
	return &c
}

// Codes returns every code the package can return, sorted; an API can list
// them for clients that translate codes themselves.
func Codes() []Code {
	codes := make([]Code, 0, len(messages.Messages))
	for c := range messages.Messages {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes
}

// language picks the catalog language for a requested one.
func language(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(lang, "-_;,"); i >= 0 {
		lang = lang[:i]
	}
	for _, l := range languages {
		if l == lang {
			return l
		}
	}
	return languages[0]
}

// render fills the template for code in lang with args.
func (c *catalog) render(code Code, lang string, args map[string]string) string {
	lang = language(lang)
	tmpl, ok := c.Messages[code][lang]
	if !ok {
		// Unreachable for codes the package returns (a test checks the
		// catalog); the code itself is the most useful thing to show.
		return string(code)
	}
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(tmpl, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(tmpl[open:], '}')
		if end < 0 {
			break
		}
		b.WriteString(tmpl[:open])
		b.WriteString(c.arg(tmpl[open+1:open+end], lang, args))
		tmpl = tmpl[open+end+1:]
	}
	b.WriteString(tmpl)
	return b.String()
}

// arg returns the text a placeholder stands for.
func (c *catalog) arg(name, lang string, args map[string]string) string {
	if name == "month_name" {
		n, err := strconv.Atoi(args["month"])
		if months := c.Months[lang]; err == nil && n >= 1 && n <= len(months) {
			return months[n-1]
		}
		return args["month"]
	}
	return args[name]
}
