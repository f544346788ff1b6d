package ruid

import "time"

// Address cases for TestKinds: "address" checks a whole address whose street is the value and
// whose other parts are goodAddress's unless params give them; the first error is the case's.
func init() {
	extraChecks["address"] = func(v string, p Params, _ time.Time) (string, error) {
		in := goodAddress
		in.Street = v
		for _, f := range []struct {
			key string
			to  *string
		}{{"region", &in.Region}, {"district", &in.District}, {"city", &in.City}, {"house", &in.House},
			{"flat", &in.Flat}, {"postcode", &in.Postcode}} {
			if x := param(p, f.key); x != "" {
				*f.to = x
			}
		}
		if x := param(p, "flat"); x == "-" {
			in.Flat = ""
		}
		a, err := CheckAddress(in)
		if es, ok := err.(Errors); ok {
			return "", es[0]
		}
		return a.Street, nil
	}
	extraChecks["postcode"] = ignoring(Postcode)
	extraChecks["region"] = ignoring(Region)
	extraChecks["house"] = ignoring(House)
	extraChecks["flat"] = ignoring(Flat)
}

var addressCases = []kindCase{
	{kind: "address", value: "улица Маршала Жукова", want: "улица Маршала Жукова"},
	{kind: "address", value: "Ленинский проспект", params: params{"flat": "-"}, want: "Ленинский проспект"},
	{kind: "address", value: "ул. Ленина", code: AddressAbbreviation, field: FieldStreet,
		args: map[string]string{"short": "ул.", "full": "улица"}},
	{kind: "address", value: "Ленинский пр-т", code: AddressAbbreviation, field: FieldStreet,
		args: map[string]string{"short": "пр-т", "full": "проспект"}},
	{kind: "address", value: "улица Б. Хмельницкого", code: AddressAbbreviationDot, field: FieldStreet},
	{kind: "address", value: "Tverskaya", code: AddressLatin, field: FieldStreet},
	{kind: "address", value: "улица Ленина;", code: AddressCharacters, field: FieldStreet, args: map[string]string{"char": ";"}},
	{kind: "address", value: "1905", code: AddressNoLetters, field: FieldStreet},
	{kind: "address", value: "", code: AddressStreetEmpty, field: FieldStreet},
	{kind: "address", value: "улица Ленина", params: params{"city": " "},
		code: AddressCityEmpty, field: FieldCity},
	{kind: "address", value: "улица Ленина", params: params{"city": "г. Казань"}, code: AddressAbbreviation, field: FieldCity,
		args: map[string]string{"short": "г.", "full": "город"}},
	{kind: "address", value: "улица Ленина", params: params{"region": "Татарстан", "district": "Лаишевский р-н"},
		code: AddressAbbreviation, field: FieldDistrict, args: map[string]string{"full": "район"}},
	{kind: "address", value: "улица Ленина", params: params{"house": "д. 5"}, code: AddressAbbreviation, field: FieldHouse,
		args: map[string]string{"short": "д.", "full": "дом"}},
	{kind: "address", value: "улица Ленина", params: params{"flat": "кв. 5"}, code: AddressAbbreviation, field: FieldFlat,
		args: map[string]string{"short": "кв.", "full": "квартира"}},
	{kind: "address", value: "улица Ленина", params: params{"postcode": "12345"}, code: AddressPostcodeLength,
		field: FieldPostcode, args: map[string]string{"got": "5"}},

	{kind: "region", value: "татарстан", want: "Республика Татарстан"},
	{kind: "region", value: "Республика Саха (Якутия)", want: "Республика Саха (Якутия)"},
	{kind: "region", value: "Северная Осетия - Алания", want: "Республика Северная Осетия — Алания"},
	{kind: "region", value: "город Санкт-Петербург", want: "Санкт-Петербург"},
	{kind: "region", value: "Орловская обл", code: AddressAbbreviation, args: map[string]string{"short": "обл", "full": "область"}},
	{kind: "region", value: "респ. Коми", code: AddressAbbreviation, args: map[string]string{"full": "республика"}},
	{kind: "region", value: "", code: AddressRegionEmpty},
	{kind: "region", value: "Центральная область", code: AddressRegionUnknown},

	{kind: "house", value: "12", want: "12"},
	{kind: "house", value: "дом 12а", want: "12А"},
	{kind: "house", value: "12/3", want: "12/3"},
	{kind: "house", value: "12 корпус 1 строение 2", want: "12 корпус 1 строение 2"},
	{kind: "house", value: "12, литера Б", want: "12 литера Б"},
	{kind: "house", value: "12 к. 1", code: AddressAbbreviation, args: map[string]string{"short": "к.", "full": "корпус"}},
	{kind: "house", value: "12 стр. 1", code: AddressAbbreviation, args: map[string]string{"full": "строение"}},
	{kind: "house", value: "", code: AddressHouseEmpty},
	{kind: "house", value: "двенадцать", code: AddressHouseFormat},
	{kind: "house", value: "12 корпус", code: AddressHouseFormat},
	{kind: "house", value: "123456", code: AddressHouseFormat},

	{kind: "flat", value: "45", want: "45"},
	{kind: "flat", value: "квартира 45б", want: "45Б"},
	{kind: "flat", value: "", want: ""},
	{kind: "flat", value: "45 46", code: AddressFlatFormat},
	{kind: "flat", value: "кв.45", code: AddressAbbreviation, args: map[string]string{"full": "квартира"}},

	{kind: "postcode", value: "125009", want: "125009"},
	{kind: "postcode", value: "125 009", want: "125009"},
	{kind: "postcode", value: "", code: AddressPostcodeEmpty},
	{kind: "postcode", value: "12500", code: AddressPostcodeLength, args: map[string]string{"got": "5"}},
	{kind: "postcode", value: "12500Б", code: AddressPostcodeCharacters, args: map[string]string{"char": "Б"}},
	{kind: "postcode", value: "050000", code: AddressPostcodeFirstDigit},
	{kind: "postcode", value: "950000", code: AddressPostcodeFirstDigit},
}

// addressLengthCase reaches the length limit.
var addressLengthCase = func() kindCase {
	s := ""
	for len([]rune(s)) <= maxAddressPart {
		s += "улица "
	}
	return kindCase{kind: "address", value: s, code: AddressLength, field: FieldStreet, args: map[string]string{"max": "120"}}
}()
