package ruid

import (
	"strings"
	"time"
)

// Table cases for a person's data. testToday is 15.06.2025.

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

var passportCases = []kindCase{
	{kind: "passport", value: "45 08 123456", want: "4508 123456"},
	{kind: "passport", value: "4508 №123456", want: "4508 123456"},
	{kind: "passport", value: "4508123456", want: "4508 123456"},
	// The ЕСИА test person's passport.
	{kind: "passport", value: "5303 925695", params: params{"issue_date": "01.01.2006", "division_code": "006006"},
		want: "5303 925695"},
	{kind: "passport", value: "", code: PassportEmpty},
	{kind: "passport", value: "45 08 12345", code: PassportLength, args: map[string]string{"got": "9"}},
	{kind: "passport", value: "45O8 123456", code: PassportCharacters, args: map[string]string{"char": "O"}},
	{kind: "passport", value: "0008 123456", code: PassportSeriesRegion, field: FieldSeries,
		args: map[string]string{"region": "00"}},
	{kind: "passport_series", value: "45 08", want: "4508"},
	{kind: "passport_series", value: "", code: PassportSeriesEmpty, field: FieldSeries},
	{kind: "passport_series", value: "45 0", code: PassportSeriesLength, field: FieldSeries},
	{kind: "passport_series", value: "45О8", code: PassportSeriesCharacters, field: FieldSeries}, // Cyrillic О
	{kind: "passport_number", value: "№ 123456", want: "123456"},
	{kind: "passport_number", value: "", code: PassportNumberEmpty, field: FieldNumber},
	{kind: "passport_number", value: "12345", code: PassportNumberLength, field: FieldNumber},
	{kind: "passport_number", value: "12З456", code: PassportNumberCharacters, field: FieldNumber}, // Cyrillic З

	// The blank's year from the series: 2028 is within the tolerance of
	// three years, 2030 is not.
	{kind: "passport", value: "4528 123456", params: params{"issue_date": "01.06.2025"}, want: "4528 123456"},
	{kind: "passport", value: "4530 123456", code: PassportSeriesYearFuture, field: FieldSeries,
		params: params{"issue_date": "01.06.2025"}, args: map[string]string{"print_year": "2030"}},
	{kind: "passport", value: "4510 123456", params: params{"issue_date": "01.06.2007"}, want: "4510 123456"},
	{kind: "passport", value: "4510 123456", params: params{"issue_date": "31.12.2006"},
		code: PassportIssueDateBeforeSeries, field: FieldIssueDate,
		args: map[string]string{"print_year": "2010", "issue_year": "2006"}},
	{kind: "passport", value: "4597 123456", params: params{"issue_date": "01.10.1997"}, want: "4597 123456"},
	{kind: "passport", value: "4597 123456", params: params{"issue_date": "30.09.1997"},
		code: PassportIssueDateBeforeFirst, field: FieldIssueDate},
	{kind: "passport", value: "4525 123456", params: params{"issue_date": "16.06.2025"},
		code: PassportIssueDateFuture, field: FieldIssueDate},
	{kind: "passport", value: "4525 123456", params: params{"issue_date": "15.06.2025"}, want: "4525 123456"},
	{kind: "passport", value: "4525 123456", params: params{"issue_date": "31.06.2025"}, code: DateDay,
		field: FieldIssueDate},
	{kind: "passport", value: "4525 123456", params: params{"birth_date": "16.06.2025"},
		code: PassportBirthDateFuture, field: FieldBirthDate},
	{kind: "passport", value: "4525 123456", params: params{"birth_date": "1.1.90"}, code: DateYearShort,
		field: FieldBirthDate},
	// Issued on the 14th birthday, and a day before it.
	{kind: "passport", value: "4514 123456", params: params{"issue_date": "10.05.2014", "birth_date": "10.05.2000"},
		today: day(2015, time.January, 1), want: "4514 123456"},
	{kind: "passport", value: "4514 123456", params: params{"issue_date": "09.05.2014", "birth_date": "10.05.2000"},
		today: day(2015, time.January, 1), code: PassportIssueDateBefore14, field: FieldIssueDate},
	// Born on 29 February: 14 on 28 February of a common year (ГК РФ art. 192).
	{kind: "passport", value: "4522 123456", params: params{"issue_date": "28.02.2022", "birth_date": "29.02.2008"},
		want: "4522 123456"},
	{kind: "passport", value: "4522 123456", params: params{"issue_date": "27.02.2022", "birth_date": "29.02.2008"},
		code: PassportIssueDateBefore14, field: FieldIssueDate},
	// Issued at 14, the 20th birthday on 15.06.2020, 90 days of grace.
	{kind: "passport", value: "4514 123456", params: params{"issue_date": "20.06.2014", "birth_date": "15.06.2000"},
		today: day(2020, time.September, 12), want: "4514 123456"},
	{kind: "passport", value: "4514 123456", params: params{"issue_date": "20.06.2014", "birth_date": "15.06.2000"},
		today: day(2020, time.September, 13), code: PassportExpiredByAge, field: FieldIssueDate,
		args: map[string]string{"age": "20"}},
	// Replaced at 20, valid until 45 (+ grace); issued at 45, valid for good.
	{kind: "passport", value: "4520 123456", params: params{"issue_date": "01.07.2020", "birth_date": "15.06.2000"},
		want: "4520 123456"},
	{kind: "passport", value: "4503 123456", params: params{"issue_date": "01.07.2003", "birth_date": "15.06.1960"},
		code: PassportExpiredByAge, args: map[string]string{"age": "45"}},
	{kind: "passport", value: "4505 123456", params: params{"issue_date": "01.07.2005", "birth_date": "15.06.1960"},
		want: "4505 123456"},
	{kind: "passport", value: "4508 123456", params: params{"division_code": "77O-001"},
		code: DivisionCodeCharacters, field: FieldDivisionCode},
}

