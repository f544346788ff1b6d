package password

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The password policy of ID (the seeds: «минимум 12 символов; включение букв разного
// регистра, цифр и специальных знаков; отсутствие слов из словарей, имён, дат рождения и
// повторяющихся последовательностей»). Check applies every rule that needs only the password
// and what is known of its owner; the history rule (not one of the last three) needs the
// stored hashes and is the service's.

// MinLength is the shortest password allowed (the seeds: «минимум 12 символов»).
const MinLength = 12

// MaxLength bounds a password, so that hashing cannot be made to read megabytes.
const MaxLength = 256

// MinRun is the length of a run of repeated or sequential characters that a password may not
// contain: "aaaa", "1234", "qwer", "йцук", "dcba".
const MinRun = 4

// Facts are what a password must not contain: the owner's contacts, names and birth date.
type Facts struct {
	Phone, Email string
	Names        []string  // last, first, middle name (any of them may be empty)
	BirthDate    time.Time // zero if not given
}

// Violation is one rule a password breaks: its message id in the catalogs ("id.password.short"…).
type Violation string

// The rules.
const (
	TooShort     Violation = "id.password.short"
	TooLong      Violation = "id.password.long"
	NoUpper      Violation = "id.password.no_upper"
	NoLower      Violation = "id.password.no_lower"
	NoDigit      Violation = "id.password.no_digit"
	NoSpecial    Violation = "id.password.no_special"
	Repeated     Violation = "id.password.repeated"   // a run like "aaaa" or "1111"
	Sequential   Violation = "id.password.sequential" // a run like "1234", "abcd", "qwer", "йцук", backwards too
	Common       Violation = "id.password.common"     // on the list of common and breached passwords
	HasPhone     Violation = "id.password.has_phone"
	HasEmail     Violation = "id.password.has_email"
	HasName      Violation = "id.password.has_name"
	HasBirthDate Violation = "id.password.has_birth_date"
	Reused       Violation = "id.password.reused" // one of the last three (the service checks it)
)

// Check returns every rule password breaks (none: it may be set), all at once and in a fixed
// order, so that the person fixes them in one go.
func Check(password string, f Facts) []Violation {
	var out []Violation
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinLength:
		out = append(out, TooShort)
	case len(password) > MaxLength:
		return append(out, TooLong) // nothing else is worth reading
	}
	var upper, lower, digit, special bool
	for _, r := range password {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsPunct(r) || unicode.IsSymbol(r) || r == ' ':
			special = true
		}
	}
	folded := fold(password)
	squeezed := squeeze(folded)
	for _, c := range []struct {
		broken bool
		v      Violation
	}{
		{!upper, NoUpper},
		{!lower, NoLower},
		{!digit, NoDigit},
		{!special, NoSpecial},
		{hasRepeat(folded), Repeated},
		{hasSequence(folded), Sequential},
		{IsCommon(password), Common},
		{hasPhone(squeezed, f.Phone), HasPhone},
		{hasEmail(squeezed, f.Email), HasEmail},
		{hasName(squeezed, f.Names), HasName},
		{hasDate(squeezed, f.BirthDate), HasBirthDate},
	} {
		if c.broken {
			out = append(out, c.v)
		}
	}
	return out
}

// fold is s as the rules compare it: lower case, ё as е.
func fold(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), "ё", "е")
}

// squeeze keeps only the letters and digits of s, so that "+7 900 123-45-67", "ivan.petrov"
// and "04.12.1990" are found however they are separated.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

// hasRepeat reports a run of MinRun equal characters.
func hasRepeat(s string) bool {
	var prev rune
	n := 0
	for _, r := range s {
		if r == prev {
			n++
		} else {
			prev, n = r, 1
		}
		if n >= MinRun {
			return true
		}
	}
	return false
}

// sequences are the orders a run may follow, forwards or backwards: the digits, the Latin and
// Cyrillic alphabets (with and without ё — fold turns ё into е), and the rows and columns of
// the QWERTY and ЙЦУКЕН keyboards (with their shifted digit rows).
var sequences = func() [][]rune {
	rows := []string{
		"01234567890",
		"abcdefghijklmnopqrstuvwxyz",
		"абвгдежзийклмнопрстуфхцчшщъыьэюя",
		"`1234567890-=", "qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./",
		"~!@#$%^&*()_+",
		"йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю.",
		`!"№;%:?*()_+`,
	}
	// The columns of a keyboard, top to bottom: "1qaz", "2wsx"… and "1йфя", "2цыч"…
	for _, kb := range [][4]string{{"1234567890", "qwertyuiop", "asdfghjkl;", "zxcvbnm,./"},
		{"1234567890", "йцукенгшщз", "фывапролдж", "ячсмитьбю."}} {
		for i := range len(kb[0]) {
			var col []rune
			for _, row := range kb {
				col = append(col, []rune(row)[i])
			}
			rows = append(rows, string(col))
		}
	}
	out := make([][]rune, 0, 2*len(rows))
	for _, r := range rows {
		fw := []rune(r)
		bw := make([]rune, len(fw))
		for i, c := range fw {
			bw[len(fw)-1-i] = c
		}
		out = append(out, fw, bw)
	}
	return out
}()

// hasSequence reports a run of MinRun characters that follow one of the sequences.
func hasSequence(s string) bool {
	rs := []rune(s)
	for i := 0; i+MinRun <= len(rs); i++ {
		for _, seq := range sequences {
			for j := 0; j+MinRun <= len(seq); j++ {
				if seq[j] != rs[i] {
					continue
				}
				k := 1
				for k < MinRun && seq[j+k] == rs[i+k] {
					k++
				}
				if k == MinRun {
					return true
				}
			}
		}
	}
	return false
}

