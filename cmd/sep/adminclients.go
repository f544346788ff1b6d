package main

import (
	"context"
	"encoding/pem"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/id/provider"
)

const adminClientsUsage = `       sep admin register-client -mnemonic NAME -cert cert.pem -redirect URL[,URL…] -scopes "openid fullname …" [-alg GOST3410_2012_256|RS256] [-min-level simplified|standard|confirmed]
       sep admin register-client -oidc -mnemonic NAME -redirect URL[,URL…] [-post-logout URL[,URL…]] [-scopes "openid profile email phone address"] [-public] [-min-level …]
       sep admin list-clients
       sep admin disable-client -mnemonic NAME`

const adminClientsHelp = `  register-client  register an information system that signs people in through ID as through
                   ЕСИА: its mnemonic (client_id), the GOST R 34.10-2012 certificate its
                   client_secret is signed with (PEM or DER), the addresses codes may go back
                   to, the scopes it may ask for, the token signature algorithm and the lowest
                   account level it lets in (ESIA-007055 below it). Prints the certificate's
                   client_certificate_hash. With -oidc, a standard OpenID Connect client
                   instead (no certificate; RS256 tokens; scopes of openid profile email
                   phone address): a confidential one gets a client secret, printed once;
                   -public registers one without a secret, which must use PKCE.
                   -post-logout lists the post_logout_redirect_uris of RP-initiated logout.
  list-clients     the registered systems, oldest first
  disable-client   refuse the system's requests from now on (ESIA-007005); its refresh tokens end`

// openProvider opens the database and builds the provider on ID, with the journal.
func openAdminProvider(ctx context.Context, env *environment, cfg *config.Config) (*provider.Provider, func(), int) {
	u, code := openAdminUsers(ctx, env, cfg)
	if u == nil {
		return nil, nil, code
	}
	j, err := audit.New(u.db, audit.Options{})
	if err != nil {
		u.db.Close()
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return nil, nil, exitFailure
	}
	p, err := provider.New(provider.Options{DB: u.db, ID: u.svc, Journal: j})
	if err != nil {
		u.db.Close()
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return nil, nil, exitFailure
	}
	return p, func() { u.db.Close() }, exitOK
}