var divisionCases = []kindCase{
	{kind: "division_code", value: "770-001", want: "770-001"},
	{kind: "division_code", value: "770001", want: "770-001"},
	{kind: "division_code", value: " 770 001 ", want: "770-001"},
	{kind: "division_code", value: "770–001", want: "770-001"}, // en dash
	{kind: "division_code", value: "", code: DivisionCodeEmpty},
	{kind: "division_code", value: "770-0O1", code: DivisionCodeCharacters, args: map[string]string{"char": "O"}},
	{kind: "division_code", value: "770-01", code: DivisionCodeLength, args: map[string]string{"got": "5"}},
}

var phoneCases = []kindCase{
	{kind: "phone", value: "8 (912) 345-67-89", want: "+79123456789"},
	{kind: "phone", value: "+7 912 345 67 89", want: "+79123456789"},
	{kind: "phone", value: "+7(912)345-67-89", want: "+79123456789"},
	{kind: "phone", value: "7 912 3456789", want: "+79123456789"},
	{kind: "phone", value: "9123456789", want: "+79123456789"},
	{kind: "phone", value: "８ ９１２ ３４５ ６７ ８９", want: "+79123456789"},
	{kind: "phone", value: "＋7 912 345 67 89", want: "+79123456789"}, // full-width plus
	{kind: "phone", value: "\ufeff+7 912 345 67 89", want: "+79123456789"},
	{kind: "phone", value: "+7 812 123-45-67", want: "+78121234567"}, // Saint Petersburg
	{kind: "phone", value: "8 800 555-35-35", want: "+78005553535"},
	{kind: "phone", value: "", code: PhoneEmpty},
	{kind: "phone", value: "+7 912 345 67 89 доб. 12", code: PhoneCharacters, args: map[string]string{"char": "д"}},
	{kind: "phone", value: "7 + 912 345 67 89", code: PhoneCharacters, args: map[string]string{"char": "+"}},
	{kind: "phone", value: "912 345 67 8", code: PhoneLength, args: map[string]string{"got": "9"}},
	{kind: "phone", value: "+7 912 345 67 8", code: PhoneLength, args: map[string]string{"got": "10"}},
	{kind: "phone", value: "8 (912) 345-67-890", code: PhoneLength, args: map[string]string{"got": "12"}},
	{kind: "phone", value: "+8 912 345 67 89", code: PhonePlusEight},
	{kind: "phone", value: "+375 29 123 45 67", code: PhoneForeign},
	{kind: "phone", value: "+7 701 123 45 67", code: PhoneKazakhstan},
	{kind: "phone", value: "8 701 123 45 67", code: PhoneKazakhstan},
	{kind: "phone", value: "+7 512 123 45 67", code: PhoneCode, args: map[string]string{"code": "512"}},
	// A mobile number after 8 with a digit missing reads as +7 891…
	{kind: "phone", value: "8 912 345 67 8", code: PhoneCode, args: map[string]string{"code": "891"}},
	{kind: "phone", value: "+7 912 345 67 89", params: params{"mobile": "1"}, want: "+79123456789"},
	{kind: "phone", value: "+7 812 123-45-67", params: params{"mobile": "true"}, code: PhoneNotMobile},
}

