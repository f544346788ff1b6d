package ruid

import "strings"

var innCodes = digitCodes{INNEmpty, INNCharacters, INNLength}

var (
	innWeights10 = []int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	innWeights11 = []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	innWeights12 = []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
)

// INN checks a taxpayer number (ИНН) of either kind: 10 digits for an
// organisation, 12 for a person (including an individual entrepreneur). It
// returns the digits.
func INN(s string) (string, error) {
	d, err := readDigits(s, innCodes)
	if err != nil {
		return "", err
	}
	if len(d) != 10 && len(d) != 12 {
		return "", lengthError(INNLength, len(d))
	}
	return checkINN(d)
}

// INNLegal checks the 10-digit ИНН of an organisation.
func INNLegal(s string) (string, error) {
	return innOfLength(s, 10, INNLengthLegal)
}

// INNPerson checks the 12-digit ИНН of a person.
func INNPerson(s string) (string, error) {
	return innOfLength(s, 12, INNLengthPerson)
}

func innOfLength(s string, n int, lengthCode Code) (string, error) {
	d, err := readDigits(s, innCodes)
	if err != nil {
		return "", err
	}
	if len(d) != n {
		return "", lengthError(lengthCode, len(d))
	}
	return checkINN(d)
}

// checkINN verifies the check digits of a 10- or 12-digit ИНН: each is the
// weighted sum of the digits before it, mod 11, mod 10.
func checkINN(d string) (string, error) {
	for _, p := range rules.INN.ForbiddenPrefixes {
		if strings.HasPrefix(d, p) {
			return "", fail(INNStarts00)
		}
	}
	ok := false
	if len(d) == 10 {
		ok = innDigit(d, innWeights10) == d[9]
	} else {
		ok = innDigit(d, innWeights11) == d[10] && innDigit(d, innWeights12) == d[11]
	}
	if !ok {
		return "", fail(INNChecksum)
	}
	return d, nil
}

// innDigit computes one ИНН check digit over the digits its weights cover.
func innDigit(d string, weights []int) byte {
	return byte('0' + weightedSum(d, weights)%11%10)
}
