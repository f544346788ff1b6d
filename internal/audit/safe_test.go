package audit

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/db"
)

// personalNumber is how a phone, passport, СНИЛС or ИНН looks however it is written: 10 to 12
// digits, apart by a few separators, perhaps after a word such as "tel" or "passport".
var personalNumber = regexp.MustCompile(`(?i)^[\pL]*[^0-9\pL]*(?:[0-9][^0-9\pL]{0,3}){10,12}$`)

// personalData are spellings of fictitious document and phone numbers (and other personal
// data) that a careless caller might journal.
var personalData = []string{
	// phones
	"+7 900 123-45-67", "8(900)1234567", "79001234567", "+7-900-123-45-67", "tel:+79001234567",
	"+79001234567", "89001234567", "9001234567", "8-900-123-45-67", "8 900 123 45 67", "+7(900)123-45-67",
	"7.900.123.45.67", "tel-7-900-123-45-67", "phone_79001234567", "tel.8.900.123.45.67", "7-900-1234567",
	// passports
	"4510 123456", "4510-123456", "45 10 123456", "passport:4510123456", "4510№123456", "4510123456",
	"45-10-123456", "passport-4510-123456", "p.45.10.123.456", "4510_123456", "серия 4510 номер 123456",
	"pass-45-10-12-34-56", "123456",
	// СНИЛС
	"112-233-445 95", "11223344595", "snils:112-233-445-95", "112-233-445-95", "112.233.445.95",
	"snils-112-233-445-95", "112 233 445 95", "snils_11223344595", "s-112-233-445-95",
	// ИНН of an organisation (10 digits) and a person (12)
	"7707083893", "500100732259", "inn:7707083893", "inn7707083893", "инн 500100732259", "inn-500-100-732-259",
	"inn_7707083893", "inn.5001.0073.2259", "ИНН7707083893", "i-770-708-389-3",
	// dates of birth, names, addresses
	"1985-04-12", "12.04.1985", "d-85-04-12", "Иванов", "ivan@example.ru", "Ivanov Ivan", "ivanov ivan",
	"ул. Ленина, 1", "x y",
}

var smallNumber = regexp.MustCompile(`^[0-9]{1,9}$`)

// acceptsDetail reports whether an entry with the detail name = v may be journaled.
func acceptsDetail(name, v string) bool {
	e := citizenEntry(1)
	e.Details[name] = v
	return e.normalise() == nil
}

func TestPersonalDataIsRefusedInEverySpelling(t *testing.T) {
	for _, v := range personalData {
		fields := map[string]func(e *Entry){
			"actor id":        func(e *Entry) { e.ActorID = v },
			"organisation id": func(e *Entry) { e.OrgID = v },
			"object id":       func(e *Entry) { e.ObjectID = v },
			"detail":          func(e *Entry) { e.Details["holder"] = v },
			"numeric detail":  func(e *Entry) { e.Details["resealed_count"] = v },
			"key object id":   func(e *Entry) { e.ObjectType, e.ObjectID = "key", v },
			"migration id":    func(e *Entry) { e.ObjectType, e.ObjectID = "migration", v },
			"setting id":      func(e *Entry) { e.ObjectType, e.ObjectID = "setting", v },
		}
		for field, set := range fields {
			if field == "numeric detail" && smallNumber.MatchString(v) {
				continue // a number of at most 9 digits under a count's name is a count
			}
			e := citizenEntry(1)
			set(&e)
			err := e.normalise()
			if !errors.Is(err, ErrInvalidEntry) {
				t.Errorf("%q as %s: accepted", v, field)
				continue
			}
			if strings.Contains(err.Error(), v) {
				t.Errorf("%q as %s: the error repeats the value: %v", v, field, err)
			}
		}
		// Token never lets one through either.
		if tok := Token(v); personalNumber.MatchString(tok) || !acceptsDetail("holder", tok) {
			t.Errorf("Token(%q) = %q", v, tok)
		}
	}
}

