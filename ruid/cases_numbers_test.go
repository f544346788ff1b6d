package ruid

// Table cases for the digit identifiers. Values marked "published" are
// examples printed with the rules where they are publicly described (the
// ПФР instruction's check-number algorithm for СНИЛС, the ФНС check-digit
// rules for ИНН, ОГРН and ОГРНИП, the Bank of Russia's order of 08.09.1997
// № 515 for the account key; see Sources in the package doc), copied exactly;
// the others are written for the rule they exercise.

var snilsCases = []kindCase{
	// Published.
	{kind: "snils", value: "112-233-445 95", want: "112-233-445 95"},
	{kind: "snils", value: "050-234-316 00", want: "050-234-316 00"}, // sum 100 → 00
	{kind: "snils", value: "112-233-445 94", code: SNILSChecksum},
	// The ЕСИА test person's СНИЛС (below the checked range).
	{kind: "snils", value: "000-000-600 06", want: "000-000-600 06"},
	// Ways people type it.
	{kind: "snils", value: "11223344595", want: "112-233-445 95"},
	{kind: "snils", value: " 112 233 445 95 ", want: "112-233-445 95"},
	{kind: "snils", value: "112\u00a0233\u00a0445\u00a095", want: "112-233-445 95"},
	{kind: "snils", value: "112‑233‑445 95", want: "112-233-445 95"}, // non-breaking hyphens
	{kind: "snils", value: "１１２-２３３-４４５ ９５", want: "112-233-445 95"},
	// The boundary of the checked range: 001-001-998 and below take any
	// check number, 001-001-999 must carry its own (sum 65).
	{kind: "snils", value: "001-001-998 12", want: "001-001-998 12"},
	{kind: "snils", value: "001-001-999 65", want: "001-001-999 65"},
	{kind: "snils", value: "001-001-999 00", code: SNILSChecksum},
	// Sum above 101: 999-999-999 sums to 405, 405 mod 101 = 1.
	{kind: "snils", value: "999-999-999 01", want: "999-999-999 01"},
	{kind: "snils", value: "", code: SNILSEmpty},
	{kind: "snils", value: " - ", code: SNILSEmpty},
	{kind: "snils", value: "112-233-445 9S", code: SNILSCharacters, args: map[string]string{"char": "S"}},
	{kind: "snils", value: "112-233-445\t9\u200b5", want: "112-233-445 95"},
	{kind: "snils", value: "112-233-445 9", code: SNILSLength, args: map[string]string{"got": "10"}},
	{kind: "snils", value: "112-233-445 955", code: SNILSLength, args: map[string]string{"got": "12"}},
	{kind: "snils", value: "000-000-000 00", code: SNILSZero},
}

var innCases = []kindCase{
	// Published.
	{kind: "inn", value: "7707083893", want: "7707083893"},
	{kind: "inn", value: "500100732259", want: "500100732259"},
	{kind: "inn", value: "7707083894", code: INNChecksum},
	{kind: "inn", value: "500100732258", code: INNChecksum},
	// The ЕСИА test person's ИНН.
	{kind: "inn", value: "585204118212", want: "585204118212"},
	{kind: "inn", value: "77 07 083893", want: "7707083893"},
	{kind: "inn", value: "", code: INNEmpty},
	{kind: "inn", value: "ИНН 7707083893", code: INNCharacters, args: map[string]string{"char": "И"}},
	{kind: "inn", value: "77070838", code: INNLength, args: map[string]string{"got": "8"}},
	{kind: "inn", value: "77070838931", code: INNLength, args: map[string]string{"got": "11"}},
	{kind: "inn", value: "0007083893", code: INNStarts00},
	{kind: "inn", value: "500100732259", params: params{"type": "legal"}, code: INNLengthLegal,
		args: map[string]string{"got": "12"}},
	{kind: "inn", value: "7707083893", params: params{"type": "person"}, code: INNLengthPerson,
		args: map[string]string{"got": "10"}},
	{kind: "inn", value: "7707083893", params: params{"type": "legal"}, want: "7707083893"},
	{kind: "inn", value: "500100732259", params: params{"type": "person"}, want: "500100732259"},
}

