package ruid

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Address is a registration address (адрес регистрации по месту жительства) as a validated,
// canonical record: every part written in full, without abbreviations, as forms of the
// government services require. District and Flat may be empty.
type Address struct {
	Region   string // a subject of the Federation, by its canonical name (Regions)
	District string // район, городской округ; empty where there is none
	City     string // город или другой населённый пункт
	Street   string
	House    string // "12", "12А", "12/3", "12 корпус 1", "12 строение 2"
	Flat     string // "45", "45А"; empty for a house
	Postcode string // six digits
}

// AddressInput is the address block of a form as the citizen typed it.
type AddressInput struct {
	Region, District, City, Street, House, Flat, Postcode string
}

// The fields CheckAddress names in Error.Field.
const (
	FieldRegion   = "region"
	FieldDistrict = "district"
	FieldCity     = "city"
	FieldStreet   = "street"
	FieldHouse    = "house"
	FieldFlat     = "flat"
	FieldPostcode = "postcode"
)

// The codes of address checks.
const (
	AddressRegionEmpty        Code = "address.region_empty"
	AddressRegionUnknown      Code = "address.region_unknown"
	AddressCityEmpty          Code = "address.city_empty"
	AddressStreetEmpty        Code = "address.street_empty"
	AddressHouseEmpty         Code = "address.house_empty"
	AddressHouseFormat        Code = "address.house_format"
	AddressFlatFormat         Code = "address.flat_format"
	AddressAbbreviation       Code = "address.abbreviation"
	AddressAbbreviationDot    Code = "address.abbreviation_dot"
	AddressLatin              Code = "address.latin"
	AddressCharacters         Code = "address.characters"
	AddressLength             Code = "address.length"
	AddressNoLetters          Code = "address.no_letters"
	AddressPostcodeEmpty      Code = "address.postcode_empty"
	AddressPostcodeCharacters Code = "address.postcode_characters"
	AddressPostcodeLength     Code = "address.postcode_length"
	AddressPostcodeFirstDigit Code = "address.postcode_first_digit"
)

var postcodeCodes = digitCodes{AddressPostcodeEmpty, AddressPostcodeCharacters, AddressPostcodeLength}

// abbreviations are the shortenings people write in addresses, each with the word in full
// that forms require instead. A shortening in dotted is one only when a dot follows it (a
// single letter, or a word that is also an ordinary one); one in bare is one with or without
// the dot.
var (
	abbrDotted = map[string]string{
		"г": "город", "д": "дом", "п": "посёлок", "с": "село", "х": "хутор", "к": "корпус", "ш": "шоссе",
		"ул": "улица", "кв": "квартира", "обл": "область", "пер": "переулок", "пл": "площадь",
		"наб": "набережная", "корп": "корпус", "стр": "строение", "пос": "посёлок", "дер": "деревня",
		"мкр": "микрорайон", "респ": "республика", "пр": "проспект", "туп": "тупик", "им": "имени",
		"просп": "проспект", "гор": "город",
		"пгт": "посёлок городского типа", "рп": "рабочий посёлок", "обл-ть": "область",
	}
	abbrBare = map[string]string{
		"ул": "улица", "кв": "квартира", "обл": "область", "пр-т": "проспект", "пр-кт": "проспект",
		"р-н": "район", "б-р": "бульвар", "корп": "корпус", "мкр": "микрорайон", "мкрн": "микрорайон",
		"пгт": "посёлок городского типа", "наб": "набережная", "пер": "переулок", "респ": "республика",
		"г-к": "городок", "туп": "тупик", "ш-се": "шоссе", "пр-д": "проезд", "р-он": "район", "с-т": "садовое товарищество",
	}
)

// maxAddressPart is the longest part accepted, in characters (ФИАС names are shorter).
const maxAddressPart = 120