var emailCases = []kindCase{
	{kind: "email", value: "Ivanov@Example.RU", want: "Ivanov@example.ru"},
	{kind: "email", value: "  ivanov@example.ru ", want: "ivanov@example.ru"},
	{kind: "email", value: "mailto:ivanov@example.ru", want: "ivanov@example.ru"},
	{kind: "email", value: "ivanov@example.ru.", want: "ivanov@example.ru"},
	{kind: "email", value: "i.o.ivanov+sep@mail.example.ru", want: "i.o.ivanov+sep@mail.example.ru"},
	{kind: "email", value: "иван@почта.рф", want: "иван@почта.рф"},
	{kind: "email", value: "Иван@ПОЧТА.РФ", want: "Иван@почта.рф"},
	{kind: "email", value: "ivan@xn--80a1acny.xn--p1ai", want: "ivan@почта.рф"},
	{kind: "email", value: "ivan@XN--80A1ACNY.XN--P1AI", want: "ivan@почта.рф"},
	{kind: "email", value: "ivan@почта。рф", want: "ivan@почта.рф"}, // ideographic full stop
	// Other scripts stay in their ASCII form.
	{kind: "email", value: "user@中国.cn", want: "user@xn--fiqs8s.cn"},
	{kind: "email", value: "user@xn--fiqs8s.cn", want: "user@xn--fiqs8s.cn"},
	{kind: "email", value: "", code: EmailEmpty},
	{kind: "email", value: "mailto:", code: EmailEmpty},
	{kind: "email", value: "ivanov @example.ru", code: EmailSpaces},
	{kind: "email", value: "iva\u200bnov@exam\u00adple.ru", want: "ivanov@example.ru"},
	{kind: "email", value: "ivanov@example,ru", code: EmailComma},
	{kind: "email", value: "ivanov.example.ru", code: EmailAtMissing},
	{kind: "email", value: "a@b@example.ru", code: EmailAtMany},
	{kind: "email", value: "@example.ru", code: EmailLocalEmpty},
	{kind: "email", value: strings.Repeat("a", 65) + "@example.ru", code: EmailLocalLength},
	{kind: "email", value: strings.Repeat("a", 64) + "@example.ru", want: strings.Repeat("a", 64) + "@example.ru"},
	{kind: "email", value: "iv(anov@example.ru", code: EmailLocalCharacters, args: map[string]string{"char": "("}},
	{kind: "email", value: ".ivanov@example.ru", code: EmailLocalDots},
	{kind: "email", value: "ivanov.@example.ru", code: EmailLocalDots},
	{kind: "email", value: "iv..anov@example.ru", code: EmailLocalDots},
	{kind: "email", value: "ivanov@", code: EmailDomainEmpty},
	{kind: "email", value: "ivanov@[192.0.2.1]", code: EmailDomainIP},
	{kind: "email", value: "ivanov@localhost", code: EmailDomainDot},
	{kind: "email", value: "ivanov@example..ru", code: EmailDomainLabelEmpty},
	{kind: "email", value: "ivanov@.example.ru", code: EmailDomainLabelEmpty},
	{kind: "email", value: "ivanov@" + strings.Repeat("a", 64) + ".ru", code: EmailDomainLabelLength},
	{kind: "email", value: "ivanov@" + strings.Repeat("a", 63) + ".ru", want: "ivanov@" + strings.Repeat("a", 63) + ".ru"},
	{kind: "email", value: "ivanov@" + strings.Repeat("ж", 64) + ".рф", code: EmailDomainLabelLength},
	{kind: "email", value: "ivanov@xn--" + strings.Repeat("a", 60) + ".ru", code: EmailDomainLabelLength},
	{kind: "email", value: "ivanov@exa_mple.ru", code: EmailDomainCharacters, args: map[string]string{"char": "_"}},
	{kind: "email", value: "ivanov@почта☺.рф", code: EmailDomainCharacters, args: map[string]string{"char": "☺"}},
	{kind: "email", value: "ivanov@-example.ru", code: EmailDomainHyphen},
	{kind: "email", value: "ivanov@example-.ru", code: EmailDomainHyphen},
	{kind: "email", value: "ivanov@xn--zz.ru", code: EmailDomainPunycode},
	{kind: "email", value: "ivanov@xn--abc-.ru", code: EmailDomainPunycode}, // decodes to plain ASCII
	{kind: "email", value: "ivanov@example.123", code: EmailDomainTLD},
	{kind: "email", value: "ivanov@192.0.2.1", code: EmailDomainTLD},
	{kind: "email", value: strings.Repeat("a", 64) + "@" + strings.Repeat(strings.Repeat("b", 63)+".", 3) + strings.Repeat("c", 58) + ".ru",
		code: EmailLength},
}

