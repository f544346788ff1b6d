package provider

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/id"
)

// The token signature algorithms a system may be registered with.
const (
	AlgGOST  = "GOST3410_2012_256"
	AlgRS256 = "RS256"
)

// The kinds of registered systems: ЕСИА clients sign their requests with a GOST certificate;
// standard OpenID Connect clients authenticate with a client secret, or (public clients) with
// PKCE alone.
const (
	KindESIA = "esia"
	KindOIDC = "oidc"
)

// Client is an information system registered to sign people in through the provider.
type Client struct {
	ID           string
	Kind         string                // KindESIA or KindOIDC
	Mnemonic     string                // client_id
	Cert         *gostx509.Certificate // nil for an OIDC client
	CertHash     string                // Streebog-256 of the DER certificate, lower-case hex ('' for OIDC)
	SecretHash   string                // OIDC: Streebog-256 of the client secret, hex; '' for a public client
	PostLogout   []string              // OIDC: the registered post_logout_redirect_uris
	RedirectURIs []string
	Scopes       []string // what the system may ask for
	TokenAlg     string   // AlgGOST or AlgRS256
	MinLevel     id.Level // the lowest account level the system lets in (ESIA-007055 below it)
	DisabledAt   time.Time
	CreatedAt    time.Time
}

// Public reports whether the system is an OIDC client without a secret (PKCE required).
func (c *Client) Public() bool { return c.Kind == KindOIDC && c.SecretHash == "" }

// Disabled reports whether the system was disabled.
func (c *Client) Disabled() bool { return !c.DisabledAt.IsZero() }

// CertHash is the client_certificate_hash of a certificate: Streebog-256 of its DER, in hex.
func CertHash(der []byte) string {
	h := streebog.Sum256(der)
	return hex.EncodeToString(h[:])
}

// NewClient is what registering a system needs.
type NewClient struct {
	Mnemonic     string
	CertDER      []byte
	RedirectURIs []string
	Scopes       []string
	TokenAlg     string // default AlgGOST
	MinLevel     id.Level
}

var mnemonicRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{2,64}$`)

// Register stores a new system and journals it (the actor is the command line).
func (p *Provider) RegisterClient(ctx context.Context, n NewClient) (*Client, error) {
	fe := id.FieldErrors{}
	if !mnemonicRe.MatchString(n.Mnemonic) {
		fe["mnemonic"] = errs.E(errs.Invalid, "provider.bad_mnemonic", errors.New("provider: a mnemonic is 2–64 letters, digits, _ . -"))
	}
	cert, err := gostx509.ParseCertificate(n.CertDER)
	if err != nil || cert.PublicKey == nil || cert.PublicKey.Curve().PointSize != 32 {
		fe["cert"] = errs.E(errs.Invalid, "provider.bad_cert", fmt.Errorf("provider: want a GOST R 34.10-2012 256-bit certificate: %v", err))
	}
	if len(n.RedirectURIs) == 0 {
		fe["redirect"] = errs.E(errs.Invalid, "provider.bad_redirect", errors.New("provider: at least one redirect URI"))
	}
	for _, u := range n.RedirectURIs {
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" || pu.Fragment != "" {
			fe["redirect"] = errs.E(errs.Invalid, "provider.bad_redirect", fmt.Errorf("provider: %q is not an absolute http(s) URL", u))
		}
	}
	if len(n.Scopes) == 0 {
		fe["scopes"] = errs.E(errs.Invalid, "provider.bad_scopes", errors.New("provider: at least one scope"))
	}
	for _, s := range n.Scopes {
		if !knownScope(s) {
			fe["scopes"] = errs.E(errs.Invalid, "provider.bad_scopes", fmt.Errorf("provider: unknown scope %q", s))
		}
	}
	if n.TokenAlg == "" {
		n.TokenAlg = AlgGOST
	}
	if n.TokenAlg != AlgGOST && n.TokenAlg != AlgRS256 {
		fe["alg"] = errs.E(errs.Invalid, "provider.bad_alg", fmt.Errorf("provider: token algorithm %q (want %s or %s)", n.TokenAlg, AlgGOST, AlgRS256))
	}
	if n.MinLevel == "" {
		n.MinLevel = id.Simplified
	}
	if levelRank(n.MinLevel) < 0 {
		fe["min-level"] = errs.E(errs.Invalid, "provider.bad_level", fmt.Errorf("provider: level %q", n.MinLevel))
	}
	if len(fe) > 0 {
		return nil, fe
	}
	c := &Client{ID: db.NewID(), Mnemonic: n.Mnemonic, Cert: cert, CertHash: CertHash(n.CertDER), RedirectURIs: n.RedirectURIs,
		Scopes: n.Scopes, TokenAlg: n.TokenAlg, MinLevel: n.MinLevel, CreatedAt: p.now().UTC()}
	err = p.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO id_provider_clients (id, mnemonic, cert, cert_hash, redirect_uris, scopes, token_alg,
				min_level, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			c.ID, c.Mnemonic, n.CertDER, c.CertHash, strings.Join(c.RedirectURIs, "\n"), strings.Join(c.Scopes, " "), c.TokenAlg,
			string(c.MinLevel), c.CreatedAt)
		if db.IsUniqueViolation(err) {
			return errs.E(errs.Conflict, "provider.mnemonic_taken", errors.New("provider: the mnemonic is registered already"))
		}
		if err != nil {
			return err
		}
		return p.record(ctx, tx, nil, audit.Entry{ActorKind: audit.ActorSystem, ActorID: "cli", Action: ActionClientRegistered,
			ObjectType: "client", ObjectID: c.ID, Details: map[string]string{"alg": algCode(c.TokenAlg), "level": string(c.MinLevel)}})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// DisableClient disables the system of the mnemonic: its requests are refused (ESIA-007005)
// and its refresh tokens end.
func (p *Provider) DisableClient(ctx context.Context, mnemonic string) error {
	return p.db.Tx(ctx, func(tx *sql.Tx) error {
		var cid string
		err := tx.QueryRowContext(ctx, `SELECT id FROM id_provider_clients WHERE mnemonic = $1 AND disabled_at IS NULL`, mnemonic).Scan(&cid)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "provider.no_client", errors.New("provider: no such enabled system"))
		}
		if err != nil {
			return err
		}
		now := p.now().UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE id_provider_clients SET disabled_at = $2 WHERE id = $1`, cid, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE id_provider_refresh SET used_at = $2 WHERE client_id = $1 AND used_at IS NULL`, cid, now); err != nil {
			return err
		}
		return p.record(ctx, tx, nil, audit.Entry{ActorKind: audit.ActorSystem, ActorID: "cli", Action: ActionClientDisabled,
			ObjectType: "client", ObjectID: cid})
	})
}

const clientColumns = `id, kind, mnemonic, cert, cert_hash, secret_hash, redirect_uris, post_logout_uris, scopes, token_alg,
	min_level, disabled_at, created_at`

func scanClient(row interface{ Scan(...any) error }) (*Client, error) {
	c := &Client{}
	var der []byte
	var redirects, postLogout, scopes, level string
	var disabled sql.NullTime
	if err := row.Scan(&c.ID, &c.Kind, &c.Mnemonic, &der, &c.CertHash, &c.SecretHash, &redirects, &postLogout, &scopes, &c.TokenAlg,
		&level, &disabled, &c.CreatedAt); err != nil {
		return nil, err
	}
	if c.Kind == KindESIA {
		cert, err := parseCert(c.CertHash, der)
		if err != nil {
			return nil, fmt.Errorf("provider: the certificate of %s: %w", c.Mnemonic, err)
		}
		c.Cert = cert
	}
	c.RedirectURIs, c.Scopes, c.MinLevel = strings.Split(redirects, "\n"), strings.Fields(scopes), id.Level(level)
	c.PostLogout = strings.Fields(postLogout)
	c.DisabledAt, c.CreatedAt = disabled.Time.UTC(), c.CreatedAt.UTC()
	return c, nil
}

// parsedCerts keeps the registered systems' certificates parsed, by the hash of their DER
// (stored beside it when the system is registered): every token exchange reads its system,
// and parsing the certificate again cost more than the read. Only registered certificates come
// here, so the map stays as small as the register.
var parsedCerts sync.Map // cert_hash → *gostx509.Certificate

func parseCert(hash string, der []byte) (*gostx509.Certificate, error) {
	if c, ok := parsedCerts.Load(hash); ok {
		return c.(*gostx509.Certificate), nil
	}
	cert, err := gostx509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	if hash == CertHash(der) {
		parsedCerts.Store(hash, cert) // a row whose hash does not match is parsed each time
	}
	return cert, nil
}

var errNoClient = errs.E(errs.NotFound, "provider.no_client", errors.New("provider: no such system"))

// ClientByMnemonic returns the system registered with the mnemonic, disabled or not.
func (p *Provider) ClientByMnemonic(ctx context.Context, mnemonic string) (*Client, error) {
	c, err := scanClient(p.db.ReadRow(ctx, `SELECT `+clientColumns+` FROM id_provider_clients WHERE mnemonic = $1`, mnemonic))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoClient
	}
	return c, err
}

func (p *Provider) clientByID(ctx context.Context, cid string) (*Client, error) {
	c, err := scanClient(p.db.Reader().QueryRowContext(ctx, `SELECT `+clientColumns+` FROM id_provider_clients WHERE id = $1`, cid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoClient
	}
	return c, err
}

// certRegistered reports whether some system is registered with the certificate digest.
func (p *Provider) certRegistered(ctx context.Context, hash string) (bool, error) {
	var n int
	err := p.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM id_provider_clients WHERE cert_hash = $1`, hash).Scan(&n)
	return n > 0, err
}

// Clients lists the registered systems, oldest first.
func (p *Provider) Clients(ctx context.Context) ([]*Client, error) {
	rows, err := p.db.Reader().QueryContext(ctx, `SELECT `+clientColumns+` FROM id_provider_clients ORDER BY created_at, mnemonic`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Client
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// redirectAllowed reports whether u is one of the system's registered redirect URIs, exactly.
func (c *Client) redirectAllowed(u string) bool { return u != "" && slices.Contains(c.RedirectURIs, u) }

// levelRank orders the account levels; -1 for an unknown one.
func levelRank(l id.Level) int {
	return slices.Index([]id.Level{id.Simplified, id.Standard, id.Confirmed}, l)
}

// algCode is how the journal names a token algorithm (a code with few digits).
func algCode(alg string) string {
	if alg == AlgRS256 {
		return "rs256"
	}
	return "gost"
}
