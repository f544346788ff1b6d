package ruid

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestGenerators(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for range 200 {
		s := GenerateSNILS(r)
		if !strings.HasPrefix(s, "000-") {
			t.Fatalf("GenerateSNILS = %s, want the test range 000-…", s)
		}
		// The check number is right even though the range does not need it.
		if d := strings.NewReplacer("-", "", " ", "").Replace(s); refSNILSCheck(d[:9]) != d[9:] {
			t.Fatalf("GenerateSNILS = %s: wrong check number", s)
		}
		for name, gen := range map[string]func() string{
			"GenerateINNLegal":  func() string { return GenerateINNLegal(r) },
			"GenerateINNPerson": func() string { return GenerateINNPerson(r) },
			"GenerateOGRN":      func() string { return GenerateOGRN(r) },
			"GenerateOGRNIP":    func() string { return GenerateOGRNIP(r) },
			"GenerateUIN":       func() string { return GenerateUIN(r) },
		} {
			v := gen()
			var err error
			switch name {
			case "GenerateINNLegal":
				_, err = INNLegal(v)
			case "GenerateINNPerson":
				_, err = INNPerson(v)
			case "GenerateOGRN":
				_, err = OGRN(v)
			case "GenerateOGRNIP":
				_, err = OGRNIP(v)
			case "GenerateUIN":
				_, err = UIN(v)
			}
			if err != nil {
				t.Fatalf("%s = %s: %v", name, v, err)
			}
		}
		if _, err := SNILS(s); err != nil {
			t.Fatalf("GenerateSNILS = %s: %v", s, err)
		}
		a, err := GenerateAccount(r, "049805746")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Account(a, "049805746"); err != nil || refAccountSum("746"+a)%10 != 0 {
			t.Fatalf("GenerateAccount = %s: %v", a, err)
		}
	}
	if _, err := GenerateAccount(r, "12"); codeOf(err) != BIKLength {
		t.Errorf("GenerateAccount with a bad БИК: %v", err)
	}
}