// CheckAddress checks a registration address part by part: the region must be a subject of
// the Federation; the city, street and house are required; no part may hold an abbreviation
// («ул.», «г.», «д.», «кв.», «обл.», «пр-т» …: the message names the word to write instead);
// the house and flat have the formats of Russian addresses; the postcode is six digits.
//
// The error is Errors, one *Error per wrong part, each with its Field.
func CheckAddress(in AddressInput) (Address, error) {
	var a Address
	var errs Errors
	add := func(field string, err error) {
		if e, ok := err.(*Error); ok {
			errs = append(errs, e.inField(field))
		}
	}
	var err error
	if a.Region, err = Region(in.Region); err != nil {
		add(FieldRegion, err)
	}
	if a.District, err = addressPart(in.District, ""); err != nil {
		add(FieldDistrict, err)
	}
	if a.City, err = addressPart(in.City, AddressCityEmpty); err != nil {
		add(FieldCity, err)
	}
	if a.Street, err = addressPart(in.Street, AddressStreetEmpty); err != nil {
		add(FieldStreet, err)
	}
	if a.House, err = House(in.House); err != nil {
		add(FieldHouse, err)
	}
	if a.Flat, err = Flat(in.Flat); err != nil {
		add(FieldFlat, err)
	}
	if a.Postcode, err = Postcode(in.Postcode); err != nil {
		add(FieldPostcode, err)
	}
	if len(errs) > 0 {
		return Address{}, errs
	}
	return a, nil
}

// Region checks a subject of the Federation written in full («Московская область»,
// «Республика Татарстан», «Москва») and returns its canonical name. Case, ё and the kind of
// dash do not matter; the names people commonly use («Татарстан», «Якутия», «Кузбасс») are
// understood.
func Region(s string) (string, error) {
	v, err := addressPart(s, AddressRegionEmpty)
	if err != nil {
		return "", err
	}
	if name, ok := regionIndex[regionKey(v)]; ok {
		return name, nil
	}
	return "", fail(AddressRegionUnknown)
}

