package notify

import (
	"bytes"
	"crypto/tls"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

const fromAddr = "СЭП <noreply@sep.example.ru>"

func newSMTPTransport(t *testing.T, rawURL string, tlsConf *tls.Config) *SMTPTransport {
	t.Helper()
	tr, err := NewSMTP(SMTPOptions{URL: rawURL, From: fromAddr, TLSConfig: tlsConf})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func statusMessage(email string) Message {
	return Message{Kind: ApplicationStatus, To: Recipient{Email: email, Lang: "ru"},
		Data: map[string]any{"Number": "2026-000123", "Service": "Электронный паспорт",
			"Status": "Принято к рассмотрению", "Path": "/applications/2026-000123"}}
}

// parts reads a multipart/alternative body into content type → decoded text.
func parts(t *testing.T, msg *mail.Message) map[string]string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	out := map[string]string{}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, cp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if cp["charset"] != "UTF-8" && cp["charset"] != "utf-8" {
			t.Errorf("part %s charset %q", ct, cp["charset"])
		}
		b, _ := io.ReadAll(p)
		out[ct] = string(b)
	}
	return out
}

func TestSMTPDelivery(t *testing.T) {
	for _, mode := range []string{"starttls", "implicit-tls"} {
		t.Run(mode, func(t *testing.T) {
			srv, clientTLS := startMailServer(t, mode == "implicit-tls", nil)
			scheme := "smtp"
			if mode == "implicit-tls" {
				scheme = "smtps"
			}
			tr := newSMTPTransport(t, scheme+"://sep:p%40ss%3Aword@"+srv.Addr, clientTLS)
			d := dbtest.Open(t, dbtest.SQLiteURL(t))
			n := newTestNotifier(t, d, Options{Transports: map[Channel]Transport{Email: tr}})
			runWorkers(t, n)
			id := send(t, n, statusMessage("Anna.Test@Example.RU"))
			ds := waitFinal(t, n, id)
			if len(ds) != 1 || ds[0].State != Sent || !strings.HasPrefix(ds[0].Receipt, "2") {
				t.Fatalf("deliveries: %+v", ds)
			}
			got := srv.received()
			if len(got) != 1 {
				t.Fatalf("the server got %d messages", len(got))
			}
			r := got[0]
			if !r.TLS || r.User != "sep" || r.From != "noreply@sep.example.ru" || len(r.To) != 1 || r.To[0] != "Anna.Test@example.ru" {
				t.Fatalf("envelope: TLS %v, user %q, from %q, to %q", r.TLS, r.User, r.From, r.To)
			}
			msg, err := mail.ReadMessage(bytes.NewReader(r.Data))
			if err != nil {
				t.Fatal(err)
			}
			dec := new(mime.WordDecoder)
			from, _ := dec.DecodeHeader(msg.Header.Get("From"))
			subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
			if from != `"СЭП" <noreply@sep.example.ru>` && from != "СЭП <noreply@sep.example.ru>" {
				t.Errorf("From: %q", from)
			}
			if to := msg.Header.Get("To"); to != "<Anna.Test@example.ru>" && to != "Anna.Test@example.ru" {
				t.Errorf("To: %q", to)
			}
			if subject != "Заявление 2026-000123: Принято к рассмотрению" {
				t.Errorf("Subject: %q", subject)
			}
			if mid := msg.Header.Get("Message-ID"); mid != "<"+ds[0].ID+"@sep.example.ru>" {
				t.Errorf("Message-ID %q, want one made of the delivery id %s", mid, ds[0].ID)
			}
			if msg.Header.Get("Auto-Submitted") != "auto-generated" || msg.Header.Get("Content-Language") != "ru" {
				t.Errorf("headers: %v", msg.Header)
			}
			p := parts(t, msg)
			if !strings.Contains(p["text/plain"], "Статус вашего заявления № 2026-000123 («Электронный паспорт») изменился: Принято к рассмотрению.") ||
				!strings.Contains(p["text/plain"], "https://sep.example.ru/applications/2026-000123") {
				t.Errorf("text part: %q", p["text/plain"])
			}
			if !strings.Contains(p["text/html"], `<html lang="ru">`) || !strings.Contains(p["text/html"], "<strong>Принято к рассмотрению</strong>") {
				t.Errorf("HTML part: %q", p["text/html"])
			}
		})
	}
}

