package ruid

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Passport is the internal passport of a citizen of the Russian Federation as
// a validated, canonical record. The dates are midnight UTC; fields that were
// not given stay zero.
type Passport struct {
	Series       string    // four digits: ОКАТО region code and the year the blank was printed
	Number       string    // six digits
	IssueDate    time.Time // date of issue
	BirthDate    time.Time // the holder's date of birth
	DivisionCode string    // код подразделения, NNN-NNN
}

// String returns series and number as "NNNN NNNNNN".
func (p Passport) String() string {
	return p.Series + " " + p.Number
}

// PassportInput is the passport block of a form as the citizen typed it.
type PassportInput struct {
	Series       string
	Number       string
	IssueDate    string // any form Date accepts
	BirthDate    string // any form Date accepts
	DivisionCode string
}

var (
	seriesCodes   = digitCodes{PassportSeriesEmpty, PassportSeriesCharacters, PassportSeriesLength}
	numberCodes   = digitCodes{PassportNumberEmpty, PassportNumberCharacters, PassportNumberLength}
	passportCodes = digitCodes{PassportEmpty, PassportCharacters, PassportLength}
	divisionCodes = digitCodes{DivisionCodeEmpty, DivisionCodeCharacters, DivisionCodeLength}
)

// dropNumberSign lets "№ 123456" through: the sign is printed before the
// number in the passport and people copy it.
func dropNumberSign(s string) string {
	return strings.ReplaceAll(s, "№", " ")
}

// PassportSeries checks a passport series ("45 08", "4508") and returns its
// four digits. Passports have no check digit; the region part must not be a
// code no region has.
func PassportSeries(s string) (string, error) {
	d, err := readDigitsN(s, 4, seriesCodes)
	if err != nil {
		return "", err.inField(FieldSeries)
	}
	if slices.Contains(rules.Passport.InvalidRegionCodes, d[:2]) {
		return "", fail(PassportSeriesRegion, "region", d[:2]).inField(FieldSeries)
	}
	return d, nil
}

// PassportNumber checks a passport number ("123456", "№ 123456") and returns
// its six digits.
func PassportNumber(s string) (string, error) {
	d, err := readDigitsN(dropNumberSign(s), 6, numberCodes)
	if err != nil {
		return "", err.inField(FieldNumber)
	}
	return d, nil
}

// ParsePassport reads series and number typed in one field ("45 08 123456",
// "4508 №123456", "4508123456").
func ParsePassport(s string) (Passport, error) {
	d, err := readDigitsN(dropNumberSign(s), 10, passportCodes)
	if err != nil {
		return Passport{}, err
	}
	series, serr := PassportSeries(d[:4])
	if serr != nil {
		return Passport{}, serr
	}
	return Passport{Series: series, Number: d[4:]}, nil
}

// CheckPassport checks a whole passport block: series, number, dates and
// division code, each for its own format, and the dates against each other
// and today (the caller's clock, as a calendar date): the passport is issued
// no earlier than the holder's 14th birthday, not in the future, not before
// passports of this model existed, not long before the year its blank was
// printed (the last two digits of the series), and it has not expired by age
// (CheckPassportAge). All five fields are required.
//
// The error is Errors, one *Error per wrong field, so a form can mark each.
func CheckPassport(in PassportInput, today time.Time) (Passport, error) {
	return checkPassport(in, today, true)
}

