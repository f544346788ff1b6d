package id

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/seal"
)

// Passkeys (WebAuthn): a key pair made by the person's device — a phone's or laptop's
// biometric unlock, or a security key — whose public half the account keeps. The relying
// party is the site's host (Options.SiteURL); a loopback address is served as "localhost",
// since browsers refuse passkeys on IP addresses, and any other IP address offers none.
// Ceremony state lives in flows (the sign-in flow, or an enrolment flow), never in a process.
//
//	StartPasskey ──flow "factor" (challenge)──▶ the browser creates the key ──FinishPasskey(name)──▶ the factor
//	sign-in: PasskeySignInOptions (challenge kept in the sign-in flow) ──the browser signs──▶ Check

var (
	passkeysTable = seal.Table{Name: "id_webauthn", Key: "id", Sealed: []string{"credential", "name"}}
	passkeyCred   = passkeysTable.Column("credential")
	passkeyName   = passkeysTable.Column("name")
)

// PasskeyNameMax is the longest name a passkey may be given, in characters.
const PasskeyNameMax = 64

var (
	// ErrPasskeysUnavailable: the site is reached at an address passkeys cannot be bound to.
	ErrPasskeysUnavailable = errs.E(errs.Unavailable, "id.passkey.unavailable", errors.New("id: passkeys need the site's domain name"))
	errPasskeyFailed       = errs.E(errs.Invalid, "id.passkey.failed", errors.New("id: the passkey's answer does not verify"))
	errPasskeyCloned       = errs.E(errs.Forbidden, "id.passkey.cloned", errors.New("id: the passkey's signature counter went back"))
)

// relyingParty returns the WebAuthn relying party of the site, or ErrPasskeysUnavailable.
func (s *Service) relyingParty() (*webauthn.WebAuthn, error) {
	if s.siteURL == nil {
		return nil, ErrPasskeysUnavailable
	}
	rpID, origin, ok := relyingPartyOf(s.siteURL())
	if !ok {
		return nil, ErrPasskeysUnavailable
	}
	return webauthn.New(&webauthn.Config{
		RPID:          rpID,
		RPDisplayName: i18n.Default().Printer(i18n.RU).T("layout.service_name"),
		RPOrigins:     []string{origin},
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementPreferred,
			UserVerification: protocol.VerificationPreferred,
		},
		AttestationPreference: protocol.PreferNoAttestation,
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: 5 * time.Minute, TimeoutUVD: 5 * time.Minute},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: 5 * time.Minute, TimeoutUVD: 5 * time.Minute},
		},
	})
}

// relyingPartyOf derives the relying party's id and origin from the site's address.
func relyingPartyOf(site string) (rpID, origin string, ok bool) {
	u, err := url.Parse(site)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" {
		return "", "", false
	}
	host := strings.ToLower(u.Hostname())
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return "", "", false
		}
		host = "localhost"
	}
	if u.Scheme == "http" && host != "localhost" {
		return "", "", false // browsers offer passkeys only in a secure context
	}
	origin = u.Scheme + "://" + host
	if p := u.Port(); p != "" {
		origin += ":" + p
	}
	return host, origin, true
}

// PasskeysAvailable reports whether passkeys can be used at the site's address.
func (s *Service) PasskeysAvailable() bool {
	_, err := s.relyingParty()
	return err == nil
}

// Passkey is one of an account's passkeys.
type Passkey struct {
	ID         string
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: not used to sign in yet
	cred       webauthn.Credential
}

// Passkeys lists the account's passkeys bound to the relying party in use, oldest first.
func (s *Service) Passkeys(ctx context.Context, accountID string) ([]Passkey, error) {
	w, err := s.relyingParty()
	if err != nil {
		return nil, nil
	}
	return s.passkeys(ctx, nil, accountID, w.Config.RPID)
}