func TestSMTPFailures(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		t.Run("4xx is retried", func(t *testing.T) {
			srv, clientTLS := startMailServer(t, false, func(n int) error {
				if n == 1 {
					return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later, anna@example.ru"}
				}
				return nil
			})
			n := newTestNotifier(t, d, Options{Transports: map[Channel]Transport{
				Email: newSMTPTransport(t, "smtp://sep:p%40ss%3Aword@"+srv.Addr, clientTLS)}})
			runWorkers(t, n)
			ds := waitFinal(t, n, send(t, n, statusMessage("anna@example.ru")))
			if ds[0].State != Sent || ds[0].Attempts != 2 || !strings.Contains(ds[0].Reason, "451") {
				t.Fatalf("after a 451: %+v", ds[0])
			}
			if got := srv.received(); len(got) != 1 {
				t.Fatalf("the server got %d messages, want 1", len(got))
			}
		})
		t.Run("5xx fails at once", func(t *testing.T) {
			srv, clientTLS := startMailServer(t, false, func(int) error {
				return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user anna@example.ru"}
			})
			n := newTestNotifier(t, d, Options{Transports: map[Channel]Transport{
				Email: newSMTPTransport(t, "smtp://sep:p%40ss%3Aword@"+srv.Addr, clientTLS)}})
			runWorkers(t, n)
			ds := waitFinal(t, n, send(t, n, statusMessage("anna@example.ru")))
			if ds[0].State != Failed || ds[0].Attempts != 1 || !strings.Contains(ds[0].Reason, "550 5.1.1") ||
				!strings.Contains(ds[0].Reason, "RCPT") {
				t.Fatalf("after a 550: %+v", ds[0])
			}
			if strings.Contains(ds[0].Reason, "anna") {
				t.Fatalf("the failure reason holds the address: %q", ds[0].Reason)
			}
			if got := srv.received(); len(got) != 0 {
				t.Fatalf("the server accepted %d messages", len(got))
			}
		})
		t.Run("wrong password fails for good", func(t *testing.T) {
			srv, clientTLS := startMailServer(t, false, nil)
			n := newTestNotifier(t, d, Options{Transports: map[Channel]Transport{
				Email: newSMTPTransport(t, "smtp://sep:wrong@"+srv.Addr, clientTLS)}})
			runWorkers(t, n)
			ds := waitFinal(t, n, send(t, n, statusMessage("anna@example.ru")))
			if ds[0].State != Failed || !strings.Contains(ds[0].Reason, "535") {
				t.Fatalf("with a wrong password: %+v", ds[0])
			}
		})
		t.Run("an untrusted certificate is not sent to", func(t *testing.T) {
			srv, _ := startMailServer(t, false, nil)
			n := newTestNotifier(t, d, Options{MaxAttempts: 2, Transports: map[Channel]Transport{
				Email: newSMTPTransport(t, "smtp://sep:p%40ss%3Aword@"+srv.Addr, nil)}})
			runWorkers(t, n)
			ds := waitFinal(t, n, send(t, n, statusMessage("anna@example.ru")))
			if ds[0].State != Failed || !strings.Contains(ds[0].Reason, "gave up after 2 attempts") ||
				!strings.Contains(ds[0].Reason, "certificate") {
				t.Fatalf("with an untrusted certificate: %+v", ds[0])
			}
			if len(srv.received()) != 0 {
				t.Fatal("a message went over an unverified connection")
			}
		})
	})
}

func TestNewSMTPRefusesBadSettings(t *testing.T) {
	for _, c := range []struct{ url, from string }{
		{"smtp://", "a@b.ru"},
		{"http://mail.example.ru", "a@b.ru"},
		{"smtp://mail.example.ru?tls=none", "a@b.ru"},
		{"smtp://mail.example.ru?tls=maybe", "a@b.ru"},
		{"smtp://mail.example.ru:99999", "a@b.ru"},
		{"smtp://mail.example.ru", "not an address"},
	} {
		if _, err := NewSMTP(SMTPOptions{URL: c.url, From: c.from}); err == nil {
			t.Errorf("NewSMTP(%q, %q) accepted", c.url, c.from)
		}
	}
	if _, err := NewSMTP(SMTPOptions{URL: "smtp://127.0.0.1:25?tls=none", From: "a@b.ru"}); err != nil {
		t.Errorf("a local relay without TLS: %v", err)
	}
}
