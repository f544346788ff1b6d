package ruid

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// The Generate functions make valid identifiers for demo data, simulators
// and tests — never for real records. Their check digits are right, so they
// pass every format check; nothing keeps a random ИНН, ОГРН or account from
// coinciding with one that belongs to someone, so demo data should say it is
// fictitious.

// GenerateSNILS returns a СНИЛС for test data in the form SNILS returns. It
// is drawn from 000-000-001…000-999-999, the range where ЕСИА's test
// accounts have theirs (000-000-600 06), below the numbers that need a
// check number, and carries a correct one all the same, for systems that
// check every СНИЛС.
func GenerateSNILS(r *rand.Rand) string {
	body := "000" + randomDigits(r, 6)
	if allZero(body) {
		body = "000000001"
	}
	d := body + snilsCheck(body)
	return d[0:3] + "-" + d[3:6] + "-" + d[6:9] + " " + d[9:]
}

// GenerateINNLegal returns a random valid 10-digit ИНН.
func GenerateINNLegal(r *rand.Rand) string {
	d := randomTaxOffice(r) + randomDigits(r, 5)
	return d + string(innDigit(d, innWeights10))
}

// GenerateINNPerson returns a random valid 12-digit ИНН.
func GenerateINNPerson(r *rand.Rand) string {
	d := randomTaxOffice(r) + randomDigits(r, 6)
	d += string(innDigit(d, innWeights11))
	return d + string(innDigit(d, innWeights12))
}

// GenerateOGRN returns a random valid ОГРН.
func GenerateOGRN(r *rand.Rand) string {
	first := rules.OGRN.OGRNFirstDigits
	d := string(first[r.IntN(len(first))]) + randomDigits(r, 11)
	n, _ := strconv.ParseUint(d, 10, 64)
	return d + strconv.FormatUint(n%11%10, 10)
}

// GenerateOGRNIP returns a random valid ОГРНИП.
func GenerateOGRNIP(r *rand.Rand) string {
	first := rules.OGRN.OGRNIPFirstDigits
	d := string(first[r.IntN(len(first))]) + randomDigits(r, 13)
	n, _ := strconv.ParseUint(d, 10, 64)
	return d + strconv.FormatUint(n%13%10, 10)
}

// GenerateAccount returns a random valid ruble settlement account of a legal
// entity (40702 810…) at a bank with the given БИК.
func GenerateAccount(r *rand.Rand, bik string) (string, error) {
	b, err := BIK(bik)
	if err != nil {
		return "", err
	}
	head, tail := "40702810", randomDigits(r, 11)
	for key := byte('0'); key <= '9'; key++ {
		a := head + string(key) + tail
		if accountKeyValid(b[6:9] + a) {
			return a, nil
		}
	}
	// Unreachable: the key's weight, 3, takes the sum through every
	// residue mod 10 as the key runs from 0 to 9.
	panic("ruid: no control key")
}

// GenerateUIN returns a random valid 20-digit УИН.
func GenerateUIN(r *rand.Rand) string {
	body := randomDigits(r, 19)
	if allZero(body) {
		body = strings.Repeat("0", 18) + "1"
	}
	return body + string(uinCheck(body))
}

func randomDigits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

// randomTaxOffice returns a four-digit tax office code not starting with 00.
func randomTaxOffice(r *rand.Rand) string {
	return fmt.Sprintf("%04d", 100+r.IntN(9900))
}
