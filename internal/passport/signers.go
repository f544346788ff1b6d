package passport

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/keys"
	"github.com/sep-platform/sep/internal/passport/vds"
	"github.com/sep-platform/sep/internal/seal"
)

// Lifetimes of the certificates. A seal verifies as long as its signer was valid on its issue
// date, so an issuing certificate's end only ends its signing, never what it signed.
const (
	RootLifetime    = 30 * 365 * 24 * time.Hour
	IssuingLifetime = 3 * 365 * 24 * time.Hour
)

// signer is an issuing key with its certificate.
type signer struct {
	ref  vds.Ref
	cert *gostx509.Certificate
	key  *gost3410.PrivateKey
}

// Trust returns what this instance's verification trusts: its root certificates (one per
// instance signing key it has had) and every issuing certificate it has made.
func (s *Service) Trust(ctx context.Context) (*vds.Trust, error) {
	s.mu.Lock()
	t := s.trust
	s.mu.Unlock()
	if t != nil {
		return t, nil
	}
	return s.loadTrust(ctx)
}

func (s *Service) loadTrust(ctx context.Context) (*vds.Trust, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT kind, cert FROM passport_signers ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var roots, certs []*gostx509.Certificate
	for rows.Next() {
		var kind string
		var der []byte
		if err := rows.Scan(&kind, &der); err != nil {
			return nil, err
		}
		c, err := gostx509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("passport: a stored certificate: %w", err)
		}
		if kind == "root" {
			roots = append(roots, c)
		} else {
			certs = append(certs, c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	t := vds.NewTrust(roots, certs)
	s.mu.Lock()
	s.trust = t
	s.mu.Unlock()
	return t, nil
}

// Certificates returns every root and issuing certificate as PEM, roots first: what
// /.well-known/sep/passport-certs publishes. A verifier takes the roots it trusts from a
// source of its own and the rest from here.
func (s *Service) Certificates(ctx context.Context) ([]byte, error) {
	if _, err := s.currentSigner(ctx); err != nil {
		return nil, err
	}
	t, err := s.loadTrust(ctx)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for _, c := range append(append([]*gostx509.Certificate(nil), t.Roots...), t.Certs...) {
		b.Write(c.EncodePEM())
	}
	return b.Bytes(), nil
}

// RootCertificate returns the certificate of the current instance signing key (PEM): what a
// verifier is given as its trust anchor (`sep passport verify -trust`).
func (s *Service) RootCertificate(ctx context.Context) ([]byte, error) {
	var root *gostx509.Certificate
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		root, err = s.root(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return root.EncodePEM(), nil
}

// root returns the root certificate of the instance signing key, making it if it is new.
func (s *Service) root(ctx context.Context, tx *sql.Tx) (*gostx509.Certificate, error) {
	pub := s.opt.RootKey.PublicKey()
	rows, err := tx.QueryContext(ctx, `SELECT cert FROM passport_signers WHERE kind = 'root' ORDER BY created_at DESC`)
	if err != nil {
		return nil, err
	}
	var found *gostx509.Certificate
	for rows.Next() {
		var der []byte
		if err := rows.Scan(&der); err != nil {
			rows.Close()
			return nil, err
		}
		if c, err := gostx509.ParseCertificate(der); err == nil && c.PublicKey != nil && c.PublicKey.Equal(pub) &&
			c.NotAfter.After(s.now()) {
			found = c
			break
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || found != nil {
		return found, err
	}
	keyID, err := keys.ID(pub)
	if err != nil {
		return nil, err
	}
	name, err := gostx509.ParseName("CN=SEP passport root " + keyID + ",O=SEP")
	if err != nil {
		return nil, err
	}
	from := vds.Day(s.now())
	der, err := gostx509.CreateCertificate(rand.Reader, &gostx509.Template{Subject: name, NotBefore: from,
		NotAfter: from.Add(RootLifetime), IsCA: true, MaxPathLen: 0, MaxPathLenZero: true}, nil, pub, s.opt.RootKey)
	if err != nil {
		return nil, err
	}
	c, err := gostx509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return c, s.store(ctx, tx, "root", c, nil)
}

func (s *Service) store(ctx context.Context, tx *sql.Tx, kind string, c *gostx509.Certificate, key *gost3410.PrivateKey) error {
	id := vds.RefOf(c.Raw).String()
	var sealed seal.Sealed
	if key != nil {
		der, err := gostpkix.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return err
		}
		sealed = s.box.Seal(colKey, id, der)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO passport_signers (id, kind, cert, private_key, not_before, not_after, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, kind, c.Raw, sealed, c.NotBefore.UTC(), c.NotAfter.UTC(), s.now().UTC()); err != nil {
		return err
	}
	s.mu.Lock()
	s.trust = nil // reloaded on next use
	s.mu.Unlock()
	return s.record(ctx, tx, nil, audit.Entry{Action: ActionKeyCreated, ObjectType: "passport_signer", ObjectID: id,
		Details: map[string]string{"kind": kind}})
}

// currentSigner returns the issuing key in use, making one when there is none (first use,
// after a rotation, or when the current one ends within a day).
func (s *Service) currentSigner(ctx context.Context) (*signer, error) {
	s.mu.Lock()
	sg := s.signer
	s.mu.Unlock()
	if sg != nil && sg.cert.NotAfter.After(s.now().Add(24*time.Hour)) {
		return sg, nil
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		sg, err = s.loadSigner(ctx, tx)
		if errors.Is(err, sql.ErrNoRows) {
			sg, err = s.newSigner(ctx, tx)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("passport: the issuing key: %w", err)
	}
	s.mu.Lock()
	s.signer = sg
	s.mu.Unlock()
	return sg, nil
}

func (s *Service) loadSigner(ctx context.Context, tx *sql.Tx) (*signer, error) {
	var id string
	var der []byte
	var key seal.Sealed
	err := tx.QueryRowContext(ctx, `SELECT id, cert, private_key FROM passport_signers WHERE kind = 'issuing'
		AND retired_at IS NULL AND not_after > $1 ORDER BY created_at DESC, id DESC LIMIT 1`, s.now().Add(24*time.Hour).UTC()).
		Scan(&id, &der, &key)
	if err != nil {
		return nil, err
	}
	c, err := gostx509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	kd, err := s.box.Open(colKey, id, key)
	if err != nil {
		return nil, err
	}
	k, err := gostpkix.ParsePKCS8PrivateKey(kd)
	if err != nil {
		return nil, err
	}
	// A rotation of the instance signing key makes a new root: the issuing key must chain to
	// the current one, so a key under an old root is retired.
	root, err := s.root(ctx, tx)
	if err != nil {
		return nil, err
	}
	if c.CheckSignatureFrom(root) != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE passport_signers SET retired_at = $2 WHERE id = $1`, id, s.now().UTC()); err != nil {
			return nil, err
		}
		return nil, sql.ErrNoRows
	}
	return &signer{ref: vds.RefOf(c.Raw), cert: c, key: k}, nil
}

func (s *Service) newSigner(ctx context.Context, tx *sql.Tx) (*signer, error) {
	root, err := s.root(ctx, tx)
	if err != nil {
		return nil, err
	}
	k, err := gost3410.GenerateKey(s.opt.RootKey.Curve(), rand.Reader)
	if err != nil {
		return nil, err
	}
	if k.Curve().PointSize != 32 {
		if c, err := gost3410.CurveByName(keys.Curve); err == nil {
			k, err = gost3410.GenerateKey(c, rand.Reader)
			if err != nil {
				return nil, err
			}
		}
	}
	name, err := gostx509.ParseName(fmt.Sprintf("CN=SEP passport issuing %s,O=SEP", s.now().UTC().Format("20060102T150405")))
	if err != nil {
		return nil, err
	}
	from := vds.Day(s.now())
	der, err := gostx509.CreateCertificate(rand.Reader, &gostx509.Template{Subject: name, NotBefore: from,
		NotAfter: from.Add(IssuingLifetime), ExtKeyUsage: []asn1.ObjectIdentifier{vds.OIDPassportSigning}}, root, k.PublicKey(), s.opt.RootKey)
	if err != nil {
		return nil, err
	}
	c, err := gostx509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	if err := s.store(ctx, tx, "issuing", c, k); err != nil {
		return nil, err
	}
	return &signer{ref: vds.RefOf(c.Raw), cert: c, key: k}, nil
}

// Rotate retires the current issuing key and makes a new one. What the old key signed keeps
// verifying: its certificate stays published and was valid on those issue dates.
func (s *Service) Rotate(ctx context.Context) (string, error) {
	var sg *signer
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE passport_signers SET retired_at = $1 WHERE kind = 'issuing' AND retired_at IS NULL`,
			s.now().UTC()); err != nil {
			return err
		}
		var err error
		sg, err = s.newSigner(ctx, tx)
		return err
	})
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.signer, s.dirty = sg, true
	s.mu.Unlock()
	return sg.ref.String(), nil
}
