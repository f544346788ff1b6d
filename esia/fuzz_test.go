package esia

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/url"
	"testing"

	"github.com/sep-platform/sep/gost/gost3410"
)

func FuzzParseCallback(f *testing.F) {
	for _, s := range []string{
		"code=eyJhbGciOi.x.y&state=0f8fad5b-d9cb-469f-a165-70867728950e",
		"error=access_denied&error_description=ESIA-007004%3A+The+user+has+denied+access&state=0f8fad5b-d9cb-469f-a165-70867728950e",
		"error=unauthorized_client&error_description=ESIA-007005",
		"code=a&code=b&state=0f8fad5b-d9cb-469f-a165-70867728950e",
		"code=%00&state=x", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		cb, err := ParseCallback(q)
		if err != nil {
			var e *Error
			if errors.As(err, &e) && e.State != "" && !IsUUID(e.State) {
				t.Fatalf("an error with a non-UUID state %q", e.State)
			}
			return
		}
		if cb.Code == "" || len(cb.Code) > maxCode || !IsUUID(cb.State) {
			t.Fatalf("accepted %+v", cb)
		}
		if q.Get("error") != "" {
			t.Fatal("an error answer was taken for a code")
		}
	})
}

func FuzzParseJWT(f *testing.F) {
	f.Add(unsigned(`{"ver":1,"typ":"JWT","sbt":"access","alg":"GOST3410_2012_256"}`,
		`{"nbf":1,"exp":2,"scope":"openid?oid=1","urn:esia:sbj_id":1,"urn:esia:sbj":{"urn:esia:sbj:is_tru":true,"urn:esia:sbj:lvl":"3"}}`) + "AAAA")
	f.Add(unsigned(`{"alg":"RS256"}`, `{"aud":["a","b"],"sub":"12","amr":["PWD","DS"]}`))
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := ParseJWT(raw)
		if err != nil {
			if !errors.Is(err, ErrMalformedToken) {
				t.Fatalf("an error not marked malformed: %v", err)
			}
			return
		}
		_ = tok.Claims.OID()
		_ = tok.Claims.Scopes()
		_ = tok.Claims.Trusted()
		_ = tok.Claims.Level()
		// Nothing the fuzzer makes is signed by a key it does not have.
		if err := verifySignature(tok, fuzzKeys); err == nil {
			t.Fatalf("an unsigned token verified: %q", raw)
		}
	})
}

// fuzzKeys are a GOST and an RSA provider key.
var fuzzKeys = func() []crypto.PublicKey {
	c, _ := gost3410.CurveByName("tc26-256-A")
	g, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		panic(err)
	}
	r, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return []crypto.PublicKey{g.PublicKey(), &r.PublicKey}
}()

func FuzzTokenResponse(f *testing.F) {
	f.Add(200, `{"access_token":"a.b.c","id_token":"d.e.f","state":"0f8fad5b-d9cb-469f-a165-70867728950e","token_type":"Bearer","expires_in":3600}`)
	f.Add(400, `{"error":"invalid_grant","error_description":"ESIA-007011: code expired","state":"x"}`)
	f.Add(502, `<html>`)
	f.Add(200, `{"access_token":"","token_type":"MAC"}`)
	f.Fuzz(func(t *testing.T, status int, body string) {
		tr, err := parseTokenResponse(status, "application/json", []byte(body))
		if err != nil {
			return
		}
		if status != 200 || tr.AccessToken == "" || tr.Error != "" {
			t.Fatalf("accepted HTTP %d %q", status, body)
		}
	})
}

func FuzzCollection(f *testing.F) {
	f.Add(`{"stateFacts":["hasSize"],"size":2,"elements":["https://esia.example.ru/rs/prns/1/ctts/1",{"id":2,"type":"EML","value":"a@example.ru"}]}`)
	f.Add(`{"elements":[1]}`)
	f.Fuzz(func(t *testing.T, body string) {
		var c Collection[Contact]
		if err := json.Unmarshal([]byte(body), &c); err != nil {
			return
		}
		var p Person
		_ = json.Unmarshal([]byte(`{"contacts":`+body+`}`), &p)
		_, _ = p.Contact(ContactEmail)
	})
}