// regionKey is what region names are compared by: the letters, in lower case, with ё read as е.
func regionKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == 'ё':
			b.WriteRune('е')
		case unicode.IsLetter(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Postcode checks a Russian postcode (почтовый индекс) and returns its six digits.
func Postcode(s string) (string, error) {
	d, err := readDigitsN(s, 6, postcodeCodes)
	if err != nil {
		return "", err
	}
	if !strings.ContainsRune(rules.Address.PostcodeFirstDigits, rune(d[0])) {
		return "", fail(AddressPostcodeFirstDigit)
	}
	return d, nil
}

// House checks a house number: digits with an optional letter («12», «12А»), a fraction for a
// corner house («12/3»), and a корпус, строение or литера written in full («12 корпус 1»). A
// leading «дом» is dropped. Letters are upper-cased.
func House(s string) (string, error) {
	v, err := addressPart(cyrillicLetters(s), AddressHouseEmpty)
	if err != nil {
		return "", err
	}
	words := strings.Fields(strings.ReplaceAll(v, ",", " "))
	if len(words) > 0 && strings.EqualFold(words[0], "дом") {
		words = words[1:]
	}
	if len(words) == 0 || !numberWithLetter(words[0], true) {
		return "", fail(AddressHouseFormat)
	}
	out := []string{strings.ToUpper(words[0])}
	for rest := words[1:]; len(rest) > 0; rest = rest[2:] {
		kind := strings.ToLower(rest[0])
		if kind != "корпус" && kind != "строение" && kind != "литера" && kind != "сооружение" || len(rest) < 2 ||
			utf8.RuneCountInString(rest[1]) > 4 {
			return "", fail(AddressHouseFormat)
		}
		out = append(out, kind, strings.ToUpper(rest[1]))
	}
	return strings.Join(out, " "), nil
}

// Flat checks a flat (or office) number: digits with an optional letter («45», «45А»); a
// leading «квартира» is dropped. An empty flat is no flat: "" without error.
func Flat(s string) (string, error) {
	if strings.TrimFunc(s, isBlank) == "" {
		return "", nil
	}
	v, err := addressPart(cyrillicLetters(s), "")
	if err != nil || v == "" {
		return "", err
	}
	words := strings.Fields(v)
	if len(words) > 0 && strings.EqualFold(words[0], "квартира") {
		words = words[1:]
	}
	if len(words) != 1 || !numberWithLetter(words[0], false) {
		return "", fail(AddressFlatFormat)
	}
	return strings.ToUpper(words[0]), nil
}

// cyrillicLetters reads the Latin letters that look like Russian ones as those: the letter of
// «12А» is often typed with the keyboard's other layout.
var cyrillicLetters = strings.NewReplacer("A", "А", "a", "а", "B", "В", "b", "в", "E", "Е", "e", "е", "K", "К", "k", "к",
	"M", "М", "m", "м", "H", "Н", "h", "н", "O", "О", "o", "о", "P", "Р", "p", "р", "C", "С", "c", "с", "T", "Т", "t", "т",
	"X", "Х", "x", "х").Replace

// numberWithLetter reports whether w is 1–5 digits and at most one Russian letter, or with
// fraction, two such joined by "/".
func numberWithLetter(w string, fraction bool) bool {
	parts := []string{w}
	if fraction {
		parts = strings.SplitN(w, "/", 2)
	}
	for _, p := range parts {
		digits := 0
		for i, r := range p {
			switch {
			case r >= '0' && r <= '9' && digits == i:
				digits++
			case isRussianLetter(r) && digits > 0 && i == len(p)-utf8.RuneLen(r):
			default:
				return false
			}
		}
		if digits == 0 || digits > 5 {
			return false
		}
	}
	return true
}

// addressPart checks the characters of one part of an address and returns it with its ends
// trimmed, runs of spaces collapsed and dashes unified. empty is the code of a missing part;
// "" lets the part be empty.
func addressPart(s string, empty Code) (string, error) {
	s = composeCyrillic(s)
	var b strings.Builder
	pendingSpace, letters := false, false
	for _, r := range strings.TrimFunc(s, isBlank) {
		switch {
		case unicode.IsSpace(r):
			pendingSpace = true
			continue
		case isInvisible(r):
			continue
		case isDash(r):
			r = '-'
		case isRussianLetter(r):
			letters = true
		case r < 0x80 && unicode.IsLetter(r):
			return "", fail(AddressLatin)
		case r >= '0' && r <= '9', r == '.', r == ',', r == '/', r == '(', r == ')', r == '№', r == '"', r == '\'', r == '«', r == '»':
		default:
			return "", fail(AddressCharacters, "char", showRune(r))
		}
		if pendingSpace {
			b.WriteByte(' ')
			pendingSpace = false
		}
		b.WriteRune(r)
	}
	v := b.String()
	if n := utf8.RuneCountInString(v); n > maxAddressPart {
		return "", fail(AddressLength, "max", strconv.Itoa(maxAddressPart), "got", strconv.Itoa(n))
	}
	if err := abbreviation(v); err != nil {
		return "", err
	}
	// A trailing full stop after a whole word is punctuation, not a shortening.
	v = strings.TrimSpace(strings.TrimRight(v, ".,"))
	if v == "" {
		if empty == "" {
			return "", nil
		}
		return "", fail(empty)
	}
	if !letters && empty != AddressHouseEmpty && empty != "" {
		return "", fail(AddressNoLetters)
	}
	return v, nil
}

// abbreviation finds the first shortening in an address part: a word of abbrBare, a word of
// abbrDotted followed by a dot, or any short word followed by a dot.
func abbreviation(v string) *Error {
	rs := []rune(v)
	for i := 0; i < len(rs); {
		if !isRussianLetter(rs[i]) {
			i++
			continue
		}
		j := i
		for j < len(rs) && (isRussianLetter(rs[j]) || rs[j] == '-' && j+1 < len(rs) && isRussianLetter(rs[j+1])) {
			j++
		}
		word := strings.ToLower(string(rs[i:j]))
		dot := j < len(rs) && rs[j] == '.'
		if full, ok := abbrBare[word]; ok {
			return fail(AddressAbbreviation, "short", abbrShown(rs[i:j], dot), "full", full)
		}
		if dot {
			if full, ok := abbrDotted[word]; ok {
				return fail(AddressAbbreviation, "short", abbrShown(rs[i:j], dot), "full", full)
			}
			// Any other word of up to five letters before a dot is a shortening too (a
			// longer one ending the part is a full stop, dropped by the caller).
			if utf8.RuneCountInString(word) <= 5 || j+1 < len(rs) {
				return fail(AddressAbbreviationDot)
			}
		}
		i = j
	}
	return nil
}

// abbrShown is a shortening as the message quotes it: in lower case, with its dot.
func abbrShown(word []rune, dot bool) string {
	s := strings.ToLower(string(word))
	if dot {
		s += "."
	}
	return s
}
