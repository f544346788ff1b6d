package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/internal/api/apitest"
	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/id/provider"
	"github.com/sep-platform/sep/internal/registry/sim"
)

func simPerson(snils string) *sim.Person {
	d := sim.Default()
	for i := range d.People {
		if d.People[i].SNILS == snils {
			return &d.People[i]
		}
	}
	return nil
}

func simOrganisation(ogrn string) bool {
	for _, o := range sim.Default().Organisations {
		if o.OGRN == ogrn {
			return true
		}
	}
	return false
}

// signInAPI signs in through the API with the password and the SMS code, and returns the
// session token.
func signInAPI(t *testing.T, sep *Instance, login, phone, password string) string {
	t.Helper()
	c := apitest.New(t, sep.API, sep.URL)
	sms := outboxCount(t, sep.URL, phone)
	req, _ := json.Marshal(map[string]string{"login": login, "password": password})
	resp, body := c.Send("POST", "/api/v1/signin", req)
	var f struct{ Flow string }
	if json.Unmarshal(body, &f); resp.StatusCode != 200 {
		t.Fatalf("signin: %d %s", resp.StatusCode, body)
	}
	req, _ = json.Marshal(map[string]string{"flow": f.Flow, "method": "sms", "code": latestCode(t, sep.URL, phone, sms)})
	resp, body = c.Send("POST", "/api/v1/signin/factor", req)
	var s struct{ Token string }
	if json.Unmarshal(body, &s); resp.StatusCode != 200 || s.Token == "" {
		t.Fatalf("signin factor: %d %s", resp.StatusCode, body)
	}
	return s.Token
}

// Demo mode seeds an ЕСИА test stand: EsiaTest001… at every level, with the registry
// simulator's data, some acting for the simulator's organisations; and a demo system whose key
// and certificate are in DATA_DIR/esia-demo, so that an integrator signs with OpenSSL at once —
// which this test does, through a whole sign-in as EsiaTest003 and its organisations.
func TestESIASandboxIsSeeded(t *testing.T) {
	sep := Start(t)
	if _, out, err := sep.SeedDemo(t.Context()); err != nil || out != id.DemoCreated {
		t.Fatalf("seed: %v %v", out, err)
	}
	sb := sep.Sandbox()
	if sb == nil || len(sb.Users) < 4 {
		t.Fatalf("the stand: %+v", sb)
	}
	levels := map[id.Level]bool{}
	for i, u := range sb.Users {
		levels[u.Level] = true
		if u.Name != fmt.Sprintf("EsiaTest%03d", i+1) || u.OID < id.FirstESIAOID || u.Password == "" || !strings.HasSuffix(u.Email, "@example.ru") ||
			!strings.HasPrefix(u.Phone, "+7900000") {
			t.Fatalf("test user %+v", u)
		}
		acc, err := sep.ID.AccountByESIAOID(t.Context(), u.OID)
		if err != nil || acc.Level != u.Level {
			t.Fatalf("%s: %v %v", u.Name, acc, err)
		}
		// The registry simulator knows the person: the checks of the levels confirm them.
		if u.Level != id.Simplified {
			p := simPerson(acc.Profile.SNILS)
			if p == nil || p.LastName != acc.Profile.LastName || p.Passport().Number != acc.Profile.Passport.Number {
				t.Fatalf("%s is not the simulator's person", u.Name)
			}
		}
	}
	if len(levels) != 3 {
		t.Fatalf("levels %v", levels)
	}
	st, err := os.Stat(sb.KeyFile)
	if err != nil || st.Mode().Perm() != 0o600 || filepath.Dir(sb.KeyFile) != filepath.Join(sep.Config.DataDir, "esia-demo") {
		t.Fatalf("the demo key: %v %v", sb.KeyFile, err)
	}

	// An integrator's sign-in with the demo system, the secrets by OpenSSL with the demo key.
	requireGOSTEngine(t)
	certPEM, _ := os.ReadFile(sb.CertFile)
	certs, err := gostx509.ParseCertificatesPEM(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	c := &esiaClient{t: t, sep: sep, mnemonic: provider.SandboxMnemonic, redirect: provider.SandboxRedirect, cert: certs[0], now: time.Now}
	c.sign = func(msg string) string {
		return base64.RawURLEncoding.EncodeToString(openssl(t, []byte(msg), "dgst", "-engine", "gost", "-md_gost12_256", "-sign", sb.KeyFile))
	}
	u := sb.Users[2] // EsiaTest003: confirmed, the chief of an organisation
	session := signInAPI(t, sep, u.Email, u.Phone, u.Password)
	const scope = "openid fullname snils id_doc usr_org"
	back := c.authorizeAs(session, c.acParams(scope, newUUID()))
	status, tk := c.post("/aas/oauth2/v3/te", c.teParams(scope, back.Query().Get("code")))
	if status != 200 {
		t.Fatalf("te: %d %+v", status, tk)
	}
	if sbj := jwtPart(t, tk.IDToken, 1)["urn:esia:sbj"].(map[string]any); sbj["urn:esia:sbj:lvl"] != float64(3) || sbj["urn:esia:sbj:is_tru"] != true ||
		sbj["urn:esia:sbj:oid"] != float64(u.OID) {
		t.Fatalf("id token subject %v", sbj)
	}
	ac := apitest.New(t, sep.API, sep.URL)
	resp, body := ac.Get(fmt.Sprintf("/rs/prns/%d", u.OID), "Authorization", "Bearer "+tk.AccessToken)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"snils":"`+u.Profile.SNILS+`"`) || !strings.Contains(string(body), `"trusted":true`) {
		t.Fatalf("/rs/prns: %d %s", resp.StatusCode, body)
	}
	resp, body = ac.Get(fmt.Sprintf("/rs/prns/%d/roles", u.OID), "Authorization", "Bearer "+tk.AccessToken)
	var roles struct {
		Size     int
		Elements []provider.Role
	}
	if json.Unmarshal(body, &roles); resp.StatusCode != 200 || roles.Size != 2 || !roles.Elements[0].Chief || roles.Elements[0].PrnOID != u.OID {
		t.Fatalf("roles: %d %s", resp.StatusCode, body)
	}
	org := u.Roles[0].Org
	resp, body = ac.Get(fmt.Sprintf("/rs/orgs/%d", org.OID), "Authorization", "Bearer "+tk.AccessToken)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"ogrn":"`+org.OGRN+`"`) || !simOrganisation(org.OGRN) {
		t.Fatalf("/rs/orgs: %d %s", resp.StatusCode, body)
	}
}