// checkPassport is CheckPassport; with required false, empty dates and
// division code are skipped along with the rules that need them.
func checkPassport(in PassportInput, today time.Time, required bool) (Passport, error) {
	today = dateOnly(today)
	var p Passport
	var errs Errors
	add := func(err error) bool {
		switch e := err.(type) {
		case nil:
			return true
		case *Error:
			errs = append(errs, e)
		case Errors:
			errs = append(errs, e...)
		}
		return false
	}
	given := func(s string) bool { return required || strings.TrimSpace(s) != "" }

	series, err := PassportSeries(in.Series)
	seriesOK := add(err)
	if seriesOK {
		if y := seriesYear(series); y > today.Year()+rules.Passport.SeriesYearTolerance {
			seriesOK = add(fail(PassportSeriesYearFuture, "print_year", strconv.Itoa(y)).inField(FieldSeries))
		}
	}
	p.Series = series
	p.Number, err = PassportNumber(in.Number)
	add(err)

	birthOK := false
	if given(in.BirthDate) {
		p.BirthDate, err = ParseDate(in.BirthDate)
		if err != nil {
			add(inField(err, FieldBirthDate))
		} else if p.BirthDate.After(today) {
			add(fail(PassportBirthDateFuture).inField(FieldBirthDate))
		} else {
			birthOK = true
		}
	}
	if given(in.IssueDate) {
		p.IssueDate, err = ParseDate(in.IssueDate)
		if err != nil {
			add(inField(err, FieldIssueDate))
		} else {
			add(checkIssueDate(p, today, seriesOK, birthOK))
		}
	}
	if given(in.DivisionCode) {
		p.DivisionCode, err = DivisionCode(in.DivisionCode)
		add(err)
	}
	if len(errs) > 0 {
		return Passport{}, errs
	}
	return p, nil
}

// checkIssueDate applies the rules on the issue date, the first failing one
// winning: the later ones would only repeat it.
func checkIssueDate(p Passport, today time.Time, seriesOK, birthOK bool) error {
	issued := p.IssueDate
	rp := &rules.Passport
	var e *Error
	switch {
	case issued.After(today):
		e = fail(PassportIssueDateFuture)
	case issued.Before(rp.firstIssue):
		e = fail(PassportIssueDateBeforeFirst, "first_date", rp.firstIssue.Format(dateLayout))
	case birthOK && issued.Before(anniversary(p.BirthDate, rp.MinIssueAge)):
		e = fail(PassportIssueDateBefore14, "age", strconv.Itoa(rp.MinIssueAge))
	case seriesOK && issued.Year() < seriesYear(p.Series)-rp.SeriesYearTolerance:
		e = fail(PassportIssueDateBeforeSeries, "print_year", strconv.Itoa(seriesYear(p.Series)),
			"issue_year", strconv.Itoa(issued.Year()))
	case birthOK:
		if err := CheckPassportAge(issued, p.BirthDate, today); err != nil {
			return err
		}
	}
	if e != nil {
		return e.inField(FieldIssueDate)
	}
	return nil
}

// CheckPassportAge reports whether a passport has expired by its holder's
// age: one issued before the 20th birthday must be replaced at 20, one issued
// before the 45th at 45, and a passport past its replacement age (and the
// grace period for replacing it) is invalid. A passport issued at 45 or
// later does not expire by age. The ages and the grace period are in
// rules.json.
func CheckPassportAge(issued, born, today time.Time) error {
	issued, born, today = dateOnly(issued), dateOnly(born), dateOnly(today)
	rp := &rules.Passport
	for _, age := range rp.ReplacementAges {
		due := anniversary(born, age)
		if !issued.Before(due) {
			continue
		}
		if !today.Before(due.AddDate(0, 0, rp.ReplacementGraceDays)) {
			return fail(PassportExpiredByAge, "age", strconv.Itoa(age)).inField(FieldIssueDate)
		}
		return nil
	}
	return nil
}

// seriesYear returns the year the blank of a series was printed, from the
// series' last two digits: 97–99 are the 1990s, the rest this century.
func seriesYear(series string) int {
	yy, _ := strconv.Atoi(series[2:4])
	if yy >= rules.Passport.SeriesYearPivot {
		return 1900 + yy
	}
	return 2000 + yy
}

// DivisionCode checks the code of the issuing division (код подразделения)
// and returns it as NNN-NNN.
func DivisionCode(s string) (string, error) {
	d, err := readDigitsN(s, 6, divisionCodes)
	if err != nil {
		return "", err.inField(FieldDivisionCode)
	}
	return d[:3] + "-" + d[3:], nil
}