var ogrnCases = []kindCase{
	// Published.
	{kind: "ogrn", value: "1027700132195", want: "1027700132195"},
	{kind: "ogrn", value: "304500116000157", want: "304500116000157"},
	{kind: "ogrn", value: "1027700132194", code: OGRNChecksum},
	{kind: "ogrn", value: "304500116000158", code: OGRNIPChecksum},
	// Remainders of 10 (and 10–12 for ОГРНИП) are written as their last
	// digit. Computed with an independent script.
	{kind: "ogrn", value: "1420555266780", want: "1420555266780"},
	{kind: "ogrn", value: "339825979190742", want: "339825979190742"}, // 33982597919074 mod 13 = 12
	{kind: "ogrnip", value: "339825979190742", want: "339825979190742"},
	{kind: "ogrn", value: "1 02 77 00 13219 5", want: "1027700132195"},
	{kind: "ogrn", value: "", code: OGRNEmpty},
	{kind: "ogrn", value: "102770013219O", code: OGRNCharacters, args: map[string]string{"char": "O"}},
	{kind: "ogrn", value: "10277001321", code: OGRNLength, args: map[string]string{"got": "11"}},
	{kind: "ogrn", value: "10277001321950", code: OGRNLength, args: map[string]string{"got": "14"}},
	{kind: "ogrn", value: "2027700132195", code: OGRNFirstDigit, args: map[string]string{"digit": "2"}},
	{kind: "ogrnip", value: "304500116000157", want: "304500116000157"},
	{kind: "ogrnip", value: "1027700132195", code: OGRNIPLength, args: map[string]string{"got": "13"}},
	{kind: "ogrnip", value: "", code: OGRNIPEmpty},
	{kind: "ogrnip", value: "30450011600015Z", code: OGRNIPCharacters},
	{kind: "ogrnip", value: "104500116000157", code: OGRNIPFirstDigit, args: map[string]string{"digit": "1"}},
	{kind: "ogrnip", value: "304500116000158", code: OGRNIPChecksum},
}

var kppCases = []kindCase{
	{kind: "kpp", value: "773601001", want: "773601001"},
	{kind: "kpp", value: "7736 01 001", want: "773601001"},
	{kind: "kpp", value: "7736AB001", want: "7736AB001"},
	{kind: "kpp", value: "7736ab001", want: "7736AB001"},
	{kind: "kpp", value: "7736АВ001", want: "7736AB001"}, // Cyrillic А and В
	{kind: "kpp", value: "", code: KPPEmpty},
	{kind: "kpp", value: "7736Ж1001", code: KPPCharacters, args: map[string]string{"char": "Ж"}},
	{kind: "kpp", value: "7736@1001", code: KPPCharacters, args: map[string]string{"char": "@"}},
	{kind: "kpp", value: "77360100", code: KPPLength, args: map[string]string{"got": "8"}},
	{kind: "kpp", value: "003601001", code: KPPTaxOffice},
	{kind: "kpp", value: "013601001", want: "013601001"},
	{kind: "kpp", value: "77A601001", code: KPPLetterPosition, args: map[string]string{"position": "3"}},
	{kind: "kpp", value: "77360100B", code: KPPLetterPosition, args: map[string]string{"position": "9"}},
}

var okvedCases = []kindCase{
	{kind: "okved", value: "62", want: "62"},
	{kind: "okved", value: "62.0", want: "62.0"},
	{kind: "okved", value: "62.01", want: "62.01"},
	{kind: "okved", value: "62.01.1", want: "62.01.1"},
	{kind: "okved", value: "62.01.11", want: "62.01.11"},
	{kind: "okved", value: " 47,11 ", want: "47.11"},
	{kind: "okved", value: "", code: OKVEDEmpty},
	{kind: "okved", value: "6", code: OKVEDFormat},
	{kind: "okved", value: "620", code: OKVEDFormat},
	{kind: "okved", value: "62.", code: OKVEDFormat},
	{kind: "okved", value: "62..01", code: OKVEDFormat},
	{kind: "okved", value: "62.1.1", code: OKVEDFormat},
	{kind: "okved", value: "62.011", code: OKVEDFormat},
	{kind: "okved", value: "62.01.111", code: OKVEDFormat},
	{kind: "okved", value: "62.01.11.1", code: OKVEDFormat},
	{kind: "okved", value: "J.62", code: OKVEDFormat},
}

