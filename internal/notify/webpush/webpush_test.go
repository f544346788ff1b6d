package webpush

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

func unb64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRFC8291Vector is the example of RFC 8291 Appendix A, as published: the application
// server's key and the salt fixed, the body must come out byte for byte, and the user agent's
// private key must read it back.
func TestRFC8291Vector(t *testing.T) {
	const (
		plaintext = "When I grow up, I want to be a watermelon"
		asPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
		asPublic  = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
		uaPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
		uaPublic  = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
		salt      = "DGv6ra1nlYgDCS1FRnbzlw"
		auth      = "BTBZMqHH6r4Tts7J_aSIgg"
		body      = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
	)
	as, err := ecdh.P256().NewPrivateKey(unb64(t, asPrivate))
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.RawURLEncoding.EncodeToString(as.PublicKey().Bytes()); got != asPublic {
		t.Fatalf("application server public key %s, want %s", got, asPublic)
	}
	out, err := EncryptWith([]byte(plaintext), unb64(t, uaPublic), unb64(t, auth), as, unb64(t, salt))
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.RawURLEncoding.EncodeToString(out); got != body {
		t.Fatalf("body\n got %s\nwant %s", got, body)
	}
	ua, err := ecdh.P256().NewPrivateKey(unb64(t, uaPrivate))
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decrypt(unb64(t, body), ua, unb64(t, auth))
	if err != nil || string(back) != plaintext {
		t.Fatalf("Decrypt = %q, %v", back, err)
	}
}

func TestEncryptRoundTripAndLimits(t *testing.T) {
	ua, _ := ecdh.P256().GenerateKey(rand.Reader)
	auth := make([]byte, AuthSize)
	rand.Read(auth)
	msg := bytes.Repeat([]byte("я"), MaxPayload/2)
	a, err := Encrypt(msg, ua.PublicKey().Bytes(), auth)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Encrypt(msg, ua.PublicKey().Bytes(), auth)
	if bytes.Equal(a, b) {
		t.Fatal("two encryptions of one message are equal: the salt or the key is not fresh")
	}
	if back, err := Decrypt(a, ua, auth); err != nil || !bytes.Equal(back, msg) {
		t.Fatalf("round trip: %v", err)
	}
	a[len(a)-1] ^= 1
	if _, err := Decrypt(a, ua, auth); err == nil {
		t.Fatal("a changed body decrypted")
	}
	if _, err := Encrypt(make([]byte, MaxPayload+1), ua.PublicKey().Bytes(), auth); err != ErrPayloadTooLarge {
		t.Fatalf("oversized payload: %v", err)
	}
	if _, err := Encrypt(msg, []byte("not a point"), auth); err == nil {
		t.Fatal("a bad p256dh was accepted")
	}
	if _, err := Encrypt(msg, ua.PublicKey().Bytes(), auth[:8]); err == nil {
		t.Fatal("a short auth secret was accepted")
	}
}

func TestVAPIDTokenVerifies(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	v := &VAPID{Key: k, Subject: "https://sep.example.ru"}
	exp := time.Now().Add(12 * time.Hour).Truncate(time.Second)
	h, err := v.Authorization("https://push.example.net:8443/send/abc?x=1", exp)
	if err != nil {
		t.Fatal(err)
	}
	c, key, err := Verify(h)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := v.PublicKey()
	if key != pub || c.Audience != "https://push.example.net:8443" || c.Expires != exp.Unix() || c.Subject != v.Subject {
		t.Fatalf("claims %+v, key %s", c, key)
	}
	// A token signed by another key under this key's name fails.
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	h2, _ := (&VAPID{Key: other, Subject: v.Subject}).Authorization("https://push.example.net/x", exp)
	forged := h2[:strings.Index(h2, ", k=")] + ", k=" + pub
	if _, _, err := Verify(forged); err == nil {
		t.Fatal("a token signed by another key verified")
	}
}
