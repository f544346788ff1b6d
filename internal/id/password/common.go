package password

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// The list of common and breached passwords, checked locally (no call leaves the machine):
//
//   - data/common.txt.gz: the 49,233 passwords of the npm package @zxcvbn-ts/language-common
//     4.1.3 (MIT, © Dan Wheeler, Dropbox, Inc. and @zxcvbn-ts), a frequency list made from
//     leaked password sets, lower-cased, sorted, gzip (143 KB); data/gen.go rebuilds it;
//   - data/ru.txt: 122 written for СЭП, typical of Russian speakers (йцукен, пароль, parol,
//     gfhjkm — «пароль» typed on the Latin layout —, names, football clubs).
//
// data/README.md says where each came from and under which licence. Loaded once, on first
// use, into one sorted slice (about 1.2 MB).

//go:embed data/common.txt.gz
var commonGz []byte

//go:embed data/ru.txt
var commonRu string

var commonList = sync.OnceValue(func() []string {
	zr, err := gzip.NewReader(bytes.NewReader(commonGz))
	if err != nil {
		panic("password: the embedded list is broken: " + err.Error())
	}
	var out []string
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if err := sc.Err(); err != nil {
		panic("password: the embedded list is broken: " + err.Error())
	}
	for _, line := range strings.Split(commonRu, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, fold(line))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
})

// CommonListSize is the number of passwords on the list.
func CommonListSize() int { return len(commonList()) }

// IsCommon reports whether password is on the list of common and breached passwords, in any
// case, with the digits and symbols people add before or after it stripped ("Qwerty123!" is
// "qwerty"), with its Russian letters typed on the Latin layout ("Пароль" is "gfhjkm") or
// spelled in Latin letters ("parol"), or with its digits and symbols read as the letters they
// stand for ("P@ssw0rd").
func IsCommon(password string) bool {
	list := commonList()
	for _, v := range commonVariants(fold(password)) {
		if _, found := slices.BinarySearch(list, v); found {
			return true
		}
	}
	return false
}

// commonVariants are the forms of a folded password looked up in the list.
func commonVariants(p string) []string {
	notLetter := func(r rune) bool { return !unicode.IsLetter(r) }
	cores := []string{p, strings.TrimRightFunc(p, notLetter), strings.TrimFunc(p, notLetter)}
	var out []string
	add := func(s string) {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, c := range cores {
		add(c)
		add(layout(c))
		add(translit(c))
	}
	// Digits and symbols in the middle read as letters: the core of "P@ssw0rd2026!" is
	// "p@ssw0rd", read "password".
	add(deleet(p))
	return out
}

var leetTable = map[rune]rune{'@': 'a', '4': 'a', '0': 'o', '1': 'i', '!': 'i', '3': 'e', '$': 's', '5': 's', '7': 't', '+': 't'}

// deleet reads the digits and symbols of s between its first and last letter as letters; ""
// if that changes nothing.
func deleet(s string) string {
	first := strings.IndexFunc(s, unicode.IsLetter)
	last := strings.LastIndexFunc(s, unicode.IsLetter)
	if first < 0 {
		return ""
	}
	changed := false
	mid := strings.Map(func(r rune) rune {
		if l, ok := leetTable[r]; ok {
			changed = true
			return l
		}
		return r
	}, s[first:last+1])
	if !changed {
		return ""
	}
	return mid
}
