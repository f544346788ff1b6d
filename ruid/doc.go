// Package ruid validates the Russian identifiers and personal data that
// government forms ask for, and says precisely what is wrong with a value
// so that a citizen can fix that one field.
//
// Each validator takes a value as people type it, normalises it and returns
// either its canonical form or an *Error with a stable Code such as
// "snils.checksum" and a message in Russian or English (Error.Message).
// Messages come from the embedded catalog messages.json; a client may also
// translate the codes itself. The package uses the standard library only
// and imports nothing else from the project.
//
// # Kinds
//
// Kinds and LookupKind give every validator by name, so an HTTP endpoint
// GET /validate/{kind}?value=… is a lookup and a call (url.Values satisfies
// Params):
//
//	kind           canonical form     parameters                        function
//	snils          112-233-445 95                                       SNILS
//	inn            digits             type=legal|person                 INN, INNLegal, INNPerson
//	ogrn           digits (13 or 15)                                    OGRNAny, OGRN
//	ogrnip         digits (15)                                          OGRNIP
//	kpp            773601001                                            KPP
//	okved          62.01                                                OKVED
//	passport       4508 123456        issue_date, birth_date,           ParsePassport, CheckPassport,
//	                                  division_code                     CheckPassportAge
//	division_code  770-001                                              DivisionCode
//	phone          +79123456789       mobile=1                          Phone, MobilePhone
//	email          ivan@почта.рф      latin=1                           Email, ParseEmail, EmailLatin
//	date           05.03.1990                                           Date, ParseDate
//	name           Салтыков-Щедрин                                      NamePart
//	uin            20 or 25 chars                                       UIN
//	bik            049805746                                            BIK
//	account        20 digits          bik (required)                    Account, AccountOfKind
//
// Rules that depend on the date take the caller's "today"; nothing in the
// package reads the clock.
//
// # Normalisation
//
// Digit identifiers drop the characters people put between digits: spaces
// of every kind (including no-break and thin spaces), hyphens and dashes,
// dots, parentheses and zero-width characters copied from documents.
// Decimal digits of any script (full-width, Arabic-Indic) read as ASCII
// digits; the canonical forms are ASCII. КПП letters typed with a Russian
// layout (Cyrillic А, В, Е, …, identical on screen) read as Latin.
// Names keep their case and Ё, collapse spaces, unify dashes and apostrophes
// and compose й and ё from decomposed input.
//
// E-mail domains are lower-cased and shown in Unicode when their labels are
// Latin or Cyrillic (почта.рф, whether typed so or as xn--80a1acny.xn--p1ai);
// EmailAddress.ASCII gives the punycode form for DNS and SMTP. Punycode
// (RFC 3492) is implemented here; the full IDNA2008 tables and Unicode
// normalisation are not, so labels of other scripts are kept in ASCII form
// and checked against a conservative subset of characters.
//
// # Codes
//
// codes.go lists every code; the part before the dot is the kind. Composite
// checks set Error.Field (FieldSeries, FieldIssueDate, FieldBIK, …) and
// CheckPassport returns Errors, one per wrong field. Error.Args carry the
// numbers a message shows (digits typed, the offending character) and never
// the value itself, so Error() is safe to log.
//
// # Sources
//
//   - СНИЛС: ПФР instruction, section 8 (check number); the 100/101 rules
//     from secondary texts.
//   - ИНН: ФНС check-digit weights; ФНС XML schemas (no 00 prefix).
//   - ОГРН, ОГРНИП: mod 11 and mod 13, each then mod 10.
//   - КПП: the ФНС pattern. ОКВЭД2: ОК 029-2014.
//   - Account key: Bank of Russia, «Порядок расчета контрольного ключа в
//     номере лицевого счета», 08.09.1997 № 515, with the Bank's examples.
//   - УИН: the ГИС ГМП check-digit rule (weights 1–10, shift by two).
//   - Punycode: RFC 3492 with its sample strings; e-mail sizes: RFC 5321.
//   - A person's age in years: Civil Code art. 192 (29 February birthdays).
//
// Rules not verified against a primary source — the first digits of ОГРН,
// the passport's first issue date, series year tolerance, replacement grace
// period and invalid region code, phone number ranges, the year range of
// dates, the name length, УИН letters, and which account kind uses which
// key — live in rules.json, each section with a note on its provenance, so
// that correcting one is a data change.
//
// # Demo data
//
// The Generate functions make valid identifiers for demo data, simulators
// and tests only.
package ruid
