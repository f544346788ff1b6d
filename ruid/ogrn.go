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
	if !strings.ContainsRune(rules.OGRN.OGRNFirstDigits, rune(d[0])) {
		return "", fail(OGRNFirstDigit, "digit", d[:1])
	}
	n, _ := strconv.ParseUint(d[:12], 10, 64)
	if byte('0'+n%11%10) != d[12] {
		return "", fail(OGRNChecksum)
	}
	return d, nil
}

func checkOGRNIP(d string) (string, error) {
	if !strings.ContainsRune(rules.OGRN.OGRNIPFirstDigits, rune(d[0])) {
		return "", fail(OGRNIPFirstDigit, "digit", d[:1])
	}
	n, _ := strconv.ParseUint(d[:14], 10, 64)
	// The final mod 10 matters: a remainder of 10, 11 or 12 is written as
	// its last digit.
	if byte('0'+n%13%10) != d[14] {
		return "", fail(OGRNIPChecksum)
	}
	return d, nil
}
