package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/ruid"
)

// SMTPOptions configure the e-mail transport.
type SMTPOptions struct {
	// URL of the mail gateway: smtp://user:password@host:587 (STARTTLS, required unless
	// ?tls=opportunistic or ?tls=none, the latter only for a relay on the same host) or
	// smtps://user:password@host:465 (implicit TLS). User info, if any, is used to
	// authenticate, with the strongest mechanism the server offers.
	URL string
	// From is the sender, "СЭП <noreply@sep.example.ru>" or a bare address. Its domain also
	// names the Message-IDs.
	From string
	// TLSConfig overrides the TLS settings (tests trust their own CA here). Nil: the system's
	// roots, TLS 1.2 or newer.
	TLSConfig *tls.Config
	Timeout   time.Duration // one SMTP conversation; default 15s
}

// SMTPTransport sends e-mail through an SMTP server. Each delivery is one conversation: a
// multipart/alternative message (text and HTML, UTF-8) whose Message-ID is derived from the
// delivery id, so that a repeat after a crash is the same message to every mail system.
type SMTPTransport struct {
	host   string
	port   int
	opts   []mail.Option
	from   string
	domain string
}

// NewSMTP checks the options and returns the transport. It does not connect.
func NewSMTP(opt SMTPOptions) (*SMTPTransport, error) {
	u, err := url.Parse(opt.URL)
	if err != nil || u.Hostname() == "" {
		return nil, errors.New("not a URL (want smtp://user:password@host:587 or smtps://…)")
	}
	from, err := netmail.ParseAddress(opt.From)
	if err != nil {
		return nil, fmt.Errorf("the sender %q is not an e-mail address", opt.From)
	}
	at := strings.LastIndexByte(from.Address, '@')
	t := &SMTPTransport{host: u.Hostname(), from: opt.From, domain: strings.ToLower(from.Address[at+1:])}
	if opt.Timeout <= 0 {
		opt.Timeout = 15 * time.Second
	}
	tlsConf := opt.TLSConfig
	if tlsConf == nil {
		tlsConf = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tlsConf = tlsConf.Clone()
	if tlsConf.ServerName == "" {
		tlsConf.ServerName = t.host
	}
	t.opts = []mail.Option{mail.WithTimeout(opt.Timeout), mail.WithTLSConfig(tlsConf), mail.WithHELO(t.domain)}
	switch u.Scheme {
	case "smtp":
		t.port = 587
		policy := mail.TLSMandatory
		switch tlsParam := u.Query().Get("tls"); tlsParam {
		case "", "starttls", "mandatory":
		case "opportunistic":
			policy = mail.TLSOpportunistic
		case "none":
			if !config.LoopbackHost(t.host) {
				return nil, errors.New("tls=none is allowed only for a relay on this host (localhost, 127.0.0.1)")
			}
			policy = mail.NoTLS
		default:
			return nil, fmt.Errorf("unknown tls=%q (want starttls, opportunistic or none)", tlsParam)
		}
		t.opts = append(t.opts, mail.WithTLSPortPolicy(policy))
	case "smtps":
		t.port = 465
		t.opts = append(t.opts, mail.WithSSL())
	default:
		return nil, fmt.Errorf("unsupported scheme %q (want smtp or smtps)", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if t.port, err = strconv.Atoi(p); err != nil || t.port < 1 || t.port > 65535 {
			return nil, fmt.Errorf("bad port %q", p)
		}
	}
	t.opts = append(t.opts, mail.WithPort(t.port))
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		t.opts = append(t.opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(u.User.Username()), mail.WithPassword(pass))
	}
	return t, nil
}

// MessageID is the Message-ID header value (without brackets) of a delivery's e-mail.
func (t *SMTPTransport) MessageID(deliveryID string) string { return deliveryID + "@" + t.domain }

// Deliver sends one e-mail.
func (t *SMTPTransport) Deliver(ctx context.Context, d *Delivery) (string, error) {
	m := mail.NewMsg()
	if err := m.From(t.from); err != nil {
		return "", Permanent(errors.New("smtp: the sender address is not valid"))
	}
	// Addresses are stored in ruid's canonical form; DNS and SMTP need the domain in ASCII.
	to, err := ruid.ParseEmail(d.Address)
	if err != nil {
		return "", Permanent(errors.New("smtp: the recipient address is not valid"))
	}
	if err := m.To(to.ASCII()); err != nil {
		return "", Permanent(errors.New("smtp: the recipient address is not valid"))
	}
	m.Subject(d.Subject)
	m.SetMessageIDWithValue(t.MessageID(d.ID))
	m.SetDateWithValue(d.CreatedAt)
	m.SetGenHeader(mail.HeaderContentLang, d.Lang)
	// RFC 3834: keeps out-of-office replies from answering a robot.
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetBodyString(mail.TypeTextPlain, d.Text)
	if d.HTML != "" {
		m.AddAlternativeString(mail.TypeTextHTML, d.HTML)
	}
	c, err := mail.NewClient(t.host, t.opts...)
	if err != nil {
		return "", Permanent(fmt.Errorf("smtp: %w", err))
	}
	err = c.DialAndSendWithContext(ctx, m)
	if err != nil && !m.IsDelivered() {
		return "", smtpError(err)
	}
	// Delivered, even if the goodbye after the message failed.
	return clip(m.ServerResponse()), nil
}

// smtpError turns a go-mail error into a delivery error: 5xx replies are permanent, 4xx and
// network trouble temporary. Server reply texts are left out: they often quote the address.
func smtpError(err error) error {
	var se *mail.SendError
	if errors.As(err, &se) {
		e := fmt.Errorf("smtp: %d %s while %s", se.ErrorCode(), se.EnhancedStatusCode(), se.Reason)
		switch {
		case se.ErrorCode() >= 500, se.Reason == mail.ErrGetSender, se.Reason == mail.ErrGetRcpts:
			return Permanent(e)
		}
		return e
	}
	var tpe *textproto.Error
	if errors.As(err, &tpe) {
		// Greeting, STARTTLS or AUTH refused: the gateway or sep's settings are wrong.
		e := fmt.Errorf("smtp: %d while connecting (greeting, STARTTLS or AUTH)", tpe.Code)
		if tpe.Code >= 500 {
			return Permanent(e)
		}
		return e
	}
	// Network, TLS and protocol errors: the gateway may be back soon. Their texts name the
	// gateway's address, never the recipient's.
	return fmt.Errorf("smtp: %w", err)
}
