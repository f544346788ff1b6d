package notify

import (
	"strings"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/ruid"
)

// Addresses are spelled by package ruid, the one normaliser of phone numbers and e-mail
// addresses in sep: one phone or address is one recipient for the rate limits and one blind
// index for lookups however it was typed ("8 (900) 123-45-67" and "+79001234567"; a Cyrillic
// domain and its punycode).

// phoneAddress returns where an SMS goes: a Russian mobile number as +7XXXXXXXXXX. A number that
// cannot take SMS is errs.Invalid "notify.bad_phone", wrapping ruid's precise *ruid.Error.
func phoneAddress(s string) (string, error) {
	p, err := ruid.MobilePhone(s)
	if err != nil {
		return "", errs.E(errs.Invalid, "notify.bad_phone", err)
	}
	return p, nil
}

// emailAddress returns where an e-mail goes, in ruid's canonical form (the domain in its
// display form; the SMTP transport sends to its ASCII form). A malformed address is
// errs.Invalid "notify.bad_email", wrapping ruid's *ruid.Error.
func emailAddress(s string) (string, error) {
	a, err := ruid.Email(s)
	if err != nil {
		return "", errs.E(errs.Invalid, "notify.bad_email", err)
	}
	return a, nil
}

// normalizeAddress normalises an address of unknown sort (the outbox filter, the outbox's
// blind index): an e-mail address if it has an @, a phone number if it reads as one, else as
// it is (an account id). It never fails, so that a filter for an odd spelling finds nothing
// rather than an error.
func normalizeAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "@") {
		if a, err := ruid.Email(s); err == nil {
			return a, nil
		}
		return s, nil
	}
	if p, err := ruid.Phone(s); err == nil {
		return p, nil
	}
	return s, nil
}