// phoneTail is how many of a phone's last digits a password may not contain.
const phoneTail = 7

func hasPhone(squeezed, phone string) bool {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, phone)
	return len(digits) >= phoneTail && strings.Contains(squeezed, digits[len(digits)-phoneTail:])
}

// minPart is the shortest name, or part of an e-mail address, that a password may contain.
const minPart = 3

// hasEmail reports the address's local part (without its separators) in the password, or a
// word of it of four letters or more ("petrov" of "ivan.petrov").
func hasEmail(squeezed, email string) bool {
	local, _, ok := strings.Cut(fold(email), "@")
	if !ok {
		return false
	}
	if whole := squeeze(local); utf8.RuneCountInString(whole) >= minPart && strings.Contains(squeezed, whole) {
		return true
	}
	for _, w := range strings.FieldsFunc(local, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if utf8.RuneCountInString(w) >= minPart+1 && strings.Contains(squeezed, w) {
			return true
		}
	}
	return false
}

// hasName reports a part of a name (three letters or more) in the password: as written, in
// Latin letters, or typed with the wrong keyboard layout ("Иван", "ivan", "bdfy").
func hasName(squeezed string, names []string) bool {
	for _, n := range names {
		for _, part := range strings.FieldsFunc(fold(n), func(r rune) bool { return !unicode.IsLetter(r) }) {
			if utf8.RuneCountInString(part) < minPart {
				continue
			}
			for _, v := range []string{part, translit(part), squeeze(layout(part))} {
				if v != "" && strings.Contains(squeezed, v) {
					return true
				}
			}
		}
	}
	return false
}

// monthNames are the ways a month is written in a date: Russian in the genitive («4 декабря»)
// and the nominative, English in full and short.
var monthNames = [12][]string{
	{"января", "январь", "january", "jan"}, {"февраля", "февраль", "february", "feb"},
	{"марта", "март", "march", "mar"}, {"апреля", "апрель", "april", "apr"},
	{"мая", "май", "may"}, {"июня", "июнь", "june", "jun"},
	{"июля", "июль", "july", "jul"}, {"августа", "август", "august", "aug"},
	{"сентября", "сентябрь", "september", "sep", "sept"}, {"октября", "октябрь", "october", "oct"},
	{"ноября", "ноябрь", "november", "nov"}, {"декабря", "декабрь", "december", "dec"},
}

// dateSpellings are the ways of writing d without separators (squeeze removes them from the
// password): ДДММГГГГ (also ДД.ММ.ГГГГ, ДД-ММ-ГГГГ, ДД/ММ/ГГГГ), ГГГГММДД (ГГГГ-ММ-ДД), ДДММГГ,
// ГГММДД, the American ММДДГГГГ and ММДДГГ, without leading zeros (4.12.1990), and with the
// month in words («4 декабря 1990», "04dec1990").
func dateSpellings(d time.Time) []string {
	y, m, day := d.Date()
	dd, mm := two(day), two(int(m))
	yyyy := four(y)
	yy := yyyy[2:]
	ds, ms := itoa(day), itoa(int(m))
	out := []string{dd + mm + yyyy, yyyy + mm + dd, dd + mm + yy, yy + mm + dd, mm + dd + yyyy, mm + dd + yy,
		ds + ms + yyyy, yyyy + ms + ds, ds + mm + yyyy, ds + mm + yy, ds + ms + yy}
	for _, name := range monthNames[m-1] {
		for _, dp := range []string{ds, dd} {
			out = append(out, dp+name+yyyy, dp+name+yy, yyyy+name+dp, name+dp+yyyy)
		}
	}
	return out
}

func hasDate(squeezed string, d time.Time) bool {
	if d.IsZero() {
		return false
	}
	for _, s := range dateSpellings(d) {
		if strings.Contains(squeezed, s) {
			return true
		}
	}
	return false
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func two(n int) string {
	s := itoa(n)
	if len(s) < 2 {
		s = "0" + s
	}
	return s
}

func four(n int) string {
	s := itoa(n)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

// translitTable spells Russian letters in Latin ones the way people do in logins and passwords
// ("parol", "privet", "natasha").
var translitTable = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i",
	'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ф': "f", 'х': "h", 'ц': "c", 'ч': "ch", 'ш': "sh", 'щ': "sch", 'ъ': "", 'ы': "y", 'ь': "",
	'э': "e", 'ю': "yu", 'я': "ya",
}

// translit writes the Russian letters of s in Latin letters; "" if s has none.
func translit(s string) string {
	var b strings.Builder
	any := false
	for _, r := range s {
		if t, ok := translitTable[r]; ok {
			b.WriteString(t)
			any = true
		} else {
			b.WriteRune(r)
		}
	}
	if !any {
		return ""
	}
	return b.String()
}

// layoutTable maps the ЙЦУКЕН keys to the QWERTY keys in the same place: what a Russian word
// becomes when typed with the Latin layout on ("пароль" → "gfhjkm").
var layoutTable = func() map[rune]rune {
	ru := []rune("йцукенгшщзхъфывапролджэячсмитьбюё")
	en := []rune("qwertyuiop[]asdfghjkl;'zxcvbnm,.`")
	m := make(map[rune]rune, len(ru))
	for i, r := range ru {
		m[r] = en[i]
	}
	return m
}()

// layout types the Russian letters of s on the Latin layout; "" if s has none.
func layout(s string) string {
	any := false
	out := strings.Map(func(r rune) rune {
		if l, ok := layoutTable[r]; ok {
			any = true
			return l
		}
		return r
	}, s)
	if !any {
		return ""
	}
	return out
}
