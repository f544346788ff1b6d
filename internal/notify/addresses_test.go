package notify

import (
	"testing"

	"github.com/sep-platform/sep/internal/errs"
)

func TestNormalizePhone(t *testing.T) {
	good := map[string]string{
		"+7 (900) 123-45-67": "+79001234567",
		"89001234567":        "+79001234567",
		"8 900 123 45 67":    "+79001234567",
		"79001234567":        "+79001234567",
		"+375 29 123-45-67":  "+375291234567",
		" +44.20.7946.0958 ": "+442079460958",
	}
	for in, want := range good {
		if got, err := NormalizePhone(in); err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "12345", "+7 900 123-45-6x", "+8+9001234567", "+0123456789012", "1234567890123456", "тел. 89001234567"} {
		if _, err := NormalizePhone(bad); errs.IDOf(err) != "notify.bad_phone" {
			t.Errorf("NormalizePhone(%q): %v", bad, err)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	if got, err := NormalizeEmail(" Anna.Test@Example.RU "); err != nil || got != "Anna.Test@example.ru" {
		t.Errorf("got %q, %v", got, err)
	}
	for _, bad := range []string{"", "anna", "anna@", "@example.ru", "anna@localhost", "Anna <anna@example.ru>", "a@b.ru\r\nBcc: c@d.ru", "a b@c.ru"} {
		if _, err := NormalizeEmail(bad); errs.IDOf(err) != "notify.bad_email" {
			t.Errorf("NormalizeEmail(%q): %v", bad, err)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"+7 (900) 123-45-67", "anna@example.ru", "8(900)", "\x00@\xff.ru"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := NormalizePhone(s); err == nil {
			if again, err := NormalizePhone(p); err != nil || again != p {
				t.Fatalf("NormalizePhone is not stable on %q: %q → %q, %v", s, p, again, err)
			}
		}
		if e, err := NormalizeEmail(s); err == nil {
			if again, err := NormalizeEmail(e); err != nil || again != e {
				t.Fatalf("NormalizeEmail is not stable on %q: %q → %q, %v", s, e, again, err)
			}
		}
		normalizeAddress(s)
	})
}
