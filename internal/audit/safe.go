package audit

import (
	"regexp"
	"strings"
	"time"
)

// What an id or a detail value may be. The journal keeps no personal data, and a list of the
// shapes personal data comes in (a phone with or without +7, brackets and dashes; a passport
// with a space, a dash or "№"; a СНИЛС; an ИНН with a prefix) always misses one. So the rule
// is the other way round: a value is accepted only if it has one of a few shapes that cannot
// carry a document or phone number, and everything else is refused. The package
// documentation ("What an entry stores") is the reference for callers.

const (
	maxCode     = 64 // longest code
	maxDigitRun = 3  // most digits in a row in a code
	maxDigits   = 5  // most digits in all in a code
	maxNumber   = 9  // most digits of a number under a numeric name
)

var (
	uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	codePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)
	timePattern = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z$`)
	// A release v1.2.3, with an optional pre-release and build (checked as codes), or a Go
	// pseudo-version: v0.0.0-20250102030405-0123456789ab, vX.Y.Z-pre.0.…, vX.Y.Z-0.….
	versionPattern = regexp.MustCompile(`^v[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?:-([a-z0-9.-]+))?(?:\+([a-z0-9.-]+))?$`)
	pseudoPattern  = regexp.MustCompile(`^(?:[a-z0-9.-]+\.)?(?:0\.)?[0-9]{14}-[0-9a-f]{12}$`)
	numberPattern  = regexp.MustCompile(`^(?:0|[1-9][0-9]{0,8})$`)
	settingPattern = regexp.MustCompile(`^SEP_[A-Z]+(?:_[A-Z]+)*$`)
	migrationID    = regexp.MustCompile(`^[0-9]{4}$`)
)

// hexLengths are the declared lengths of hex ids: 8 (a short key id), 16 (key ids and
// fingerprints: 8 bytes of Streebog-256) and 64 (a hash).
var hexLengths = map[int]bool{8: true, 16: true, 64: true}

// isUUID reports whether v is a UUID in its canonical lower-case form.
func isUUID(v string) bool { return uuidPattern.MatchString(v) }

// isHexID reports whether v is lower-case hex of a declared length.
func isHexID(v string) bool {
	if !hexLengths[len(v)] {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// isCode reports whether v is a lower-case code: letters, digits and _ . -, starting with a
// letter or digit, with at least one letter, no more than 3 digits in a row and 5 in all.
// Every number worth hiding has more digits than that — a passport (4 + 6), СНИЛС (11), ИНН
// (10 or 12), a phone (10 or 11), a postcode (6), a date of birth (8) — however it is
// separated, so no spelling of one is a code; "app-12", "v1.2", "10m" and "cli" are.
func isCode(v string) bool {
	if len(v) > maxCode || !codePattern.MatchString(v) {
		return false
	}
	letter, run, digits := false, 0, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case '0' <= c && c <= '9':
			run++
			digits++
			if run > maxDigitRun || digits > maxDigits {
				return false
			}
		case 'a' <= c && c <= 'z':
			letter = true
			run = 0
		default:
			run = 0
		}
	}
	return letter
}

// isTime reports whether v is an RFC 3339 time in UTC ("2030-01-02T03:04:05Z", fractions
// allowed). A date alone is not accepted: that is how a date of birth is written.
func isTime(v string) bool {
	if !timePattern.MatchString(v) {
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, v)
	return err == nil
}

// isVersion reports whether v is a release or Go pseudo-version of sep.
func isVersion(v string) bool {
	m := versionPattern.FindStringSubmatch(v)
	if m == nil {
		return false
	}
	pre, build := m[1], m[2]
	return (pre == "" || isCode(pre) || pseudoPattern.MatchString(pre)) && (build == "" || isCode(build))
}

// isID reports whether v may be an actor, organisation or object id.
func isID(v string) bool { return isUUID(v) || isHexID(v) || isCode(v) }

// numericName reports whether a detail of this name holds a number: a count or a sequence
// number.
func numericName(name string) bool {
	return strings.HasSuffix(name, "_count") || strings.HasSuffix(name, "_seq")
}

// safeDetail reports whether v may be the value of the detail name.
func safeDetail(name, v string) bool {
	if numericName(name) {
		return numberPattern.MatchString(v)
	}
	return isID(v) || isTime(v) || isVersion(v)
}

// objectIDs are the object types whose ids have a shape of their own; the ids of every other
// type are ids (isID).
var objectIDs = map[string]func(string) bool{
	"migration": migrationID.MatchString,    // the four-digit version, "0050"
	"setting":   settingPattern.MatchString, // the environment variable, "SEP_MODE"
}

const idRule = "a UUID, a lower-case hex id or a lower-case code (see the audit package documentation)"

// checkID reports whether v may be stored as an actor or organisation id. The message never
// repeats v, which might be the very personal data the check keeps out.
func checkID(field, v string, required bool) error {
	switch {
	case v == "" && required:
		return invalid("%s is empty", field)
	case v == "" || isID(v):
		return nil
	case len(v) > maxToken:
		return invalid("%s is longer than %d characters", field, maxToken)
	}
	return invalid("%s must be %s; journal ids, never personal data", field, idRule)
}

// checkObjectID reports whether v may be the id of an object of type objectType.
func checkObjectID(objectType, v string) error {
	if v == "" {
		return nil
	}
	if shape, ok := objectIDs[objectType]; ok {
		if len(v) > maxCode || !shape(v) {
			return invalid("the id of a %s object does not have the shape such ids have", objectType)
		}
		return nil
	}
	return checkID("object id", v, false)
}

// checkDetail reports whether v may be the value of the detail name.
func checkDetail(name, v string) error {
	switch {
	case v == "" || safeDetail(name, v):
		return nil
	case len(v) > maxToken:
		return invalid("detail %s is longer than %d characters", name, maxToken)
	case numericName(name):
		return invalid("detail %s must be a whole number of at most %d digits", name, maxNumber)
	case numberPattern.MatchString(v) || strings.Trim(v, "0123456789") == "":
		return invalid("detail %s is a number; numbers are journaled only under names ending _count or _seq", name)
	}
	return invalid("detail %s must be %s, an RFC 3339 UTC time or a version; journal ids, never personal data", name, idRule)
}
