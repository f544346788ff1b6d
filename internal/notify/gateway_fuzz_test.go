package notify

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sep-platform/sep/internal/config"
)

// fuzzPassword is the SMTP password of the fuzzed URLs: no error may repeat it.
const fuzzPassword = "Pa55-w0rd-only-here"

// FuzzNewSMTP: whatever scheme, host, port and tls= parameter SEP_SMTP_URL holds, NewSMTP
// accepts only the documented forms, lets mail go without TLS only to this machine, and never
// repeats the password in its refusal.
func FuzzNewSMTP(f *testing.F) {
	for _, s := range [][4]string{
		{"smtp", "mail.example.ru", "587", ""}, {"smtp", "mail.example.ru", "", "starttls"},
		{"smtp", "mail.example.ru", "25", "opportunistic"}, {"smtp", "127.0.0.1", "25", "none"},
		{"smtp", "[::1]", "25", "none"}, {"smtp", "localhost", "", "none"}, {"smtp", "mail.example.ru", "", "none"},
		{"smtps", "mail.example.ru", "465", "none"}, {"smtp", "mail.example.ru", "99999", "mandatory"},
		{"smtp", "mail.example.ru", "", "NONE"}, {"http", "mail.example.ru", "", ""}, {"smtp", "", "25", ""},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, scheme, host, port, tlsParam string) {
		u := &url.URL{Scheme: scheme, User: url.UserPassword("robot", fuzzPassword), Host: host,
			RawQuery: url.Values{"tls": {tlsParam}}.Encode()}
		if port != "" {
			u.Host += ":" + port
		}
		raw := u.String()
		tr, err := NewSMTP(SMTPOptions{URL: raw, From: "СЭП <noreply@sep.example.ru>"})
		if err != nil {
			if strings.Contains(err.Error(), fuzzPassword) || strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("%s: the refusal %q repeats the password or spans lines", raw, err)
			}
			return
		}
		parsed, perr := url.Parse(raw)
		if perr != nil {
			t.Fatalf("%s accepted but not a URL: %v", raw, perr)
		}
		if tr.host != parsed.Hostname() || tr.port < 1 || tr.port > 65535 {
			t.Fatalf("%s: host %q port %d", raw, tr.host, tr.port)
		}
		switch parsed.Scheme {
		case "smtps":
		case "smtp":
			switch p := parsed.Query().Get("tls"); p {
			case "", "starttls", "mandatory", "opportunistic":
			case "none":
				if !config.LoopbackHost(tr.host) {
					t.Fatalf("%s: mail without TLS to %q, not this machine", raw, tr.host)
				}
			default:
				t.Fatalf("%s: tls=%q accepted", raw, p)
			}
		default:
			t.Fatalf("%s: scheme %q accepted", raw, parsed.Scheme)
		}
	})
}

// FuzzSMSBodyTemplate: any SEP_SMS_BODY is either refused as the Body option at start-up or
// renders (or fails to) without a panic on hostile data.
func FuzzSMSBodyTemplate(f *testing.F) {
	for _, s := range []string{"", DefaultSMSBody, "to={{query .PhoneDigits}}&msg={{query .Text}}&id={{query .ID}}",
		"<sms><to>{{xml .Phone}}</to><text>{{xml .Text}}</text></sms>", "{{.Nope}}", "{{", "{{index .Text 3}}",
		"{{if .Sender}}{{json .Sender}}{{else}}null{{end}}", "{{printf \"%q\" .Kind}}", "{{json 1}}", "{{.Text.Foo}}"} {
		f.Add(s, "Код: 123456 \"<&>'\x00\xff")
	}
	f.Fuzz(func(t *testing.T, body, text string) {
		tr, err := NewSMS(SMSOptions{URL: "https://sms.example.ru/send", Body: body})
		if err != nil {
			var oe *SMSOptionError
			if !errors.As(err, &oe) || oe.Option != "Body" {
				t.Fatalf("body %q: %v is not a Body option error", body, err)
			}
			return
		}
		tr.render(smsData{ID: text, Phone: text, PhoneDigits: text, Text: text, Sender: text, Kind: text})
	})
}

// FuzzSMSBodyData: the documented body forms (the default JSON, a form and an XML body built
// with the json, query and xml functions) carry any phone, text, id and sender through
// unchanged: hostile data cannot add a field or break the body.
func FuzzSMSBodyData(f *testing.F) {
	f.Add("+79001234567", "Код для входа: 123456", "dlv-1", "")
	f.Add("+7\"},\"to\":\"+1", "a&to=+1&b=</text><to>1</to>", "id\x00\xff", "SEP")
	f.Add("", "\r\n\t\u2028 <![CDATA[", "%zz+", "{{.Text}}")
	jsonT := newSMSTemplate(f, DefaultSMSBody)
	formT := newSMSTemplate(f, "to={{query .PhoneDigits}}&msg={{query .Text}}&id={{query .ID}}&from={{query .Sender}}")
	xmlT := newSMSTemplate(f, "<sms><to>{{xml .Phone}}</to><text>{{xml .Text}}</text><id>{{xml .ID}}</id></sms>")
	f.Fuzz(func(t *testing.T, phone, text, id, sender string) {
		d := smsData{ID: id, Phone: phone, PhoneDigits: phone, Text: text, Sender: sender, Kind: "signin_code"}

		b, err := jsonT.render(d)
		if err != nil {
			t.Fatalf("json body: %v", err)
		}
		var got map[string]string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("json body %q: %v", b, err)
		}
		want := map[string]string{"to": phone, "text": text, "client_id": id}
		if sender != "" {
			want["from"] = sender
		}
		if len(got) != len(want) {
			t.Fatalf("json body %q: fields %v", b, got)
		}
		for k, v := range want {
			if utf8.ValidString(v) && got[k] != v { // invalid UTF-8 becomes U+FFFD
				t.Fatalf("json body %q: %s = %q, want %q", b, k, got[k], v)
			}
		}

		b, err = formT.render(d)
		if err != nil {
			t.Fatalf("form body: %v", err)
		}
		q, err := url.ParseQuery(string(b))
		if err != nil || len(q) != 4 || q.Get("to") != phone || q.Get("msg") != text || q.Get("id") != id || q.Get("from") != sender {
			t.Fatalf("form body %q: %v %v", b, q, err)
		}

		b, err = xmlT.render(d)
		if err != nil {
			t.Fatalf("xml body: %v", err)
		}
		var x struct {
			To   string `xml:"to"`
			Text string `xml:"text"`
			ID   string `xml:"id"`
		}
		err = xml.Unmarshal(b, &x)
		if !xmlText(phone) || !xmlText(text) || !xmlText(id) {
			return // XML 1.0 cannot carry these characters at all
		}
		if err != nil || x.To != phone || x.Text != text || x.ID != id {
			t.Fatalf("xml body %q: %+v %v", b, x, err)
		}
	})
}

func newSMSTemplate(t testing.TB, body string) *SMSTransport {
	t.Helper()
	tr, err := NewSMS(SMSOptions{URL: "https://sms.example.ru/send", Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// xmlText reports whether XML 1.0 character data carries s unchanged: valid UTF-8 of XML's
// characters, without the CR that parsers turn into LF.
func xmlText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' || r == 0xFFFE || r == 0xFFFF {
			return false
		}
	}
	return true
}
