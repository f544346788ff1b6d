package ruid

import "strings"

var (
	bikCodes     = digitCodes{BIKEmpty, BIKCharacters, BIKLength}
	accountCodes = digitCodes{AccountEmpty, AccountCharacters, AccountLength}
)

// BIK checks a bank identification code (БИК) — nine digits, no check digit
// — and returns the digits.
func BIK(s string) (string, error) {
	d, err := readDigitsN(s, 9, bikCodes)
	if err != nil {
		return "", err
	}
	return d, nil
}

// AccountKind says where an account is opened, which decides how its control
// key (the 9th digit) is computed.
type AccountKind int

const (
	// BankAccount is opened at a credit institution: the key is computed
	// with the last three digits of the bank's БИК before the account.
	BankAccount AccountKind = iota
	// BankOfRussiaAccount is opened at the Bank of Russia — a bank's
	// correspondent account, a single treasury account: the key is computed
	// with "0" and the 5th–6th digits of the БИК before the account.
	BankOfRussiaAccount
	// TreasuryAccount is a treasury account (03…), which has no control key.
	TreasuryAccount
)

// AccountKindOf tells which kind an account is, from its first digits and
// the БИК (both as digits), by the rules in rules.json.
func AccountKindOf(account, bik string) AccountKind {
	ra := &rules.Account
	for _, p := range ra.TreasuryPrefixes {
		if strings.HasPrefix(account, p) {
			return TreasuryAccount
		}
	}
	for _, p := range ra.BankOfRussiaPrefixes {
		if strings.HasPrefix(account, p) {
			return BankOfRussiaAccount
		}
	}
	for _, s := range ra.BankOfRussiaBIKSuffixes {
		if strings.HasSuffix(bik, s) {
			return BankOfRussiaAccount
		}
	}
	return BankAccount
}

// Account checks a 20-digit account number against the БИК of the bank or
// Bank of Russia division where it is opened, telling the kind of account by
// AccountKindOf, and returns the account's digits. An invalid БИК is reported
// with Field "bik".
func Account(account, bik string) (string, error) {
	a, b, err := readAccount(account, bik)
	if err != nil {
		return "", err
	}
	return accountOfKind(a, b, AccountKindOf(a, b))
}

// AccountOfKind is Account for a caller that knows the kind of account.
func AccountOfKind(account, bik string, kind AccountKind) (string, error) {
	a, b, err := readAccount(account, bik)
	if err != nil {
		return "", err
	}
	return accountOfKind(a, b, kind)
}

func readAccount(account, bik string) (string, string, error) {
	a, aerr := readDigitsN(account, 20, accountCodes)
	if aerr != nil {
		return "", "", aerr
	}
	if strings.TrimFunc(bik, isBlank) == "" {
		return "", "", fail(AccountBIKMissing).inField(FieldBIK)
	}
	b, err := BIK(bik)
	if err != nil {
		return "", "", inField(err, FieldBIK)
	}
	return a, b, nil
}

// accountOfKind verifies the control key (Bank of Russia, 08.09.1997
// № 515): three digits taken from the БИК and the 20 digits of the account
// are weighted 7, 1, 3 repeating; the sum of the last digits of the
// products must end in 0.
func accountOfKind(account, bik string, kind AccountKind) (string, error) {
	var prefix string
	switch kind {
	case TreasuryAccount:
		return account, nil
	case BankOfRussiaAccount:
		prefix = "0" + bik[4:6]
	default:
		prefix = bik[6:9]
	}
	if !accountKeyValid(prefix + account) {
		return "", fail(AccountKey)
	}
	return account, nil
}

// accountKeyValid checks the 23 digits of a prefixed account.
func accountKeyValid(d string) bool {
	weights := [3]int{7, 1, 3}
	sum := 0
	for i := 0; i < len(d); i++ {
		sum += int(d[i]-'0') * weights[i%3] % 10
	}
	return sum%10 == 0
}
