package ruid

import "strconv"

var snilsCodes = digitCodes{SNILSEmpty, SNILSCharacters, SNILSLength}

// SNILS checks an individual insurance account number (СНИЛС) typed in any
// common way — "112-233-445 95", "11223344595" — and returns it in the form
// ЕСИА uses, "112-233-445 95".
//
// The check number is the sum of the first nine digits weighted 9 down to 1;
// a sum of 100 or 101 gives 00, a larger one is taken mod 101 (a remainder of
// 100 again gives 00). Numbers up to 001-001-998 predate the check number and
// are accepted with any last two digits.
func SNILS(s string) (string, error) {
	d, err := readDigitsN(s, 11, snilsCodes)
	if err != nil {
		return "", err
	}
	if allZero(d[:9]) {
		return "", fail(SNILSZero)
	}
	body, _ := strconv.Atoi(d[:9])
	if body > rules.SNILS.NoChecksumUpTo && d[9:] != snilsCheck(d[:9]) {
		return "", fail(SNILSChecksum)
	}
	return d[0:3] + "-" + d[3:6] + "-" + d[6:9] + " " + d[9:], nil
}

// snilsCheck computes the two check digits of a nine-digit СНИЛС body.
func snilsCheck(body string) string {
	sum := weightedSum(body, []int{9, 8, 7, 6, 5, 4, 3, 2, 1})
	// sum mod 101 folds 101 to 0; the remainder 100 (sum 100 or 201, ...)
	// is also written 00.
	check := sum % 101 % 100
	return string([]byte{byte('0' + check/10), byte('0' + check%10)})
}
