package ruid

// Every code the package returns. The part before the dot names the kind of
// value, the part after the failure. Codes are stable: a client may key its
// own translations on them. messages.json has a Russian and an English
// message for each (a test keeps the two lists equal).
const (
	// СНИЛС (SNILS).
	SNILSEmpty      Code = "snils.empty"
	SNILSCharacters Code = "snils.characters"
	SNILSLength     Code = "snils.length"
	SNILSChecksum   Code = "snils.checksum"
	SNILSZero       Code = "snils.zero"

	// ИНН (INN): either kind, an organisation's, a person's.
	INNEmpty        Code = "inn.empty"
	INNCharacters   Code = "inn.characters"
	INNLength       Code = "inn.length"
	INNLengthLegal  Code = "inn.length_legal"
	INNLengthPerson Code = "inn.length_person"
	INNStarts00     Code = "inn.starts_00"
	INNChecksum     Code = "inn.checksum"

	// ОГРН of an organisation.
	OGRNEmpty      Code = "ogrn.empty"
	OGRNCharacters Code = "ogrn.characters"
	OGRNLength     Code = "ogrn.length"
	OGRNFirstDigit Code = "ogrn.first_digit"
	OGRNChecksum   Code = "ogrn.checksum"

	// ОГРНИП of an individual entrepreneur.
	OGRNIPEmpty      Code = "ogrnip.empty"
	OGRNIPCharacters Code = "ogrnip.characters"
	OGRNIPLength     Code = "ogrnip.length"
	OGRNIPFirstDigit Code = "ogrnip.first_digit"
	OGRNIPChecksum   Code = "ogrnip.checksum"

	// КПП.
	KPPEmpty          Code = "kpp.empty"
	KPPCharacters     Code = "kpp.characters"
	KPPLength         Code = "kpp.length"
	KPPTaxOffice      Code = "kpp.tax_office"
	KPPLetterPosition Code = "kpp.letter_position"

	// ОКВЭД2 code.
	OKVEDEmpty  Code = "okved.empty"
	OKVEDFormat Code = "okved.format"

	// Passport of a citizen of the Russian Federation; dates in the wrong
	// format use the date codes, with the field set.
	PassportEmpty                 Code = "passport.empty"
	PassportCharacters            Code = "passport.characters"
	PassportLength                Code = "passport.length"
	PassportSeriesEmpty           Code = "passport.series_empty"
	PassportSeriesCharacters      Code = "passport.series_characters"
	PassportSeriesLength          Code = "passport.series_length"
	PassportSeriesRegion          Code = "passport.series_region"
	PassportSeriesYearFuture      Code = "passport.series_year_future"
	PassportNumberEmpty           Code = "passport.number_empty"
	PassportNumberCharacters      Code = "passport.number_characters"
	PassportNumberLength          Code = "passport.number_length"
	PassportIssueDateFuture       Code = "passport.issue_date_future"
	PassportIssueDateBefore14     Code = "passport.issue_date_before_14"
	PassportIssueDateBeforeFirst  Code = "passport.issue_date_before_1997"
	PassportIssueDateBeforeSeries Code = "passport.issue_date_before_series_year"
	PassportBirthDateFuture       Code = "passport.birth_date_future"
	PassportExpiredByAge          Code = "passport.expired_by_age"
	// Код подразделения.
	DivisionCodeEmpty      Code = "division_code.empty"
	DivisionCodeCharacters Code = "division_code.characters"
	DivisionCodeLength     Code = "division_code.length"

	// Phone number.
	PhoneEmpty      Code = "phone.empty"
	PhoneCharacters Code = "phone.characters"
	PhoneLength     Code = "phone.length"
	PhonePlusEight  Code = "phone.plus_eight"
	PhoneForeign    Code = "phone.foreign"
	PhoneKazakhstan Code = "phone.kazakhstan"
	PhoneCode       Code = "phone.code"
	PhoneNotMobile  Code = "phone.not_mobile"

	// E-mail address.
	EmailEmpty             Code = "email.empty"
	EmailSpaces            Code = "email.spaces"
	EmailComma             Code = "email.comma"
	EmailAtMissing         Code = "email.at_missing"
	EmailAtMany            Code = "email.at_many"
	EmailLength            Code = "email.length"
	EmailLocalEmpty        Code = "email.local_empty"
	EmailLocalLength       Code = "email.local_length"
	EmailLocalCharacters   Code = "email.local_characters"
	EmailLocalDots         Code = "email.local_dots"
	EmailDomainEmpty       Code = "email.domain_empty"
	EmailDomainIP          Code = "email.domain_ip"
	EmailDomainDot         Code = "email.domain_dot"
	EmailDomainLabelEmpty  Code = "email.domain_label_empty"
	EmailDomainLabelLength Code = "email.domain_label_length"
	EmailDomainCharacters  Code = "email.domain_characters"
	EmailDomainHyphen      Code = "email.domain_hyphen"
	EmailDomainPunycode    Code = "email.domain_punycode"
	EmailDomainTLD         Code = "email.domain_tld"
	EmailNotLatin          Code = "email.not_latin" // EmailLatin: a letter that is not Latin, or a sign not allowed

	// Calendar date.
	DateEmpty     Code = "date.empty"
	DateFormat    Code = "date.format"
	DateYearShort Code = "date.year_short"
	DateYearRange Code = "date.year_range"
	DateMonth     Code = "date.month"
	DateDay       Code = "date.day"

	// A part of a person's name.
	NameEmpty         Code = "name.empty"
	NameLength        Code = "name.length"
	NameLatin         Code = "name.latin"
	NameMixedAlphabet Code = "name.mixed_alphabet"
	NameDigits        Code = "name.digits"
	NameCharacters    Code = "name.characters"
	NameSeparators    Code = "name.separators"
	NameEdge          Code = "name.edge"

	// УИН of ГИС ГМП.
	UINEmpty      Code = "uin.empty"
	UINCharacters Code = "uin.characters"
	UINLength     Code = "uin.length"
	UINZero       Code = "uin.zero"
	UINChecksum   Code = "uin.checksum"

	// БИК.
	BIKEmpty      Code = "bik.empty"
	BIKCharacters Code = "bik.characters"
	BIKLength     Code = "bik.length"

	// Account number; a wrong БИК uses the БИК codes, with the field set.
	AccountEmpty      Code = "account.empty"
	AccountCharacters Code = "account.characters"
	AccountLength     Code = "account.length"
	AccountBIKMissing Code = "account.bik_missing"
	AccountKey        Code = "account.key"
)
