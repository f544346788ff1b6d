package ruid

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"time"
)

// rules.json holds the rules that come from secondary sources or practice
// rather than a primary standard, so that correcting one is a data change.
// Each section's "note" says where its values come from.
//
//go:embed rules.json
var rulesJSON []byte

// note is the provenance text every section of rules.json carries.
type note struct {
	Note string `json:"note"`
}

type ruleSet struct {
	SNILS struct {
		note
		NoChecksumUpTo int `json:"no_checksum_up_to"`
	} `json:"snils"`
	INN struct {
		note
		ForbiddenPrefixes []string `json:"forbidden_prefixes"`
	} `json:"inn"`
	OGRN struct {
		note
		OGRNFirstDigits   string `json:"ogrn_first_digits"`
		OGRNIPFirstDigits string `json:"ogrnip_first_digits"`
	} `json:"ogrn"`
	Passport struct {
		note
		FirstIssueDate       string   `json:"first_issue_date"`
		MinIssueAge          int      `json:"min_issue_age"`
		ReplacementAges      []int    `json:"replacement_ages"`
		ReplacementGraceDays int      `json:"replacement_grace_days"`
		SeriesYearPivot      int      `json:"series_year_pivot"`
		SeriesYearTolerance  int      `json:"series_year_tolerance"`
		InvalidRegionCodes   []string `json:"invalid_region_codes"`

		firstIssue time.Time
	} `json:"passport"`
	Phone struct {
		note
		RussianFirstDigits    string   `json:"russian_first_digits"`
		KazakhstanFirstDigits string   `json:"kazakhstan_first_digits"`
		MobileFirstDigits     string   `json:"mobile_first_digits"`
		UnassignedPrefixes    []string `json:"unassigned_prefixes"`
	} `json:"phone"`
	Name struct {
		note
		MaxLength int `json:"max_length"`
	} `json:"name"`
	Date struct {
		note
		MinYear int `json:"min_year"`
		MaxYear int `json:"max_year"`
	} `json:"date"`
	UIN struct {
		note
		Letters string `json:"letters"`
	} `json:"uin"`
	Address struct {
		note
		PostcodeFirstDigits string `json:"postcode_first_digits"`
	} `json:"address"`
	Account struct {
		note
		TreasuryPrefixes        []string `json:"treasury_prefixes"`
		BankOfRussiaPrefixes    []string `json:"bank_of_russia_prefixes"`
		BankOfRussiaBIKSuffixes []string `json:"bank_of_russia_bik_suffixes"`
	} `json:"account"`
}

var rules = mustLoadRules(rulesJSON)

// mustLoadRules parses the embedded rules. It panics only if the file
// compiled into the package is broken, which every test run would show.
func mustLoadRules(data []byte) *ruleSet {
	var r ruleSet
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		panic(fmt.Sprintf("ruid: rules.json: %v", err))
	}
	d, err := time.Parse(dateLayout, r.Passport.FirstIssueDate)
	if err != nil {
		panic(fmt.Sprintf("ruid: rules.json: passport.first_issue_date: %v", err))
	}
	r.Passport.firstIssue = d
	return &r
}