var uinCases = []kindCase{
	// Check digits computed with an independent script following
	// standards.md: the first needs one pass, the second the pass with
	// weights shifted by two, the third gets 10 twice and ends in 0.
	{kind: "uin", value: "52601815908301661312", want: "52601815908301661312"},
	{kind: "uin", value: "91186252760189555972", want: "91186252760189555972"},
	{kind: "uin", value: "73167232686563551500", want: "73167232686563551500"},
	{kind: "uin", value: "5877065894811311440242640", want: "5877065894811311440242640"},
	// A legacy УИН with Latin letters (b = 2).
	{kind: "uin", value: "0355b300000000001239", want: "0355b300000000001239"},
	{kind: "uin", value: "0355B300000000001239", want: "0355B300000000001239"},
	{kind: "uin", value: "5260 1815 9083 0166 1312", want: "52601815908301661312"},
	{kind: "uin", value: "52601815908301661313", code: UINChecksum},
	{kind: "uin", value: "73167232686563551501", code: UINChecksum},
	{kind: "uin", value: "", code: UINEmpty},
	{kind: "uin", value: "5260181590830166131Ж", code: UINCharacters, args: map[string]string{"char": "Ж"}},
	{kind: "uin", value: "5260181590830166131", code: UINLength, args: map[string]string{"got": "19"}},
	{kind: "uin", value: "0", code: UINLength, args: map[string]string{"got": "1"}},
	{kind: "uin", value: "00000000000000000000", code: UINZero},
}

var bikCases = []kindCase{
	{kind: "bik", value: "049805746", want: "049805746"},
	{kind: "bik", value: "04 98 05 746", want: "049805746"},
	{kind: "bik", value: "", code: BIKEmpty},
	{kind: "bik", value: "04980574б", code: BIKCharacters, args: map[string]string{"char": "б"}},
	{kind: "bik", value: "04980574", code: BIKLength, args: map[string]string{"got": "8"}},
}

var accountCases = []kindCase{
	// Published: the Bank of Russia's own examples (order № 515). The first
	// is a correspondent account at the Bank of Russia, checked with the
	// conditional number of the division, the second an account at a bank.
	{kind: "account", value: "30101810800000000746", params: params{"bik": "049805000"}, want: "30101810800000000746"},
	{kind: "account", value: "40602810700000000025", params: params{"bik": "049805746"}, want: "40602810700000000025"},
	// The same correspondent account against the bank's own БИК.
	{kind: "account", value: "30101810800000000746", params: params{"bik": "049805746"}, want: "30101810800000000746"},
	// Published payment details of the single tax payment (ЕНП): the single
	// treasury account at the Bank of Russia and the treasury account,
	// which carries no key.
	{kind: "account", value: "40102810445370000059", params: params{"bik": "017003983"}, want: "40102810445370000059"},
	{kind: "account", value: "03100643000000018500", params: params{"bik": "017003983"}, want: "03100643000000018500"},
	{kind: "account", value: "40602 810 7 0000 0000025", params: params{"bik": "049805746"}, want: "40602810700000000025"},
	{kind: "account", value: "40602810700000000026", params: params{"bik": "049805746"}, code: AccountKey},
	{kind: "account", value: "40602810700000000025", params: params{"bik": "049805745"}, code: AccountKey},
	{kind: "account", value: "30101810800000000746", params: params{"bik": "049806000"}, code: AccountKey},
	{kind: "account", value: "", params: params{"bik": "049805746"}, code: AccountEmpty},
	{kind: "account", value: "406028107000000000А5", params: params{"bik": "049805746"}, code: AccountCharacters},
	{kind: "account", value: "4060281070000000002", params: params{"bik": "049805746"}, code: AccountLength,
		args: map[string]string{"got": "19"}},
	{kind: "account", value: "40602810700000000025", params: params{"bik": " "}, code: AccountBIKMissing, field: "bik"},
	{kind: "account", value: "40602810700000000025", params: params{"bik": "04980574"}, code: BIKLength, field: "bik"},
}
