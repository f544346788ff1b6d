package ruid

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func digitsN(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

// substitutions calls f with every number that differs from d in exactly
// one digit.
func substitutions(d string, f func(pos int, changed string)) {
	for pos := range d {
		for c := byte('0'); c <= '9'; c++ {
			if c != d[pos] {
				f(pos, d[:pos]+string(c)+d[pos+1:])
			}
		}
	}
}

func accepted(err error) bool { return err == nil }

func codeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

const propertyRounds = 300

// A single mistyped digit of a СНИЛС goes unnoticed only when both sums
// give the check number 00 (sums 100 and 101 differ by one), or when the
// changed body falls into the unchecked range up to 001-001-998.
func TestSNILSSingleDigitErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	missed, total := 0, 0
	for range propertyRounds {
		body := digitsN(r, 9)
		if n, _ := strconv.Atoi(body); n <= 1001998 {
			continue
		}
		valid := body + refSNILSCheck(body)
		if _, err := SNILS(valid); err != nil {
			t.Fatalf("SNILS(%s): %v", valid, err)
		}
		substitutions(valid, func(pos int, changed string) {
			total++
			_, err := SNILS(changed)
			b := changed[:9]
			n, _ := strconv.Atoi(b)
			if want := !allZero(b) && (n <= 1001998 || refSNILSCheck(b) == changed[9:]); accepted(err) != want {
				t.Fatalf("SNILS(%s): accepted=%v, reference says %v", changed, accepted(err), want)
			}
			explained := n <= 1001998 || pos < 9 && refSNILSCheck(b) == "00" && refSNILSCheck(body) == "00"
			if accepted(err) && !explained {
				t.Fatalf("SNILS(%s) accepted a mistyped %s", changed, valid)
			}
			if accepted(err) {
				missed++
			}
		})
	}
	t.Logf("СНИЛС: %d of %d single-digit substitutions pass the check", missed, total)
}

// A single mistyped digit of an ИНН changes its weighted sum mod 11 (no
// weight is a multiple of 11), so it goes unnoticed only when the residue
// moves between 0 and 10, which mod 10 give the same check digit.
func TestINNSingleDigitErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	missed, total := 0, 0
	for range propertyRounds {
		var valid string
		var weights [][]int
		if r.IntN(2) == 0 {
			d := "77" + digitsN(r, 7)
			valid = d + strconv.Itoa(refINNResidue(d, refW10...)%10)
			weights = [][]int{refW10}
		} else {
			d := "50" + digitsN(r, 8)
			d += strconv.Itoa(refINNResidue(d, refW11...) % 10)
			valid = d + strconv.Itoa(refINNResidue(d, refW12...)%10)
			weights = [][]int{refW11, refW12}
		}
		if _, err := INN(valid); err != nil {
			t.Fatalf("INN(%s): %v", valid, err)
		}
		substitutions(valid, func(pos int, changed string) {
			total++
			_, err := INN(changed) // the prefixes 77 and 50 never become 00
			// Which check digits still match, by the reference.
			ok := true
			for _, w := range weights {
				n := len(w)
				if refINNResidue(changed, w...)%10 != int(changed[n]-'0') {
					ok = false
				}
			}
			if accepted(err) != ok {
				t.Fatalf("INN(%s): accepted=%v, reference says %v", changed, accepted(err), ok)
			}
			if !ok {
				return
			}
			missed++
			// Explain the miss: a residue went 0↔10.
			explained := false
			for _, w := range weights {
				if pos < len(w) {
					a, b := refINNResidue(valid, w...), refINNResidue(changed, w...)
					if a != b && (a == 0 && b == 10 || a == 10 && b == 0) {
						explained = true
					}
				}
			}
			if !explained {
				t.Fatalf("INN(%s) accepted a mistyped %s without a 0↔10 residue", changed, valid)
			}
		})
	}
	t.Logf("ИНН: %d of %d single-digit substitutions pass the check", missed, total)
}

// ОГРН: 10^k mod 11 is ±1, so a changed digit shifts the residue by ±δ;
// only 0↔10 is missed. ОГРНИП: 10^k is invertible mod 13, so the residue
// always moves; only moves between r and r+10 (0↔10, 1↔11, 2↔12) are missed.
func TestOGRNSingleDigitErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		name     string
		first    string
		length   int
		mod      int64
		validate func(string) (string, error)
	}{
		{"ОГРН", "1", 13, 11, OGRN},
		{"ОГРНИП", "3", 15, 13, OGRNIP},
	} {
		missed, total := 0, 0
		for range propertyRounds {
			body := tc.first + digitsN(r, tc.length-2)
			valid := body + strconv.FormatInt(refMod(body, tc.mod)%10, 10)
			if _, err := tc.validate(valid); err != nil {
				t.Fatalf("%s(%s): %v", tc.name, valid, err)
			}
			substitutions(valid, func(pos int, changed string) {
				if pos == 0 {
					return // the first digit is the record type
				}
				total++
				_, err := tc.validate(changed)
				b := changed[:tc.length-1]
				ok := strconv.FormatInt(refMod(b, tc.mod)%10, 10) == changed[tc.length-1:]
				if accepted(err) != ok {
					t.Fatalf("%s(%s): accepted=%v, reference says %v", tc.name, changed, accepted(err), ok)
				}
				if !ok {
					return
				}
				missed++
				a, c := refMod(body, tc.mod), refMod(b, tc.mod)
				if a == c || (a-c != 10 && c-a != 10) {
					t.Fatalf("%s(%s) accepted a mistyped %s (residues %d, %d)", tc.name, changed, valid, a, c)
				}
			})
		}
		t.Logf("%s: %d of %d single-digit substitutions pass the check", tc.name, missed, total)
	}
}

