package passport

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/passport/qr"
)

// The QR code of a holder with long names stays within version 12 (65 modules; 10 for usual names), as
// docs/passport-seal.md states, so that a phone reads it from a screen.
func TestQRSize(t *testing.T) {
	c := &clock{t: time.Date(2025, 5, 20, 10, 0, 0, 0, time.UTC)}
	s := newService(t, dbtest.Open(t, dbtest.SQLiteURL(t)), c)
	for _, names := range [][2]string{{"Ли", "Ян"}, {"Тестова", "Анна Сергеевна"},
		{"Константинопольская-Верхнеудинская", "Александра-Виктория Вячеславовна"}} {
		h := DemoHolder(1)
		h.Surname, h.GivenNames = names[0], names[1]
		p, err := s.Issue(context.Background(), h)
		if err != nil {
			t.Fatal(err)
		}
		code, err := qr.Encode(p.Payload)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d + %d letters: payload %d characters, QR version %d (%d modules)", len([]rune(names[0])),
			len([]rune(names[1])), len(p.Payload), code.Version, code.Modules)
		if code.Version > 12 || strings.ContainsAny(p.Payload, "abcdefghijklmnopqrstuvwxyz") {
			t.Errorf("%s: version %d", names[0], code.Version)
		}
	}
}
