package provider

// The ЕСИА test stand of demo mode: seeded test users like ЕСИА's own (EsiaTest001…) at every
// account level, some acting for organisations, and a registered demo system whose key and
// certificate are written out so that an integrator signs requests with OpenSSL at once.

import (
	"context"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/internal/atomicfile"
	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/internal/registry/sim"
)

// SandboxRole is an organisation a test user acts for.
type SandboxRole struct {
	Org          Organisation
	Chief, Admin bool
}

// SandboxUser is a seeded test user of the stand: its ЕСИА-style name, the account (made by
// id.Service.SeedDemo with the demo users: phone, e-mail, level, profile, password) and the
// organisations it acts for. OID is set by SeedSandbox.
type SandboxUser struct {
	Name string // EsiaTest001…
	id.DemoUser
	Roles []SandboxRole
	OID   int64
}

// The demo system of the stand.
const (
	SandboxMnemonic     = "SEPDEMO"     // the ЕСИА demo system's client_id
	SandboxOIDCClientID = "sep-demo-rp" // a public OpenID Connect client (PKCE)
	// SandboxRedirect is where the demo systems' codes go: an integrator's local server.
	SandboxRedirect = "http://localhost:8000/callback"
	// SandboxPostLogout is where the demo systems' logouts go back to.
	SandboxPostLogout = "http://localhost:8000/"
)

// The organisations' oids on the stand (ЕСИА's are numbers of ten digits too).
const (
	sandboxOrgLegal  = 2000000001
	sandboxOrgLegal2 = 2000000002
	sandboxOrgLegal3 = 2000000003
)

// SandboxUsers are the stand's test users, their personal data that of the registry
// simulator's people (so that the passport, СНИЛС and ИНН checks confirm them) and their
// organisations the simulator's legal entities (ОГРН, ИНН and КПП found in its ЕГРЮЛ; no
// individual entrepreneur, whose name is a person's and would sit in id_provider_orgs in
// clear). The phones are +7 900 000-01-0x, the addresses at example.ru.
func SandboxUsers() []SandboxUser {
	d := sim.Default()
	basic, ip := d.Tagged("basic"), d.Tagged("entrepreneur")
	profile := func(p *sim.Person) id.Profile {
		pp := p.Passport()
		return id.Profile{LastName: p.LastName, FirstName: p.FirstName, MiddleName: p.MiddleName, BirthDate: p.BirthDate.Time,
			BirthPlace: "город Примерск", SNILS: p.SNILS, INN: p.INN,
			Passport: &id.Passport{Series: pp.Series, Number: pp.Number, IssueDate: pp.IssueDate.Time,
				Issuer: "Отдел МВД России по городу Примерску", DivisionCode: pp.DivisionCode},
			Address: &id.Address{Region: "Примерская область", City: "город Примерск", Street: "улица Тестовая", House: "2",
				Flat: "1", Postcode: "100000"}}
	}
	var legal []sim.Organisation
	for _, o := range d.Organisations {
		if o.Kind == registry.KindLegal && o.Status == registry.OrgActive && len(legal) < 3 {
			legal = append(legal, o)
		}
	}
	org := func(oid int64, o sim.Organisation, typ string) Organisation {
		short := o.ShortName
		if short == "" {
			short = o.Name
		}
		return Organisation{OID: oid, FullName: o.Name, ShortName: short, OGRN: o.OGRN, INN: o.INN, KPP: o.KPP, Type: typ}
	}
	simplified := id.Profile{LastName: basic[0].LastName, FirstName: basic[0].FirstName, MiddleName: basic[0].MiddleName}
	users := []SandboxUser{
		{Name: "EsiaTest001", DemoUser: id.DemoUser{Role: id.Citizen, Level: id.Simplified, Phone: "+79000000101",
			Email: "esiatest001@example.ru", Profile: simplified}},
		{Name: "EsiaTest002", DemoUser: id.DemoUser{Role: id.Citizen, Level: id.Standard, Phone: "+79000000102",
			Email: "esiatest002@example.ru", Profile: profile(basic[1])}},
		{Name: "EsiaTest003", DemoUser: id.DemoUser{Role: id.Citizen, Level: id.Confirmed, Phone: "+79000000103",
			Email: "esiatest003@example.ru", Profile: profile(basic[2])},
			Roles: []SandboxRole{{Org: org(sandboxOrgLegal, legal[0], "LEGAL"), Chief: true, Admin: true},
				{Org: org(sandboxOrgLegal2, legal[1], "LEGAL")}}},
		{Name: "EsiaTest004", DemoUser: id.DemoUser{Role: id.Citizen, Level: id.Confirmed, Phone: "+79000000104",
			Email: "esiatest004@example.ru", Profile: profile(ip[0])},
			Roles: []SandboxRole{{Org: org(sandboxOrgLegal3, legal[2], "LEGAL"), Chief: true, Admin: true},
				{Org: org(sandboxOrgLegal2, legal[1], "LEGAL"), Admin: true}}},
	}
	return users
}

