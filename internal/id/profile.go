package id

import (
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/ruid"
)

// ProfileForm is the profile as a person types it: every value a string, in any spelling ruid
// reads. An empty section is not given yet (the profile page lists it as missing for the next
// level); a section begun must be complete and right.
type ProfileForm struct {
	LastName, FirstName, MiddleName string
	BirthDate, BirthPlace           string
	PassportSeries, PassportNumber  string
	PassportIssueDate               string
	PassportIssuer                  string
	PassportDivisionCode            string
	SNILS, INN                      string
	Region, District, City, Street  string
	House, Flat, Postcode           string
}

// The form's fields, in the order of the form: the ids of its inputs, the keys of
// FieldErrors and of the API's "fields".
var profileFields = []string{"last_name", "first_name", "middle_name", "birth_date", "birth_place",
	"passport_series", "passport_number", "passport_issue_date", "passport_issuer", "passport_division_code",
	"snils", "inn", "region", "district", "city", "street", "house", "flat", "postcode"}

// maxFreeText bounds the birth place and the passport's issuer, in characters.
const maxFreeText = 200

// FormOf is the form showing a stored profile.
func FormOf(p Profile) ProfileForm {
	f := ProfileForm{LastName: p.LastName, FirstName: p.FirstName, MiddleName: p.MiddleName, BirthDate: formDate(p.BirthDate),
		BirthPlace: p.BirthPlace, SNILS: p.SNILS, INN: p.INN}
	if pp := p.Passport; pp != nil {
		f.PassportSeries, f.PassportNumber, f.PassportIssueDate = pp.Series, pp.Number, formDate(pp.IssueDate)
		f.PassportIssuer, f.PassportDivisionCode = pp.Issuer, pp.DivisionCode
	}
	if a := p.Address; a != nil {
		f.Region, f.District, f.City, f.Street, f.House, f.Flat, f.Postcode = a.Region, a.District, a.City, a.Street,
			a.House, a.Flat, a.Postcode
	}
	return f
}

func formDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("02.01.2006")
}

func given(vs ...string) bool {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return true
		}
	}
	return false
}

// Check validates the form as of today and returns the profile it gives, or FieldErrors with
// one message per wrong field (ruid's precise one where ruid checked it).
func (f ProfileForm) Check(today time.Time) (Profile, error) {
	bad := FieldErrors{}
	var p Profile
	name := func(field, v string, to *string) {
		if !given(v) {
			return
		}
		n, err := ruid.NamePart(v)
		if err != nil {
			bad[field] = err
			return
		}
		*to = n
	}
	name("last_name", f.LastName, &p.LastName)
	name("first_name", f.FirstName, &p.FirstName)
	name("middle_name", f.MiddleName, &p.MiddleName)
	if given(f.MiddleName) && !given(f.LastName, f.FirstName) {
		bad["last_name"] = errs.E(errs.Invalid, "id.profile.name_needed", nil)
	}
	if given(f.BirthDate) {
		d, err := ruid.ParseDate(f.BirthDate)
		switch {
		case err != nil:
			bad["birth_date"] = err
		case d.After(today):
			bad["birth_date"] = errs.E(errs.Invalid, "id.profile.birth_date_future", nil)
		default:
			p.BirthDate = d
		}
	}
	if given(f.BirthPlace) {
		if v, err := freeText(f.BirthPlace, "id.profile.birth_place_invalid"); err != nil {
			bad["birth_place"] = err
		} else {
			p.BirthPlace = v
		}
	}
	if given(f.PassportSeries, f.PassportNumber, f.PassportIssueDate, f.PassportIssuer, f.PassportDivisionCode) {
		pp, err := ruid.CheckPassport(ruid.PassportInput{Series: f.PassportSeries, Number: f.PassportNumber,
			IssueDate: f.PassportIssueDate, BirthDate: f.BirthDate, DivisionCode: f.PassportDivisionCode}, today)
		var es ruid.Errors
		if errors.As(err, &es) {
			for _, e := range es {
				field := "passport_" + e.Field
				if e.Field == ruid.FieldBirthDate {
					field = "birth_date"
				}
				if _, taken := bad[field]; !taken {
					bad[field] = e
				}
			}
		}
		issuer, ierr := freeText(f.PassportIssuer, "id.profile.issuer_invalid")
		if !given(f.PassportIssuer) {
			ierr = errs.E(errs.Invalid, "id.profile.issuer_empty", nil)
		}
		if ierr != nil {
			bad["passport_issuer"] = ierr
		}
		if err == nil && ierr == nil {
			p.Passport = &Passport{Series: pp.Series, Number: pp.Number, IssueDate: pp.IssueDate, Issuer: issuer,
				DivisionCode: pp.DivisionCode}
		}
	}
	if given(f.SNILS) {
		if v, err := ruid.SNILS(f.SNILS); err != nil {
			bad["snils"] = err
		} else {
			p.SNILS = v
		}
	}
	if given(f.INN) {
		if v, err := ruid.INNPerson(f.INN); err != nil {
			bad["inn"] = err
		} else {
			p.INN = v
		}
	}
	if given(f.Region, f.District, f.City, f.Street, f.House, f.Flat, f.Postcode) {
		a, err := ruid.CheckAddress(ruid.AddressInput{Region: f.Region, District: f.District, City: f.City,
			Street: f.Street, House: f.House, Flat: f.Flat, Postcode: f.Postcode})
		var es ruid.Errors
		if errors.As(err, &es) {
			for _, e := range es {
				bad[e.Field] = e
			}
		} else {
			p.Address = &Address{Region: a.Region, District: a.District, City: a.City, Street: a.Street, House: a.House,
				Flat: a.Flat, Postcode: a.Postcode}
		}
	}
	if len(bad) > 0 {
		return Profile{}, errs.E(errs.Invalid, "id.form_invalid", bad)
	}
	return p, nil
}

// freeText checks a place or an authority as written in the passport: Russian letters,
// digits and punctuation, at most maxFreeText characters, spaces collapsed.
func freeText(s, msg string) (string, error) {
	v := strings.Join(strings.Fields(s), " ")
	letters := false
	for _, r := range v {
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			letters = true
		case unicode.IsDigit(r), unicode.IsSpace(r), strings.ContainsRune(".,-—–()«»\"'№/", r):
		default:
			return "", errs.E(errs.Invalid, msg, nil)
		}
	}
	if !letters || utf8.RuneCountInString(v) > maxFreeText {
		return "", errs.E(errs.Invalid, msg, nil)
	}
	return v, nil
}