func (s *Service) passkeys(ctx context.Context, x db.Querier, accountID, rpID string) ([]Passkey, error) {
	if x == nil {
		x = s.db.Reader()
	}
	rows, err := x.QueryContext(ctx, `SELECT id, credential, name, sign_count, created_at, last_used_at FROM id_webauthn
		WHERE account_id = $1 AND rp_id = $2 ORDER BY created_at, id`, accountID, rpID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Passkey
	for rows.Next() {
		var p Passkey
		var cred, name seal.Sealed
		var count int64
		var used sql.NullTime
		if err := rows.Scan(&p.ID, &cred, &name, &count, &p.CreatedAt, &used); err != nil {
			return nil, err
		}
		js, err := s.box.Open(passkeyCred, p.ID, cred)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(js, &p.cred); err != nil {
			return nil, fmt.Errorf("id: the passkey %s: %w", p.ID, err)
		}
		p.cred.Authenticator.SignCount = uint32(count)
		if p.Name, err = s.box.OpenString(passkeyName, p.ID, name); err != nil {
			return nil, err
		}
		p.CreatedAt, p.LastUsedAt = p.CreatedAt.UTC(), used.Time.UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

// passkeyUser is an account as go-webauthn sees it. The user handle is the account's id: an
// opaque random id that names nobody.
type passkeyUser struct {
	a    *Account
	keys []Passkey
}

func (u passkeyUser) WebAuthnID() []byte          { return []byte(u.a.ID) }
func (u passkeyUser) WebAuthnName() string        { return accountLabel(u.a) }
func (u passkeyUser) WebAuthnDisplayName() string { return accountLabel(u.a) }
func (u passkeyUser) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, len(u.keys))
	for i, k := range u.keys {
		out[i] = k.cred
	}
	return out
}

// PasskeyEnrolment is a passkey being added: the options the browser's
// navigator.credentials.create needs (JSON, the publicKey member).
type PasskeyEnrolment struct {
	Flow    *Flow
	Options string
}

// StartPasskey begins adding a passkey to the account: the challenge and the options are kept
// in a flow, sealed.
func (s *Service) StartPasskey(ctx context.Context, a *Account) (*PasskeyEnrolment, error) {
	w, err := s.relyingParty()
	if err != nil {
		return nil, err
	}
	keys, err := s.passkeys(ctx, nil, a.ID, w.Config.RPID)
	if err != nil {
		return nil, err
	}
	u := passkeyUser{a: a, keys: keys}
	creation, session, err := w.BeginRegistration(u, webauthn.WithExclusions(webauthn.Credentials(u.WebAuthnCredentials()).CredentialDescriptors()))
	if err != nil {
		return nil, fmt.Errorf("id: begin passkey registration: %w", err)
	}
	sj, err := json.Marshal(session)
	if err != nil {
		return nil, err
	}
	oj, err := json.Marshal(creation.Response)
	if err != nil {
		return nil, err
	}
	f, err := s.startFlow(ctx, nil, FlowFactor, MethodWebAuthn, a.ID, map[string]string{"session": string(sj),
		"options": string(oj), "rp": w.Config.RPID}, factorTTL)
	if err != nil {
		return nil, err
	}
	return &PasskeyEnrolment{Flow: f, Options: string(oj)}, nil
}

// PasskeyFlow returns the passkey enrolment of the account that token names.
func (s *Service) PasskeyFlow(ctx context.Context, a *Account, token string) (*PasskeyEnrolment, error) {
	f, err := s.factorFlow(ctx, nil, a, MethodWebAuthn, token)
	if err != nil {
		return nil, err
	}
	f.Token = token
	return &PasskeyEnrolment{Flow: f, Options: f.Data["options"]}, nil
}

// FinishPasskey verifies the browser's answer to an enrolment (credential: the
// PublicKeyCredential as JSON) and adds the passkey with the name its owner gave it. A
// missing name is the field error "name"; an answer that does not verify is
// "id.passkey.failed".
func (s *Service) FinishPasskey(ctx context.Context, r *http.Request, a *Account, token, name, credential string) (*Passkey, error) {
	name = strings.Join(strings.Fields(name), " ")
	switch {
	case name == "":
		return nil, errs.E(errs.Invalid, "id.form_invalid", FieldErrors{"name": errs.E(errs.Invalid, "id.passkey.name_needed", nil)})
	case utf8.RuneCountInString(name) > PasskeyNameMax:
		return nil, errs.E(errs.Invalid, "id.form_invalid", FieldErrors{"name": errs.E(errs.Invalid, "id.passkey.name_long", nil)})
	}
	w, err := s.relyingParty()
	if err != nil {
		return nil, err
	}
	var p *Passkey
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		f, err := s.factorFlow(ctx, tx, a, MethodWebAuthn, token)
		if err != nil {
			return err
		}
		if f.Data["rp"] != w.Config.RPID {
			return ErrFlowGone
		}
		var session webauthn.SessionData
		if err := json.Unmarshal([]byte(f.Data["session"]), &session); err != nil {
			return err
		}
		parsed, err := protocol.ParseCredentialCreationResponseBytes([]byte(credential))
		if err != nil {
			return errs.E(errs.Invalid, "id.passkey.failed", err)
		}
		keys, err := s.passkeys(ctx, tx, a.ID, w.Config.RPID)
		if err != nil {
			return err
		}
		cred, err := w.CreateCredential(passkeyUser{a: a, keys: keys}, session, parsed)
		if err != nil {
			return errs.E(errs.Invalid, "id.passkey.failed", err)
		}
		for _, k := range keys {
			if bytes.Equal(k.cred.ID, cred.ID) {
				return errs.E(errs.Conflict, "id.passkey.exists", errors.New("id: the passkey is added already"))
			}
		}
		cj, err := json.Marshal(cred)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		p = &Passkey{ID: db.NewID(), Name: name, CreatedAt: now, cred: *cred}
		if _, err := tx.ExecContext(ctx, `INSERT INTO id_webauthn (id, account_id, rp_id, credential, name, sign_count, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, p.ID, a.ID, w.Config.RPID, s.box.Seal(passkeyCred, p.ID, cj),
			s.box.SealString(passkeyName, p.ID, name), int64(cred.Authenticator.SignCount), now); err != nil {
			return fmt.Errorf("id: store passkey: %w", err)
		}
		if err := s.endFlow(ctx, tx, f); err != nil {
			return err
		}
		return s.recordFactor(ctx, tx, r, a, ActionFactorAdded, MethodWebAuthn, p.ID)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// PasskeySignInOptions makes a new challenge for a sign-in's passkey, keeps it in the sign-in
// flow and returns the options of navigator.credentials.get (JSON, the publicKey member).
func (s *Service) PasskeySignInOptions(ctx context.Context, si *SignIn) (string, error) {
	w, err := s.relyingParty()
	if err != nil {
		return "", err
	}
	keys, err := s.passkeys(ctx, nil, si.Account.ID, w.Config.RPID)
	if err != nil {
		return "", err
	}
	if len(keys) == 0 {
		return "", errs.E(errs.Invalid, "id.no_factor", errors.New("id: no passkey"))
	}
	assertion, session, err := w.BeginLogin(passkeyUser{a: si.Account, keys: keys})
	if err != nil {
		return "", fmt.Errorf("id: begin passkey login: %w", err)
	}
	sj, err := json.Marshal(session)
	if err != nil {
		return "", err
	}
	oj, err := json.Marshal(assertion.Response)
	if err != nil {
		return "", err
	}
	if si.Flow.Data == nil {
		si.Flow.Data = map[string]string{}
	}
	si.Flow.Data["webauthn"] = string(sj)
	if err := s.advanceFlow(ctx, s.db.Writer(), si.Flow, si.Flow.State); err != nil {
		return "", err
	}
	return string(oj), nil
}

// webauthnFactor is a passkey as a sign-in's second factor; the answer is the browser's
// PublicKeyCredential (an assertion) as JSON.
type webauthnFactor struct{ s *Service }

func (webauthnFactor) Method() string { return MethodWebAuthn }

func (f webauthnFactor) Enrolled(ctx context.Context, a *Account) (bool, error) {
	keys, err := f.s.Passkeys(ctx, a.ID)
	return len(keys) > 0, err
}

// Check verifies the assertion against the challenge kept in the flow and the account's
// passkeys. A signature counter that did not move forward means a copy of the key may exist:
// the sign-in is refused ("id.passkey.cloned").
func (f webauthnFactor) Check(ctx context.Context, fl *Flow, a *Account, answer string) error {
	s := f.s
	w, err := s.relyingParty()
	if err != nil {
		return err
	}
	var session webauthn.SessionData
	if err := json.Unmarshal([]byte(fl.Data["webauthn"]), &session); err != nil || session.Challenge == "" {
		return errPasskeyFailed
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(answer))
	if err != nil {
		return errPasskeyFailed
	}
	keys, err := s.passkeys(ctx, nil, a.ID, w.Config.RPID)
	if err != nil {
		return err
	}
	cred, err := w.ValidateLogin(passkeyUser{a: a, keys: keys}, session, parsed)
	if err != nil {
		return errs.E(errs.Invalid, "id.passkey.failed", err)
	}
	if cred.Authenticator.CloneWarning {
		return errPasskeyCloned
	}
	for _, k := range keys {
		if !bytes.Equal(k.cred.ID, cred.ID) {
			continue
		}
		cj, err := json.Marshal(cred)
		if err != nil {
			return err
		}
		// The counter only moves forward: a sign-in racing with the same counter loses.
		res, err := s.db.Writer().ExecContext(ctx, `UPDATE id_webauthn SET sign_count = $2, credential = $3, last_used_at = $4
			WHERE id = $1 AND (sign_count < $2 OR $2 = 0)`, k.ID, int64(cred.Authenticator.SignCount),
			s.box.Seal(passkeyCred, k.ID, cj), s.now().UTC())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errPasskeyCloned
		}
		return nil
	}
	return errPasskeyFailed
}
