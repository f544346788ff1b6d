package ruid

import (
	"errors"
	"strings"
	"testing"
)

// good is an address every case below changes one part of.
var goodAddress = AddressInput{Region: "Московская область", District: "Одинцовский район", City: "город Одинцово",
	Street: "улица Маршала Жукова", House: "12А", Flat: "45", Postcode: "143000"}

func TestCheckAddress(t *testing.T) {
	with := func(f func(*AddressInput)) AddressInput { in := goodAddress; f(&in); return in }
	for _, c := range []struct {
		name  string
		in    AddressInput
		want  Address // when no error
		field string
		code  Code
		args  map[string]string
	}{
		{name: "good", in: goodAddress, want: Address{Region: "Московская область", District: "Одинцовский район",
			City: "город Одинцово", Street: "улица Маршала Жукова", House: "12А", Flat: "45", Postcode: "143000"}},
		{name: "region by its common name, in any case", in: with(func(a *AddressInput) { a.Region = "  татарстан " }),
			want: Address{Region: "Республика Татарстан"}},
		{name: "region with ё read as е and a hyphen for the dash", in: with(func(a *AddressInput) { a.Region = "Кемеровская область - Кузбасс" }),
			want: Address{Region: "Кемеровская область — Кузбасс"}},
		{name: "a federal city", in: with(func(a *AddressInput) { a.Region = "город Москва"; a.District = "" }),
			want: Address{Region: "Москва"}},
		{name: "no district, no flat", in: with(func(a *AddressInput) { a.District = ""; a.Flat = " " }), want: Address{}},
		{name: "a corner house with a building", in: with(func(a *AddressInput) { a.House = "дом 12/3 корпус 2" }),
			want: Address{House: "12/3 корпус 2"}},
		{name: "a house letter typed in Latin", in: with(func(a *AddressInput) { a.House = "12a" }), want: Address{House: "12А"}},
		{name: "a flat written with its word", in: with(func(a *AddressInput) { a.Flat = "квартира 7б" }), want: Address{Flat: "7Б"}},
		{name: "postcode with a space", in: with(func(a *AddressInput) { a.Postcode = "143 000" }), want: Address{Postcode: "143000"}},
		{name: "a trailing full stop", in: with(func(a *AddressInput) { a.Street = "улица Маршала Жукова." }),
			want: Address{Street: "улица Маршала Жукова"}},

		{name: "no region", in: with(func(a *AddressInput) { a.Region = "" }), field: FieldRegion, code: AddressRegionEmpty},
		{name: "not a region", in: with(func(a *AddressInput) { a.Region = "Подмосковье" }), field: FieldRegion, code: AddressRegionUnknown},
		{name: "region abbreviated", in: with(func(a *AddressInput) { a.Region = "Московская обл." }), field: FieldRegion,
			code: AddressAbbreviation, args: map[string]string{"short": "обл.", "full": "область"}},
		{name: "city abbreviated", in: with(func(a *AddressInput) { a.City = "г. Одинцово" }), field: FieldCity,
			code: AddressAbbreviation, args: map[string]string{"short": "г.", "full": "город"}},
		{name: "city abbreviated without a space", in: with(func(a *AddressInput) { a.City = "г.Одинцово" }), field: FieldCity,
			code: AddressAbbreviation, args: map[string]string{"full": "город"}},
		{name: "street abbreviated", in: with(func(a *AddressInput) { a.Street = "ул. Маршала Жукова" }), field: FieldStreet,
			code: AddressAbbreviation, args: map[string]string{"short": "ул.", "full": "улица"}},
		{name: "street abbreviated without a dot", in: with(func(a *AddressInput) { a.Street = "Ленинский пр-т" }), field: FieldStreet,
			code: AddressAbbreviation, args: map[string]string{"short": "пр-т", "full": "проспект"}},
		{name: "district abbreviated", in: with(func(a *AddressInput) { a.District = "Одинцовский р-н" }), field: FieldDistrict,
			code: AddressAbbreviation, args: map[string]string{"full": "район"}},
		{name: "an initial in a street name", in: with(func(a *AddressInput) { a.Street = "улица Б. Хмельницкого" }), field: FieldStreet,
			code: AddressAbbreviationDot},
		{name: "house abbreviated", in: with(func(a *AddressInput) { a.House = "д. 12" }), field: FieldHouse,
			code: AddressAbbreviation, args: map[string]string{"short": "д.", "full": "дом"}},
		{name: "building abbreviated", in: with(func(a *AddressInput) { a.House = "12 корп. 1" }), field: FieldHouse,
			code: AddressAbbreviation, args: map[string]string{"full": "корпус"}},
		{name: "flat abbreviated", in: with(func(a *AddressInput) { a.Flat = "кв. 45" }), field: FieldFlat,
			code: AddressAbbreviation, args: map[string]string{"short": "кв.", "full": "квартира"}},
		{name: "no city", in: with(func(a *AddressInput) { a.City = "  " }), field: FieldCity, code: AddressCityEmpty},
		{name: "no street", in: with(func(a *AddressInput) { a.Street = "" }), field: FieldStreet, code: AddressStreetEmpty},
		{name: "no house", in: with(func(a *AddressInput) { a.House = "" }), field: FieldHouse, code: AddressHouseEmpty},
		{name: "a house without a number", in: with(func(a *AddressInput) { a.House = "угловой" }), field: FieldHouse, code: AddressHouseFormat},
		{name: "a house with two letters", in: with(func(a *AddressInput) { a.House = "12АБ" }), field: FieldHouse, code: AddressHouseFormat},
		{name: "a flat of words", in: with(func(a *AddressInput) { a.Flat = "последняя" }), field: FieldFlat, code: AddressFlatFormat},
		{name: "a street in Latin", in: with(func(a *AddressInput) { a.Street = "Tverskaya" }), field: FieldStreet, code: AddressLatin},
		{name: "a street of digits only", in: with(func(a *AddressInput) { a.Street = "12" }), field: FieldStreet, code: AddressNoLetters},
		{name: "a strange character", in: with(func(a *AddressInput) { a.City = "Одинцово;" }), field: FieldCity,
			code: AddressCharacters, args: map[string]string{"char": ";"}},
		{name: "too long", in: with(func(a *AddressInput) { a.Street = strings.Repeat("улица ", 25) }), field: FieldStreet,
			code: AddressLength, args: map[string]string{"max": "120"}},
		{name: "no postcode", in: with(func(a *AddressInput) { a.Postcode = "" }), field: FieldPostcode, code: AddressPostcodeEmpty},
		{name: "short postcode", in: with(func(a *AddressInput) { a.Postcode = "14300" }), field: FieldPostcode,
			code: AddressPostcodeLength, args: map[string]string{"got": "5"}},
		{name: "postcode with a letter", in: with(func(a *AddressInput) { a.Postcode = "14З000" }), field: FieldPostcode,
			code: AddressPostcodeCharacters},
		{name: "not a Russian postcode", in: with(func(a *AddressInput) { a.Postcode = "050000" }), field: FieldPostcode,
			code: AddressPostcodeFirstDigit},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := CheckAddress(c.in)
			if c.code == "" {
				if err != nil {
					t.Fatalf("CheckAddress: %v", err)
				}
				want := Address{Region: "Московская область", District: "Одинцовский район", City: "город Одинцово",
					Street: "улица Маршала Жукова", House: "12А", Flat: "45", Postcode: "143000"}
				if c.in.District == "" {
					want.District = ""
				}
				if strings.TrimSpace(c.in.Flat) == "" {
					want.Flat = ""
				}
				for _, f := range []struct {
					w *string
					v string
				}{{&want.Region, c.want.Region}, {&want.City, c.want.City},
					{&want.Street, c.want.Street}, {&want.House, c.want.House}, {&want.Flat, c.want.Flat},
					{&want.Postcode, c.want.Postcode}} {
					if f.v != "" {
						*f.w = f.v
					}
				}
				if got != want {
					t.Fatalf("CheckAddress = %+v, want %+v", got, want)
				}
				return
			}
			var es Errors
			if !errors.As(err, &es) || len(es) != 1 {
				t.Fatalf("CheckAddress: %v, want one error", err)
			}
			e := es[0]
			if e.Code != c.code || e.Field != c.field {
				t.Fatalf("got %s in %q, want %s in %q (%s)", e.Code, e.Field, c.code, c.field, e.Message("ru"))
			}
			for k, v := range c.args {
				if e.Args[k] != v {
					t.Errorf("arg %s = %q, want %q", k, e.Args[k], v)
				}
			}
			for _, lang := range []string{"ru", "en"} {
				if m := e.Message(lang); m == "" || strings.Contains(m, "{") {
					t.Errorf("%s message %q", lang, m)
				}
			}
		})
	}
}

