package notify

import (
	"errors"
	"testing"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/ruid"
)

func TestPhoneAddress(t *testing.T) {
	good := map[string]string{
		"+7 (900) 123-45-67": "+79001234567",
		"89001234567":        "+79001234567",
		"8 900 123 45 67":    "+79001234567",
		"79001234567":        "+79001234567",
		"９００１２３４５６７":         "+79001234567", // full-width digits, as ruid reads them
	}
	for in, want := range good {
		got, err := phoneAddress(in)
		if want == "" {
			if err == nil {
				t.Errorf("phoneAddress(%q) = %q, want an error", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("phoneAddress(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "12345", "+7 900 123-45-6x", "+375 29 123-45-67", "+7 495 123-45-67", "тел. 89001234567"} {
		_, err := phoneAddress(bad)
		var re *ruid.Error
		if errs.IDOf(err) != "notify.bad_phone" || !errors.As(err, &re) {
			t.Errorf("phoneAddress(%q): %v; want notify.bad_phone with ruid's reason", bad, err)
		}
	}
}

func TestEmailAddress(t *testing.T) {
	for in, want := range map[string]string{
		" Anna.Test@Example.RU ":         "Anna.Test@example.ru",
		"anna@xn--80a1acny.xn--p1ai":     "anna@почта.рф",
		"anna@ПОЧТА.рф":                  "anna@почта.рф",
		"mailto:anna@example.ru":         "anna@example.ru",
		"anna@example.ru.":               "anna@example.ru",
		"\u200banna@example.ru\u200b":    "anna@example.ru",
		"anna+sep@sub.example.ru":        "anna+sep@sub.example.ru",
		"a.b-c_d@example-domain.test.ru": "a.b-c_d@example-domain.test.ru",
	} {
		if got, err := emailAddress(in); err != nil || got != want {
			t.Errorf("emailAddress(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "anna", "anna@", "@example.ru", "anna@localhost", "Anna <anna@example.ru>", "a@b.ru\r\nBcc: c@d.ru", "a b@c.ru"} {
		if _, err := emailAddress(bad); errs.IDOf(err) != "notify.bad_email" {
			t.Errorf("emailAddress(%q): %v", bad, err)
		}
	}
}

// One address is one recipient however it is spelled: the outbox filter and the blind index
// normalise alike.
func TestNormalizeAddressAgreesWithTheChannels(t *testing.T) {
	for _, pair := range [][2]string{
		{"8 (900) 123-45-67", "+79001234567"},
		{"anna@xn--80a1acny.xn--p1ai", "anna@почта.рф"},
	} {
		a, _ := normalizeAddress(pair[0])
		b, _ := normalizeAddress(pair[1])
		if a != b {
			t.Errorf("%q and %q normalise to %q and %q", pair[0], pair[1], a, b)
		}
	}
	if a, _ := normalizeAddress("0190b7c2-account"); a != "0190b7c2-account" {
		t.Errorf("an account id must stay as it is, got %q", a)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"+7 (900) 123-45-67", "anna@example.ru", "8(900)", "\x00@\xff.ru"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := phoneAddress(s); err == nil {
			if again, err := phoneAddress(p); err != nil || again != p {
				t.Fatalf("phoneAddress is not stable on %q: %q → %q, %v", s, p, again, err)
			}
		}
		if e, err := emailAddress(s); err == nil {
			if again, err := emailAddress(e); err != nil || again != e {
				t.Fatalf("emailAddress is not stable on %q: %q → %q, %v", s, e, again, err)
			}
		}
		n, _ := normalizeAddress(s)
		if again, _ := normalizeAddress(n); again != n {
			t.Fatalf("normalizeAddress is not stable on %q: %q → %q", s, n, again)
		}
	})
}