func adminRegisterClient(env *environment, cfg *config.Config, args []string) int {
	fs := adminFlags(env, "register-client")
	mnemonic := fs.String("mnemonic", "", "the system's mnemonic, its client_id")
	certFile := fs.String("cert", "", "the system's certificate, PEM or DER")
	redirect := fs.String("redirect", "", "the redirect URIs, comma-separated")
	scopes := fs.String("scopes", "", "the scopes it may ask for, space- or comma-separated")
	alg := fs.String("alg", provider.AlgGOST, "the token signature: GOST3410_2012_256 or RS256")
	level := fs.String("min-level", "simplified", "the lowest account level let in: simplified, standard or confirmed")
	oidc := fs.Bool("oidc", false, "a standard OpenID Connect client, not an ЕСИА one (no -cert)")
	public := fs.Bool("public", false, "with -oidc: a public client (no secret; PKCE required)")
	postLogout := fs.String("post-logout", "", "with -oidc: the post_logout_redirect_uris, comma-separated")
	if code, ok := parseAdminFlags(env, fs, args); !ok {
		return code
	}
	if *oidc {
		return registerOIDCClient(env, cfg, provider.NewOIDCClient{Mnemonic: *mnemonic, RedirectURIs: splitList(*redirect),
			PostLogout: splitList(*postLogout), Scopes: splitList(*scopes), Public: *public, MinLevel: id.Level(*level)}, *certFile != "")
	}
	if *public || *postLogout != "" {
		fmt.Fprintln(env.stderr, "sep: -public and -post-logout are for -oidc clients")
		return exitUsage
	}
	if *mnemonic == "" || *certFile == "" || *redirect == "" || *scopes == "" {
		fmt.Fprintln(env.stderr, "sep: -mnemonic, -cert, -redirect and -scopes are required")
		return exitUsage
	}
	data, err := os.ReadFile(*certFile)
	if err != nil {
		fmt.Fprintf(env.stderr, "sep: -cert: %v\n", err)
		return exitUsage
	}
	if b, _ := pem.Decode(data); b != nil {
		data = b.Bytes
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, done, code := openAdminProvider(ctx, env, cfg)
	if p == nil {
		return code
	}
	defer done()
	c, err := p.RegisterClient(ctx, provider.NewClient{Mnemonic: *mnemonic, CertDER: data, RedirectURIs: splitList(*redirect),
		Scopes: splitList(*scopes), TokenAlg: *alg, MinLevel: id.Level(*level)})
	if err != nil {
		return refuse(env, err)
	}
	fmt.Fprintf(env.stdout, "registered %s\nclient_certificate_hash %s\n", c.Mnemonic, strings.ToUpper(c.CertHash))
	return exitOK
}

// registerOIDCClient is register-client -oidc.
func registerOIDCClient(env *environment, cfg *config.Config, n provider.NewOIDCClient, withCert bool) int {
	if withCert {
		fmt.Fprintln(env.stderr, "sep: an -oidc client has no certificate: drop -cert")
		return exitUsage
	}
	if n.Mnemonic == "" || len(n.RedirectURIs) == 0 {
		fmt.Fprintln(env.stderr, "sep: -mnemonic and -redirect are required")
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, done, code := openAdminProvider(ctx, env, cfg)
	if p == nil {
		return code
	}
	defer done()
	c, secret, err := p.RegisterOIDCClient(ctx, n)
	if err != nil {
		return refuse(env, err)
	}
	fmt.Fprintf(env.stdout, "registered %s (OpenID Connect)\nclient_id %s\n", c.Mnemonic, c.Mnemonic)
	if secret != "" {
		fmt.Fprintf(env.stdout, "client_secret %s\n(shown once: only its digest is kept)\n", secret)
	} else {
		fmt.Fprintln(env.stdout, "public client: no secret, PKCE (S256) required")
	}
	return exitOK
}

func adminListClients(env *environment, cfg *config.Config, args []string) int {
	fs := adminFlags(env, "list-clients")
	if code, ok := parseAdminFlags(env, fs, args); !ok {
		return code
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, done, code := openAdminProvider(ctx, env, cfg)
	if p == nil {
		return code
	}
	defer done()
	cs, err := p.Clients(ctx)
	if err != nil {
		return refuse(env, err)
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MNEMONIC\tKIND\tSTATUS\tALG\tMIN LEVEL\tSCOPES\tREDIRECT URIS\tCERTIFICATE HASH\tREGISTERED")
	for _, c := range cs {
		status := "enabled"
		if c.Disabled() {
			status = "disabled " + moscow(c.DisabledAt)
		}
		kind, hash := c.Kind, strings.ToUpper(c.CertHash)
		if c.Kind == provider.KindOIDC {
			kind, hash = "oidc confidential", "-"
			if c.Public() {
				kind = "oidc public"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Mnemonic, kind, status, c.TokenAlg, c.MinLevel, strings.Join(c.Scopes, " "),
			strings.Join(c.RedirectURIs, " "), hash, moscow(c.CreatedAt))
	}
	tw.Flush()
	return exitOK
}

func adminDisableClient(env *environment, cfg *config.Config, args []string) int {
	fs := adminFlags(env, "disable-client")
	mnemonic := fs.String("mnemonic", "", "the system's mnemonic")
	if code, ok := parseAdminFlags(env, fs, args); !ok {
		return code
	}
	if *mnemonic == "" {
		fmt.Fprintln(env.stderr, "sep: -mnemonic is required")
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, done, code := openAdminProvider(ctx, env, cfg)
	if p == nil {
		return code
	}
	defer done()
	if err := p.DisableClient(ctx, *mnemonic); err != nil {
		return refuse(env, err)
	}
	fmt.Fprintf(env.stdout, "disabled %s\n", *mnemonic)
	return exitOK
}

// splitList splits a flag's list on commas and spaces.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}
