package esia_test

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"

	"github.com/sep-platform/sep/esia"
)

// A system signs citizens in through ЕСИА's test stand, with its key in
// CryptoPro (csptest). The handlers keep the state in a cookie; a real
// system keeps it in its session.
func Example() {
	cert, _ := os.ReadFile("/etc/sep/esia/system.cer") // the certificate registered for the mnemonic
	esiaCert, _ := os.ReadFile("/etc/sep/esia/tesia-gost-2012.cer")
	client, err := esia.New(esia.Config{
		BaseURL:     esia.TestHost,
		ClientID:    "MYSYSTEM",
		Certificate: cert,
		Signer: &esia.CommandSigner{
			Path: "/opt/cprocsp/bin/amd64/csptest",
			Args: []string{"-keyset", "-sign", "GOST12_256", "-container", "MYSYSTEM", "-keytype", "exchange",
				"-in", "{in}", "-out", "{out}"},
			Reverse: true, // csptest writes the signature little-endian
		},
		RedirectURI:          "https://my.example.ru/esia/callback",
		Scopes:               []string{"openid", "fullname", "birthdate", "snils", "email", "mobile"},
		ProviderCertificates: [][]byte{esiaCert},
		Issuer:               "http://esia-portal1.test.gosuslugi.ru/",
	})
	if err != nil {
		log.Fatal(err)
	}

	http.HandleFunc("GET /esia/start", func(w http.ResponseWriter, r *http.Request) {
		state := esia.NewState()
		req, err := client.AuthURL(r.Context(), state, esia.AuthOptions{})
		if err != nil {
			http.Error(w, "ESIA is unavailable", http.StatusBadGateway)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "esia_state", Value: state, Path: "/esia/", HttpOnly: true, Secure: true})
		http.Redirect(w, r, req.URL, http.StatusFound)
	})

	http.HandleFunc("GET /esia/callback", func(w http.ResponseWriter, r *http.Request) {
		cb, err := esia.ParseCallback(r.URL.Query())
		if errors.Is(err, esia.ErrDeclined) {
			http.Redirect(w, r, "/", http.StatusFound) // the citizen said no
			return
		}
		sent, _ := r.Cookie("esia_state")
		if err != nil || sent == nil || cb.CheckState(sent.Value) != nil {
			http.Error(w, "sign-in failed", http.StatusBadRequest)
			return
		}
		tok, err := client.Exchange(r.Context(), cb.Code, esia.ExchangeOptions{})
		if err != nil {
			http.Error(w, "sign-in failed", http.StatusBadGateway)
			return
		}
		p, err := client.Person(r.Context(), tok.AccessToken, tok.OID(), esia.EmbedContacts, esia.EmbedDocuments)
		if err != nil {
			http.Error(w, "no person data", http.StatusBadGateway)
			return
		}
		fmt.Fprintf(w, "%s %s, confirmed account: %v", p.FirstName, p.LastName, tok.Trusted())
	})
}

// The strings client_secret signs.
func ExampleMessage() {
	m := esia.Message{
		ClientID:    "MYSYSTEM",
		Scope:       "openid fullname",
		Timestamp:   "2025.09.02 13:00:29 +0300",
		State:       "0f8fad5b-d9cb-469f-a165-70867728950e",
		RedirectURI: "https://my.example.ru/esia/callback",
		Code:        "CODE",
	}
	fmt.Println(m.V2())
	fmt.Println(m.V3())
	fmt.Println(m.V1())
	// Output:
	// MYSYSTEMopenid fullname2025.09.02 13:00:29 +03000f8fad5b-d9cb-469f-a165-70867728950ehttps://my.example.ru/esia/callback
	// MYSYSTEMopenid fullname2025.09.02 13:00:29 +03000f8fad5b-d9cb-469f-a165-70867728950ehttps://my.example.ru/esia/callbackCODE
	// openid fullname2025.09.02 13:00:29 +0300MYSYSTEM0f8fad5b-d9cb-469f-a165-70867728950e
}

func ExampleParseCallback() {
	q, _ := url.ParseQuery("error=access_denied&error_description=ESIA-007004%3A+The+user+has+denied+access&state=0f8fad5b-d9cb-469f-a165-70867728950e")
	_, err := esia.ParseCallback(q)
	var e *esia.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, e.OAuth, errors.Is(err, esia.ErrDeclined))
	}
	// Output: ESIA-007004 access_denied true
}