// Sandbox is what SeedSandbox made: the users with their oids, the demo system and where its
// key and certificate are.
type Sandbox struct {
	Users    []SandboxUser
	Client   *Client
	KeyFile  string
	CertFile string
}

// SeedSandbox finishes the stand once SeedDemo has made the users' accounts: their oids,
// their organisations, the demo ЕСИА system (a new GOST key and certificate in dir, the key
// mode 0600) and the demo OpenID Connect client.
func (p *Provider) SeedSandbox(ctx context.Context, users []SandboxUser, dir string) (*Sandbox, error) {
	sb := &Sandbox{Users: users, KeyFile: filepath.Join(dir, "key.pem"), CertFile: filepath.Join(dir, "cert.pem")}
	for i := range sb.Users {
		u := &sb.Users[i]
		if u.ID == "" {
			return nil, fmt.Errorf("provider: test user %s has no account", u.Name)
		}
		var err error
		if u.OID, err = p.id.ESIAOID(ctx, u.ID); err != nil {
			return nil, err
		}
		for _, r := range u.Roles {
			if err := p.AddOrganisation(ctx, r.Org); err != nil {
				return nil, err
			}
			if err := p.AddRole(ctx, u.ID, r.Org.OID, r.Chief, r.Admin); err != nil {
				return nil, err
			}
		}
	}
	curve, _ := gost3410.CurveByName("tc26-256-A")
	key, err := gost3410.GenerateKey(curve, nil)
	if err != nil {
		return nil, err
	}
	name, err := gostx509.ParseName("CN=" + SandboxMnemonic + ",O=СЭП (демонстрационная система)")
	if err != nil {
		return nil, err
	}
	now := p.now()
	der, err := gostx509.CreateCertificate(nil, &gostx509.Template{Subject: name, NotBefore: now.Add(-24 * time.Hour),
		NotAfter: now.AddDate(3, 0, 0)}, nil, key.PublicKey(), key)
	if err != nil {
		return nil, err
	}
	keyPEM, err := gostpkix.EncodePrivateKeyPEM(key)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(sb.KeyFile, keyPEM, 0o600); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(sb.CertFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return nil, err
	}
	sb.Client, err = p.RegisterClient(ctx, NewClient{Mnemonic: SandboxMnemonic, CertDER: der,
		RedirectURIs: []string{SandboxRedirect, SandboxPostLogout}, Scopes: scopes})
	if err != nil {
		return nil, err
	}
	_, _, err = p.RegisterOIDCClient(ctx, NewOIDCClient{Mnemonic: SandboxOIDCClientID, RedirectURIs: []string{SandboxRedirect},
		PostLogout: []string{SandboxPostLogout}, Scopes: oidcScopes, Public: true})
	if err != nil {
		return nil, err
	}
	return sb, nil
}
