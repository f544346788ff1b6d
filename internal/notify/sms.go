package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"text/template"
	"time"
)

// DefaultSMSBody is the request body sent to an SMS gateway unless another is configured: JSON
// with the phone, the text and the delivery id as the client's message id (gateways that
// honour it drop a repeated request, which makes a retry after a crash harmless).
const DefaultSMSBody = `{"to":{{json .Phone}},"text":{{json .Text}},"client_id":{{json .ID}}{{if .Sender}},"from":{{json .Sender}}{{end}}}`

// SMSOptions configure the HTTP SMS gateway transport.
type SMSOptions struct {
	// URL the request is POSTed to. User info in it becomes HTTP basic authentication.
	URL string
	// Auth, if set, is one header sent with every request, "Name: value", e.g.
	// "Authorization: Bearer KEY" or "X-API-Key: KEY".
	Auth string
	// Body is a text/template of the request body (default DefaultSMSBody). Its data: .ID
	// (the delivery id, unique, for the gateway's client message id), .Phone (+79001234567),
	// .PhoneDigits (79001234567), .Text, .Sender, .Kind. Functions: json (a JSON string),
	// query (URL query escaping), xml (XML escaping).
	Body        string
	ContentType string // default application/json
	Sender      string // the sender name or number the gateway should show, if it takes one
	Client      *http.Client

	// Success, if set, must match the body of a 2xx answer for the message to count as sent:
	// many gateways (SMS.ru, SMSC and the like) answer 200 with an error in the body, e.g.
	// {"status":"ERROR","status_code":202}. An answer that does not match is a failed
	// delivery, retried like a 5xx.
	Success *regexp.Regexp
}

// SMSTransport sends SMS through an HTTP gateway. Every request also carries the delivery id
// in an Idempotency-Key header. A 2xx answer means sent (if its body matches Success, when
// set); 4xx (except 408 and 429) is a refusal for good; 408, 429, 5xx, a 2xx that does not
// match and network trouble are retried.
type SMSTransport struct {
	url         string
	user, pass  string
	header      [2]string
	body        *template.Template
	contentType string
	sender      string
	client      *http.Client
	success     *regexp.Regexp
}

type smsData struct {
	ID, Phone, PhoneDigits, Text, Sender, Kind string
}

// SMSOptionError names the SMS option that is wrong: "URL", "Auth" or "Body".
type SMSOptionError struct {
	Option string
	Err    error
}

func (e *SMSOptionError) Error() string { return e.Err.Error() }
func (e *SMSOptionError) Unwrap() error { return e.Err }

// NewSMS checks the options (the body template is tried on an example) and returns the
// transport.
func NewSMS(opt SMSOptions) (*SMSTransport, error) {
	u, err := url.Parse(opt.URL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, &SMSOptionError{"URL", errors.New("not an http(s) URL")}
	}
	t := &SMSTransport{contentType: opt.ContentType, sender: opt.Sender, client: opt.Client, success: opt.Success}
	if u.User != nil {
		t.user = u.User.Username()
		t.pass, _ = u.User.Password()
		u.User = nil
	}
	t.url = u.String()
	if opt.Auth != "" {
		name, value, ok := strings.Cut(opt.Auth, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || name == "" || value == "" || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(value, "\r\n") {
			return nil, &SMSOptionError{"Auth", errors.New(`the auth header must read "Name: value", e.g. "Authorization: Bearer KEY"`)}
		}
		t.header = [2]string{name, value}
	}
	if opt.Body == "" {
		opt.Body = DefaultSMSBody
	}
	if t.contentType == "" {
		t.contentType = "application/json"
	}
	if t.client == nil {
		t.client = &http.Client{Timeout: 15 * time.Second}
	}
	t.body, err = template.New("sms").Option("missingkey=error").Funcs(template.FuncMap{
		"json": func(s string) (string, error) {
			b, err := json.Marshal(s)
			return string(b), err
		},
		"query": url.QueryEscape,
		"xml":   template.HTMLEscapeString,
	}).Parse(opt.Body)
	if err != nil {
		return nil, &SMSOptionError{"Body", fmt.Errorf("the body template: %w", err)}
	}
	if _, err := t.render(smsData{ID: "id", Phone: "+70000000000", PhoneDigits: "70000000000", Text: "text", Kind: "test"}); err != nil {
		return nil, &SMSOptionError{"Body", fmt.Errorf("the body template: %w", err)}
	}
	return t, nil
}

func (t *SMSTransport) render(d smsData) ([]byte, error) {
	var b bytes.Buffer
	err := t.body.Execute(&b, d)
	return b.Bytes(), err
}

// Deliver sends one SMS.
func (t *SMSTransport) Deliver(ctx context.Context, d *Delivery) (string, error) {
	body, err := t.render(smsData{ID: d.ID, Phone: d.Address, PhoneDigits: strings.TrimPrefix(d.Address, "+"),
		Text: d.Short, Sender: t.sender, Kind: string(d.Kind)})
	if err != nil {
		return "", Permanent(errors.New("sms gateway: the body template failed"))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(body))
	if err != nil {
		return "", Permanent(fmt.Errorf("sms gateway: %w", err))
	}
	req.Header.Set("Content-Type", t.contentType)
	req.Header.Set("Idempotency-Key", d.ID)
	if t.user != "" {
		req.SetBasicAuth(t.user, t.pass)
	}
	if t.header[0] != "" {
		req.Header.Set(t.header[0], t.header[1])
	}
	resp, err := t.client.Do(req)
	if err != nil {
		// The error names the gateway's URL, not the phone (it is only in the body).
		return "", fmt.Errorf("sms gateway: %w", redactURLError(err))
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	// The answer's body is not kept, nor named in errors: gateways echo the phone number in it.
	receipt := "HTTP " + resp.Status
	switch c := resp.StatusCode; {
	case c >= 200 && c < 300 && t.success != nil && !t.success.Match(answer):
		return "", fmt.Errorf("sms gateway: %s, but the answer does not match the success pattern (SEP_SMS_SUCCESS)", receipt)
	case c >= 200 && c < 300:
		return receipt, nil
	case c == http.StatusRequestTimeout || c == http.StatusTooManyRequests || c >= 500:
		return "", fmt.Errorf("sms gateway: %s", receipt)
	default:
		return "", Permanent(fmt.Errorf("sms gateway: refused with %s", receipt))
	}
}

// redactURLError drops the query of the gateway URL from an error: gateways that take the
// key as a parameter would otherwise have it stored with the job.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		u, perr := url.Parse(ue.URL)
		if perr == nil {
			u.RawQuery, u.User = "", nil
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}