// The strict check (EmailLatin, kind email with latin=1): Latin letters and
// digits only, the general check's mistakes first.
var latin = params{"latin": "1"}

var emailLatinCases = []kindCase{
	{kind: "email", value: "Ivanov@Example.RU", params: latin, want: "Ivanov@example.ru"},
	{kind: "email", value: "i.o.ivanov+sep@mail.example.ru", params: latin, want: "i.o.ivanov+sep@mail.example.ru"},
	{kind: "email", value: "ivan_petrov-1990@sub-domain.example.ru", params: latin, want: "ivan_petrov-1990@sub-domain.example.ru"},
	{kind: "email", value: " mailto:ivanov@example.ru ", params: latin, want: "ivanov@example.ru"},
	{kind: "email", value: "ivanov@example.ru", params: params{"latin": "no"}, want: "ivanov@example.ru"},
	{kind: "email", value: "иван@почта.рф", params: params{"latin": "0"}, want: "иван@почта.рф"},
	// Cyrillic in the mailbox name, a Cyrillic letter that looks Latin (о), an accent.
	{kind: "email", value: "иванов@example.ru", params: latin, code: EmailNotLatin, args: map[string]string{"char": "и"}},
	{kind: "email", value: "ivanоv@example.ru", params: latin, code: EmailNotLatin, args: map[string]string{"char": "о"}},
	{kind: "email", value: "josé@example.ru", params: latin, code: EmailNotLatin, args: map[string]string{"char": "é"}},
	// Signs the general check allows but the forms do not.
	{kind: "email", value: "ivan!ov@example.ru", params: latin, code: EmailNotLatin, args: map[string]string{"char": "!"}},
	{kind: "email", value: "ivan'ov@example.ru", params: latin, code: EmailNotLatin, args: map[string]string{"char": "'"}},
	// Internationalised domains, in Unicode or in their xn-- form.
	{kind: "email", value: "ivan@почта.рф", params: latin, code: EmailNotLatin, args: map[string]string{"char": "п"}},
	{kind: "email", value: "ivan@xn--80a1acny.xn--p1ai", params: latin, code: EmailNotLatin, args: map[string]string{"char": "п"}},
	{kind: "email", value: "ivan@example.рф", params: latin, code: EmailNotLatin, args: map[string]string{"char": "р"}},
	{kind: "email", value: "user@中国.cn", params: latin, code: EmailNotLatin, args: map[string]string{"char": "中"}},
	{kind: "email", value: "user@xn--fiqs8s.cn", params: latin, code: EmailNotLatin, args: map[string]string{"char": "中"}},
	{kind: "email", value: "user@café.fr", params: latin, code: EmailNotLatin, args: map[string]string{"char": "é"}},
	// The general mistakes keep their own messages.
	{kind: "email", value: "ivanov.example.ru", params: latin, code: EmailAtMissing},
	{kind: "email", value: "ivanov @example.ru", params: latin, code: EmailSpaces},
	{kind: "email", value: "ivanov@localhost", params: latin, code: EmailDomainDot},
}