// TestKnownShapesAreAccepted: the ids, codes, times, counts and versions that sep and its
// callers journal pass.
func TestKnownShapesAreAccepted(t *testing.T) {
	uuid := db.NewID()
	cases := map[string]func(e *Entry){
		"UUID actor":             func(e *Entry) { e.ActorID = uuid },
		"UUID organisation":      func(e *Entry) { e.OrgID = uuid },
		"UUID object":            func(e *Entry) { e.ObjectID = uuid },
		"cli":                    func(e *Entry) { e.ActorKind, e.ActorID = ActorSystem, "cli" },
		"code ids":               func(e *Entry) { e.ActorID, e.OrgID, e.ObjectID = "aud-1", "org-12", "app-org1-by-anna" },
		"key id":                 func(e *Entry) { e.ObjectType, e.ObjectID = "key", "5f3a9c0b12d4e6f7" },
		"migration":              func(e *Entry) { e.ObjectType, e.ObjectID = "migration", "0050" },
		"setting":                func(e *Entry) { e.ObjectType, e.ObjectID = "setting", "SEP_AUDIT_CHECKPOINT_INTERVAL" },
		"short key id":           func(e *Entry) { e.Details["key_id"] = "1a2b3c4d" },
		"fingerprint":            func(e *Entry) { e.Details["fingerprint"] = "0123456789abcdef" },
		"hash":                   func(e *Entry) { e.Details["hash"] = strings.Repeat("ab12", 16) },
		"account in details":     func(e *Entry) { e.Details["account"] = uuid },
		"count":                  func(e *Entry) { e.Details["resealed_count"] = "42" },
		"zero count":             func(e *Entry) { e.Details["resealed_count"] = "0" },
		"large count":            func(e *Entry) { e.Details["entries_count"] = "999999999" },
		"sequence number":        func(e *Entry) { e.Details["from_seq"] = "1234567" },
		"time":                   func(e *Entry) { e.Details["applied_at"] = "2030-01-02T03:04:05Z" },
		"time with fraction":     func(e *Entry) { e.Details["at"] = "2030-01-02T03:04:05.000006Z" },
		"release":                func(e *Entry) { e.Details["version"] = "v1.12.3" },
		"release candidate":      func(e *Entry) { e.Details["version"] = "v2.0.0-rc.1+dirty" },
		"pseudo-version":         func(e *Entry) { e.Details["version"] = "v0.0.0-20250102030405-0123456789ab+dirty" },
		"pseudo after a release": func(e *Entry) { e.Details["version"] = "v1.2.4-0.20250102030405-0123456789ab" },
		"dev build":              func(e *Entry) { e.Details["version"] = "dev" },
		"enumerated values":      func(e *Entry) { e.Details["mode"], e.Details["database"] = "production", "postgres" },
		"duration":               func(e *Entry) { e.Details["value"] = "10m" },
		"migration name":         func(e *Entry) { e.Details["name"] = "invalid_passports" },
		"empty detail":           func(e *Entry) { e.Details["note"] = "" },
	}
	for name, set := range cases {
		e := citizenEntry(1)
		set(&e)
		if err := e.normalise(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestShapesAreStrict: near misses of the accepted shapes are refused.
func TestShapesAreStrict(t *testing.T) {
	cases := map[string]func(e *Entry){
		"upper-case UUID":             func(e *Entry) { e.ActorID = "0190A6E8-0000-7000-8000-000000000001" },
		"hex of an undeclared width":  func(e *Entry) { e.Details["key_id"] = "1a2b3c4d5e6f" },
		"upper-case code":             func(e *Entry) { e.OrgID = "Org-1" },
		"code with a colon":           func(e *Entry) { e.ObjectID = "app:1" },
		"code of digits only":         func(e *Entry) { e.ObjectID = "12-34" },
		"code with 4 digits in a row": func(e *Entry) { e.ObjectID = "app-1234" },
		"code with 6 digits":          func(e *Entry) { e.ObjectID = "a-12-34-56" },
		"number under another name":   func(e *Entry) { e.Details["step"] = "3" },
		"number of 10 digits":         func(e *Entry) { e.Details["entries_count"] = "1000000000" },
		"number with a leading zero":  func(e *Entry) { e.Details["entries_count"] = "042" },
		"negative number":             func(e *Entry) { e.Details["entries_count"] = "-1" },
		"text under a count":          func(e *Entry) { e.Details["entries_count"] = "many" },
		"local time":                  func(e *Entry) { e.Details["at"] = "2030-01-02T03:04:05+03:00" },
		"bare date":                   func(e *Entry) { e.Details["day"] = "2030-01-02" },
		"impossible time":             func(e *Entry) { e.Details["at"] = "2030-13-45T03:04:05Z" },
		"version with a number":       func(e *Entry) { e.Details["version"] = "v1.2.3-79001234567" },
		"migration without zeros":     func(e *Entry) { e.ObjectType, e.ObjectID = "migration", "50" },
		"setting in lower case":       func(e *Entry) { e.ObjectType, e.ObjectID = "setting", "sep_mode" },
		"setting with digits":         func(e *Entry) { e.ObjectType, e.ObjectID = "setting", "SEP_79001234567" },
		"long code":                   func(e *Entry) { e.ObjectID = strings.Repeat("a", 65) },
	}
	for name, set := range cases {
		e := citizenEntry(1)
		set(&e)
		if err := e.normalise(); !errors.Is(err, ErrInvalidEntry) {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestTokenMakesAcceptedCodes(t *testing.T) {
	for in, want := range map[string]string{
		"v1.2.3": "v1.2.3", "dev": "dev", "registry_checks": "registry_checks", "go1.26 (devel)": "go1.26__devel_",
		"Production": "production", "__x": "x_x", "2024": "x202_", "4510123456": "x451_12____",
	} {
		got := Token(in)
		if got != want {
			t.Errorf("Token(%q) = %q, want %q", in, got, want)
		}
		if !acceptsDetail("value", got) {
			t.Errorf("Token(%q) = %q is refused", in, got)
		}
	}
}

// TestExportEntryJournalsTimesNotDates: an export's days are journaled as the times they
// select, which the journal accepts, never as bare dates.
func TestExportEntryJournalsTimesNotDates(t *testing.T) {
	e := Criteria{From: "2030-01-02", To: "2030-01-05", Actor: "anna"}.ExportEntry(CSV)
	e.ActorKind, e.ActorID = ActorAuditor, "aud-1"
	if err := e.normalise(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"format": "csv", "actor": "anna", "from": "2030-01-02T00:00:00Z", "before": "2030-01-06T00:00:00Z"}
	if len(e.Details) != len(want) {
		t.Fatalf("details %v, want %v", e.Details, want)
	}
	for k, v := range want {
		if e.Details[k] != v {
			t.Fatalf("details %v, want %v", e.Details, want)
		}
	}
}
