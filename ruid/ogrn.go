package ruid

import (
	"strconv"
	"strings"
)

var (
	ogrnCodes   = digitCodes{OGRNEmpty, OGRNCharacters, OGRNLength}
	ogrnipCodes = digitCodes{OGRNIPEmpty, OGRNIPCharacters, OGRNIPLength}
)

// OGRN checks the 13-digit primary state registration number (ОГРН) of an
// organisation and returns the digits. The last digit is the first twelve,
// read as a number, mod 11, mod 10.
func OGRN(s string) (string, error) {
	d, err := readDigitsN(s, 13, ogrnCodes)
	if err != nil {
		return "", err
	}
	return checkOGRN(d)
}

// OGRNIP checks the 15-digit registration number of an individual
// entrepreneur (ОГРНИП) and returns the digits. The last digit is the first
// fourteen, read as a number, mod 13, mod 10.
func OGRNIP(s string) (string, error) {
	d, err := readDigitsN(s, 15, ogrnipCodes)
	if err != nil {
		return "", err
	}
	return checkOGRNIP(d)
}

// OGRNAny checks either registration number, telling them apart by length:
// 13 digits for ОГРН, 15 for ОГРНИП.
func OGRNAny(s string) (string, error) {
	d, err := readDigits(s, ogrnCodes)
	if err != nil {
		return "", err
	}
	switch len(d) {
	case 13:
		return checkOGRN(d)
	case 15:
		return checkOGRNIP(d)
	}
	return "", lengthError(OGRNLength, len(d))
}

func checkOGRN(d string) (string, error) {
	return checkRegistration(d, rules.OGRN.OGRNFirstDigits, 11, OGRNFirstDigit, OGRNChecksum)
}

func checkOGRNIP(d string) (string, error) {
	return checkRegistration(d, rules.OGRN.OGRNIPFirstDigits, 13, OGRNIPFirstDigit, OGRNIPChecksum)
}

// checkRegistration checks the first digit of a registration number and its
// last: the number before it mod m, mod 10. The final mod 10 matters — a
// remainder of 10 (or 11, 12 for ОГРНИП) is written as its last digit.
func checkRegistration(d, firstDigits string, m uint64, firstCode, checksumCode Code) (string, error) {
	if !strings.ContainsRune(firstDigits, rune(d[0])) {
		return "", fail(firstCode, "digit", d[:1])
	}
	last := len(d) - 1
	n, _ := strconv.ParseUint(d[:last], 10, 64)
	if byte('0'+n%m%10) != d[last] {
		return "", fail(checksumCode)
	}
	return d, nil
}