// Every part wrong at once: one error per part, so that a form marks each.
func TestCheckAddressEveryPart(t *testing.T) {
	_, err := CheckAddress(AddressInput{Region: "обл.", District: "р-н", City: "", Street: "ул.", House: "д.", Flat: "кв.", Postcode: "1"})
	var es Errors
	if !errors.As(err, &es) || len(es) != 7 {
		t.Fatalf("got %v, want seven errors", err)
	}
	if got := es[0].Message("ru"); got != "Адрес пишется без сокращений: напишите «область», а не «обл.»." {
		t.Errorf("message %q", got)
	}
}

func TestRegions(t *testing.T) {
	rs := Regions()
	if len(rs) != 89 {
		t.Fatalf("%d regions, want the 89 subjects of Article 65", len(rs))
	}
	for _, r := range rs {
		if got, err := Region(r); err != nil || got != r {
			t.Errorf("Region(%q) = %q, %v", r, got, err)
		}
	}
}

func FuzzCheckAddress(f *testing.F) {
	f.Add("Москва", "", "Москва", "улица Тверская", "1", "2", "125009")
	f.Add("обл.", "р-н", "г.", "ул. А. Б.", "д. 1/2 корп. 3", "кв. 4", "000")
	f.Fuzz(func(t *testing.T, region, district, city, street, house, flat, postcode string) {
		a, err := CheckAddress(AddressInput{region, district, city, street, house, flat, postcode})
		if err != nil {
			return
		}
		// A valid address stays valid and the same when checked again.
		b, err := CheckAddress(AddressInput(a))
		if err != nil || a != b {
			t.Fatalf("%+v checked again: %+v, %v", a, b, err)
		}
	})
}