var dateCases = []kindCase{
	{kind: "date", value: "05.03.1990", want: "05.03.1990"},
	{kind: "date", value: "5.3.1990", want: "05.03.1990"},
	{kind: "date", value: "05/03/1990", want: "05.03.1990"},
	{kind: "date", value: "05-03-1990", want: "05.03.1990"},
	{kind: "date", value: " 05. 03. 1990 ", want: "05.03.1990"},
	{kind: "date", value: "05031990", want: "05.03.1990"},
	{kind: "date", value: "1990-03-05", want: "05.03.1990"}, // HTML date input
	{kind: "date", value: "29.02.2024", want: "29.02.2024"},
	{kind: "date", value: "29.02.2000", want: "29.02.2000"}, // divisible by 400
	{kind: "date", value: "", code: DateEmpty},
	{kind: "date", value: " . . ", code: DateEmpty},
	{kind: "date", value: "5 марта 1990", code: DateFormat},
	{kind: "date", value: "05.03", code: DateFormat},
	{kind: "date", value: "05.03.1990.12", code: DateFormat},
	{kind: "date", value: "05.03.199", code: DateFormat},
	{kind: "date", value: "005.03.1990", code: DateFormat},
	{kind: "date", value: "0503199", code: DateFormat},
	{kind: "date", value: "05.03.90", code: DateYearShort},
	{kind: "date", value: "05.03.1850", code: DateYearRange, args: map[string]string{"year": "1850"}},
	{kind: "date", value: "15.13.2000", code: DateMonth, args: map[string]string{"got": "13"}},
	{kind: "date", value: "15.00.2000", code: DateMonth, args: map[string]string{"got": "00"}},
	{kind: "date", value: "29.02.2023", code: DateDay, args: map[string]string{"days": "28", "month": "2", "year": "2023"}},
	{kind: "date", value: "29.02.1900", code: DateDay, args: map[string]string{"days": "28"}}, // century, not leap
	{kind: "date", value: "31.04.2024", code: DateDay, args: map[string]string{"days": "30"}},
	{kind: "date", value: "00.01.2000", code: DateDay},
}

var nameCases = []kindCase{
	{kind: "name", value: "Иванов", want: "Иванов"},
	{kind: "name", value: "  Салтыков   Щедрин  ", want: "Салтыков Щедрин"},
	{kind: "name", value: "Салтыков – Щедрин", want: "Салтыков-Щедрин"},
	{kind: "name", value: "Римский‐Корсаков", want: "Римский-Корсаков"}, // U+2010 hyphen
	{kind: "name", value: "Д’Артаньян", want: "Д'Артаньян"},
	{kind: "name", value: "Ёлкина", want: "Ёлкина"},
	{kind: "name", value: "Е\u0308лкина", want: "Ёлкина"}, // decomposed Ё
	{kind: "name", value: "Андреи\u0306", want: "Андрей"}, // decomposed й
	{kind: "name", value: "И\u0306ошкин", want: "Йошкин"},
	{kind: "name", value: "Оглы Мамедович", want: "Оглы Мамедович"},
	{kind: "name", value: "Ю", want: "Ю"},
	{kind: "name", value: "", code: NameEmpty},
	{kind: "name", value: " \u00a0 ", code: NameEmpty},
	{kind: "name", value: strings.Repeat("а", 60), want: strings.Repeat("а", 60)},
	{kind: "name", value: strings.Repeat("а", 61), code: NameLength, args: map[string]string{"got": "61", "max": "60"}},
	{kind: "name", value: "Ivanov", code: NameLatin},
	{kind: "name", value: "Ивaнов", code: NameMixedAlphabet, args: map[string]string{"char": "a"}}, // Latin a
	{kind: "name", value: "Ивwнов", code: NameLatin},
	{kind: "name", value: "Иванов2", code: NameDigits},
	{kind: "name", value: "Иванов!", code: NameCharacters, args: map[string]string{"char": "!"}},
	{kind: "name", value: "Іван", code: NameCharacters, args: map[string]string{"char": "І"}}, // Ukrainian І
	{kind: "name", value: "Анна--Мария", code: NameSeparators},
	{kind: "name", value: "Анна-'Мария", code: NameSeparators},
	{kind: "name", value: "-Анна", code: NameEdge},
	{kind: "name", value: "Анна'", code: NameEdge},
}