// The account key catches every single mistyped digit of the account: the
// last digit of 7d, d and 3d runs through all of 0–9 as d does.
func TestAccountSingleDigitErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range propertyRounds {
		bik := "04" + digitsN(r, 4) + strconv.Itoa(100+r.IntN(900)) // not a Bank of Russia division
		body := "40702810" + "x" + digitsN(r, 11)
		var valid string
		for k := byte('0'); k <= '9'; k++ {
			a := strings.Replace(body, "x", string(k), 1)
			if refAccountSum(bik[6:]+a)%10 == 0 {
				valid = a
			}
		}
		if _, err := Account(valid, bik); err != nil {
			t.Fatalf("Account(%s, %s): %v", valid, bik, err)
		}
		substitutions(valid, func(pos int, changed string) {
			if _, err := AccountOfKind(changed, bik, BankAccount); codeOf(err) != AccountKey {
				t.Fatalf("AccountOfKind(%s, %s) = %v, want %s", changed, bik, err, AccountKey)
			}
			// Account picks the kind from the number itself, so a slip
			// that turns 40702 into 40102 (a treasury account at the Bank
			// of Russia) is checked the other way; every other slip is
			// caught.
			if _, err := Account(changed, bik); AccountKindOf(changed, bik) == BankAccount && codeOf(err) != AccountKey {
				t.Fatalf("Account(%s, %s) = %v, want %s", changed, bik, err, AccountKey)
			}
		})
	}
}

// УИН: a changed character changes the first weighted residue (weights
// 1–10 are not multiples of 11); it can go unnoticed only when the
// recomputation with shifted weights is involved on one side.
func TestUINSingleDigitErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	missed, total := 0, 0
	for range propertyRounds {
		n := 20
		if r.IntN(2) == 0 {
			n = 25
		}
		body := digitsN(r, n-1)
		valid := body + string(refUINCheck(body))
		if allZero(valid) {
			continue
		}
		if got, err := UIN(valid); err != nil || got != valid {
			t.Fatalf("UIN(%s) = %q, %v", valid, got, err)
		}
		substitutions(valid, func(pos int, changed string) {
			total++
			_, err := UIN(changed)
			b := changed[:n-1]
			ok := refUINCheck(b) == changed[n-1] && !allZero(changed)
			if accepted(err) != ok {
				t.Fatalf("UIN(%s): accepted=%v, reference says %v", changed, accepted(err), ok)
			}
			if ok {
				missed++
				if refUINResidue(body, 0) != 10 && refUINResidue(b, 0) != 10 {
					t.Fatalf("UIN(%s) accepted a mistyped %s", changed, valid)
				}
			}
		})
	}
	t.Logf("УИН: %d of %d single-character substitutions pass the check", missed, total)
}

// retype writes a canonical value the way a person might type it: with
// spaces, hyphens, no-break spaces and dots between the characters.
func retype(r *rand.Rand, s string) string {
	seps := []string{"", "", "", " ", "-", "\u00a0", ".", " - ", "\u2011"}
	var b strings.Builder
	for _, c := range s {
		if c == ' ' || c == '-' {
			continue
		}
		b.WriteRune(c)
		b.WriteString(seps[r.IntN(len(seps))])
	}
	return b.String()
}

// Valid values typed in any of the usual ways come out in one canonical
// form, and the canonical form validates to itself.
func TestRetypedValuesNormalise(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for range propertyRounds {
		body := strconv.Itoa(1002000 + r.IntN(998998000))
		for len(body) < 9 {
			body = "0" + body
		}
		d := body + refSNILSCheck(body)
		snils := d[0:3] + "-" + d[3:6] + "-" + d[6:9] + " " + d[9:]
		for _, tc := range []struct {
			kind, canonical string
			p               params
		}{
			{"snils", snils, nil},
			{"inn", GenerateINNPerson(r), nil},
			{"ogrn", GenerateOGRN(r), nil},
			{"uin", GenerateUIN(r), nil},
			{"bik", "04" + digitsN(r, 7), nil},
			{"division_code", digitsN(r, 3) + "-" + digitsN(r, 3), nil},
		} {
			k, _ := LookupKind(tc.kind)
			typed := retype(r, tc.canonical)
			got, err := k.Check(typed, tc.p, testToday)
			if err != nil || got != tc.canonical {
				t.Fatalf("%s(%q) = %q, %v; want %q", tc.kind, typed, got, err, tc.canonical)
			}
		}
	}
}
