package ruid

import "strings"

// Phone checks a Russian telephone number typed in any common way —
// "8 (912) 345-67-89", "+7 912 345 67 89", "7 912 3456789", "9123456789" —
// and returns it as +7XXXXXXXXXX. Numbers of other countries, including
// Kazakhstan's, which share the +7 country code, are rejected with their own
// codes.
func Phone(s string) (string, error) {
	plus := false
	var d strings.Builder
	for i, r := range strings.TrimFunc(s, isBlank) {
		if v, ok := digitValue(r); ok {
			d.WriteByte(byte('0' + v))
			continue
		}
		if (r == '+' || r == '\uFF0B') && i == 0 {
			plus = true
			continue
		}
		if isSeparator(r) {
			continue
		}
		return "", fail(PhoneCharacters, "char", showRune(r))
	}
	digits := d.String()
	if digits == "" {
		return "", fail(PhoneEmpty)
	}
	var national string
	switch {
	case plus && digits[0] == '7' && len(digits) == 11:
		national = digits[1:]
	case plus && digits[0] == '8' && len(digits) == 11:
		return "", fail(PhonePlusEight)
	case plus && digits[0] != '7':
		return "", fail(PhoneForeign)
	case !plus && len(digits) == 11 && (digits[0] == '7' || digits[0] == '8'):
		national = digits[1:]
	case !plus && len(digits) == 10:
		national = digits
	default:
		return "", lengthError(PhoneLength, len(digits))
	}
	p := &rules.Phone
	switch {
	case strings.IndexByte(p.KazakhstanFirstDigits, national[0]) >= 0:
		return "", fail(PhoneKazakhstan)
	case strings.IndexByte(p.RussianFirstDigits, national[0]) < 0:
		return "", fail(PhoneCode, "code", national[:3])
	}
	for _, prefix := range p.UnassignedPrefixes {
		if strings.HasPrefix(national, prefix) {
			return "", fail(PhoneCode, "code", national[:3])
		}
	}
	return "+7" + national, nil
}

// MobilePhone is Phone for numbers that must receive SMS: it also requires
// a mobile (DEF) code, which in Russia begins with 9.
func MobilePhone(s string) (string, error) {
	n, err := Phone(s)
	if err != nil {
		return "", err
	}
	if strings.IndexByte(rules.Phone.MobileFirstDigits, n[2]) < 0 {
		return "", fail(PhoneNotMobile)
	}
	return n, nil
}
