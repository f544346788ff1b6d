package applications

import (
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/services"
)

// prefill is the value a field starts with, from the account's profile and contacts.
func prefill(a *id.Account, src services.Prefill) string {
	p := a.Profile
	date := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("02.01.2006")
	}
	pass := p.Passport
	if pass == nil {
		pass = &id.Passport{}
	}
	addr := p.Address
	if addr == nil {
		addr = &id.Address{}
	}
	switch src {
	case services.PrefillLastName:
		return p.LastName
	case services.PrefillFirstName:
		return p.FirstName
	case services.PrefillMiddleName:
		return p.MiddleName
	case services.PrefillBirthDate:
		return date(p.BirthDate)
	case services.PrefillBirthPlace:
		return p.BirthPlace
	case services.PrefillPassport:
		return pass.Series + pass.Number
	case services.PrefillPassportSeries:
		return pass.Series
	case services.PrefillPassportNumber:
		return pass.Number
	case services.PrefillPassportIssueDate:
		return date(pass.IssueDate)
	case services.PrefillPassportIssuer:
		return pass.Issuer
	case services.PrefillPassportDivisionCode:
		return pass.DivisionCode
	case services.PrefillSNILS:
		return p.SNILS
	case services.PrefillINN:
		return p.INN
	case services.PrefillAddress:
		var parts []string
		for _, s := range []string{addr.Postcode, addr.Region, addr.District, addr.City, addr.Street, addr.House, addr.Flat} {
			if s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ", ")
	case services.PrefillRegion:
		return addr.Region
	case services.PrefillDistrict:
		return addr.District
	case services.PrefillCity:
		return addr.City
	case services.PrefillStreet:
		return addr.Street
	case services.PrefillHouse:
		return addr.House
	case services.PrefillFlat:
		return addr.Flat
	case services.PrefillPostcode:
		return addr.Postcode
	case services.PrefillPhone:
		return a.Phone
	case services.PrefillEmail:
		return a.Email
	}
	return ""
}

// Prefilled returns the form's first values for the account: each field's prefill source.
func Prefilled(svc *services.Service, a *id.Account) map[string]string {
	out := map[string]string{}
	for _, f := range svc.Fields {
		if f.Prefill != "" {
			if v := prefill(a, f.Prefill); v != "" {
				out[f.Name] = v
			}
		}
	}
	return out
}
