package audit

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/gost/streebog"
)

// TestEncodingIsTheDocumentedBytes writes the encoding of one entry out by hand from the
// package documentation, so that the format cannot drift from what auditors are told.
func TestEncodingIsTheDocumentedBytes(t *testing.T) {
	e := Entry{Seq: 258, At: time.Date(2030, 1, 2, 3, 4, 5, 6000, time.FixedZone("MSK", 3*3600)),
		ActorKind: ActorCitizen, ActorID: "u1", Action: "a.b", ObjectType: "t", ObjectID: "o",
		IP: "192.0.2.1", UserAgent: "Я", Outcome: Success, Details: map[string]string{"z": "1", "a": "2"}}
	str := func(s string) string {
		n := len(s)
		return hex.EncodeToString([]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}) + hex.EncodeToString([]byte(s))
	}
	want := "01" + "0000000000000102" + str("2030-01-02T00:04:05.000006Z") +
		str("citizen") + str("u1") + str("") + str("a.b") + str("t") + str("o") +
		str("192.0.2.1") + str("Я") + str("success") +
		"00000002" + str("a") + str("2") + str("z") + str("1")
	if got := hex.EncodeToString(e.Encode()); got != want {
		t.Fatalf("encoding\n got %s\nwant %s", got, want)
	}
	e.PrevHash = Hash{1, 2, 3}
	sum := streebog.Sum256(append(append([]byte{}, e.PrevHash[:]...), e.Encode()...))
	if e.ComputeHash() != Hash(sum) {
		t.Fatal("the hash is not Streebog-256(previous hash ‖ encoding)")
	}
}

// TestEncodingSeparatesFields: moving a byte from one field to the next changes the
// encoding (the length prefixes make it unambiguous).
func TestEncodingSeparatesFields(t *testing.T) {
	a := Entry{ActorKind: ActorSystem, Action: "a.b", ObjectType: "x", ObjectID: "yz"}
	b := Entry{ActorKind: ActorSystem, Action: "a.b", ObjectType: "xy", ObjectID: "z"}
	if bytes.Equal(a.Encode(), b.Encode()) {
		t.Fatal("two different entries encode alike")
	}
	c := Entry{ActorKind: ActorSystem, Action: "a.b", Details: map[string]string{"k": "v"}}
	d := Entry{ActorKind: ActorSystem, Action: "a.b", Details: map[string]string{"kv": ""}}
	if bytes.Equal(c.Encode(), d.Encode()) {
		t.Fatal("two different detail maps encode alike")
	}
}

func TestParseHash(t *testing.T) {
	h := Hash{0xab, 0xcd}
	if p, err := ParseHash(h.String()); err != nil || p != h {
		t.Fatalf("round trip: %v %v", p, err)
	}
	for _, bad := range []string{"", "ab", strings.Repeat("g", 64), strings.Repeat("a", 63), strings.Repeat("a", 66)} {
		if _, err := ParseHash(bad); err == nil {
			t.Errorf("ParseHash(%q) accepted", bad)
		}
	}
}

// FuzzNormalise: no input makes validation panic, and whatever it accepts encodes, keeps to
// the documented limits and never spells a phone, passport, СНИЛС or ИНН.
func FuzzNormalise(f *testing.F) {
	f.Add("citizen", "user-1", "application.submit", "application", "app-1", "192.0.2.1", "UA", "attempt_count", "1")
	f.Add("system", "", "system.start", "", "", "", "", "version", "v1.2.3+dirty")
	f.Add("citizen", "4510123456", "a.b", "t", "1", "::1", "\xff\x00", "k", "+79161234567")
	f.Add("citizen", "tel-7-900-123-45-67", "a.b", "migration", "0050", "", "", "n_count", "123456789")
	f.Fuzz(func(t *testing.T, kind, actor, action, otype, oid, ip, ua, k, v string) {
		e := Entry{ActorKind: ActorKind(kind), ActorID: actor, Action: action, ObjectType: otype, ObjectID: oid,
			IP: ip, UserAgent: ua, Details: map[string]string{k: v}}
		if err := e.normalise(); err != nil {
			return
		}
		for _, s := range []string{e.ActorID, e.OrgID, e.ObjectID, v} {
			if personalNumber.MatchString(s) || len(s) > maxToken {
				t.Fatalf("accepted %q", s)
			}
		}
		if len(e.UserAgent) > maxUserAgent || strings.ContainsAny(e.UserAgent, "\r\n\x00") {
			t.Fatalf("user agent %q kept", e.UserAgent)
		}
		_ = e.Encode()
	})
}
