package esia

// A test double of ЕСИА: the endpoints of the dialect, strict about client
// authentication as esia-protocol.md describes it, with ЕСИА's error codes
// and transports. It lives in the tests only; СЭП's own provider is the real
// implementation.

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sep-platform/sep/gost/cms"
	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/gost/streebog"
)

type double struct {
	srv   *httptest.Server
	clock *clock
	alg   string // AlgGOST or AlgRS256
	gost  *identity
	rsa   *rsa.PrivateKey
	// cert is the provider certificate as a client is given it (PEM).
	cert []byte

	mu      sync.Mutex
	clients map[string]*registered
	codes   map[string]*grant
	refresh map[string]*grant
	access  map[string]*grant
	persons map[OID]map[string]any
	roles   map[OID][]Role
	orgs    map[OID]Org
	// decline makes the user refuse on the authorization page.
	decline bool
	// wrongState makes the token endpoint echo another state.
	wrongState bool
	// linksOnly answers collections with links even when embedding is asked.
	linksOnly bool
	// requests counts requests per path.
	requests map[string]int
	lastAuth url.Values
}

type registered struct {
	cert     *gostx509.Certificate
	hash     string
	redirect string
}

type grant struct {
	client, scope, redirect, challenge string
	oid                                OID
	expires                            time.Time
}

const personOID OID = 1000299681

func newDouble(t testing.TB, clk *clock, alg string) *double {
	t.Helper()
	d := &double{
		clock:    clk,
		alg:      alg,
		clients:  map[string]*registered{},
		codes:    map[string]*grant{},
		refresh:  map[string]*grant{},
		access:   map[string]*grant{},
		requests: map[string]int{},
		persons:  map[OID]map[string]any{},
		roles:    map[OID][]Role{},
		orgs:     map[OID]Org{},
	}
	switch alg {
	case AlgGOST:
		d.gost = newIdentity(t, "tc26-256-A", "CN=ТЕСИА ГОСТ 2012,O=Example")
		d.cert = d.gost.certPEM
	case AlgRS256:
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "TESIA RSA"},
			NotBefore: clk.Now().Add(-time.Hour), NotAfter: clk.Now().Add(24 * time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
		if err != nil {
			t.Fatal(err)
		}
		d.rsa = k
		d.cert = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	}
	d.persons[personOID] = map[string]any{
		"stateFacts": []string{"EntityRoot"}, "firstName": "Имя006", "lastName": "Фамилия006",
		"middleName": "Отчество006", "birthDate": "26.05.2000", "birthPlace": "Москва", "gender": "F",
		"trusted": true, "citizenship": "RUS", "snils": "000-000-600 06", "inn": "585204118212",
		"status": "REGISTERED", "rIdDoc": 3571,
		"contacts": []Contact{{ID: 1, Type: ContactEmail, VrfStu: Verified, Value: "test006@example.ru"},
			{ID: 2, Type: ContactMobile, VrfStu: Verified, Value: "+7(900)0000006"}},
		"addresses": []Address{{ID: 530, Type: AddressResidence, AddressStr: "г Чебоксары, пр-кт Мира", ZipCode: "428022"}},
		"documents": []Document{{ID: 3571, Type: DocPassport, VrfStu: Verified, Series: "5303", Number: "925695",
			IssueDate: "01.01.2006", IssueID: "006006", IssuedBy: "УФМС006"}},
	}
	d.roles[personOID] = []Role{{OID: 1000321, PrnOID: personOID, FullName: "ООО «Ромашка»", ShortName: "Ромашка",
		OGRN: "1027700132195", Type: "LEGAL", Chief: true, Active: true}}
	d.orgs[1000321] = Org{OID: 1000321, FullName: "Общество с ограниченной ответственностью «Ромашка»",
		ShortName: "ООО «Ромашка»", Type: "LEGAL", OGRN: "1027700132195", INN: "7707083893", KPP: "770701001", LegalForm: "12300"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /aas/oauth2/v2/ac", func(w http.ResponseWriter, r *http.Request) { d.authorize(w, r, V2) })
	mux.HandleFunc("GET /aas/oauth2/ac", func(w http.ResponseWriter, r *http.Request) { d.authorize(w, r, V1) })
	mux.HandleFunc("POST /aas/oauth2/v3/te", func(w http.ResponseWriter, r *http.Request) { d.token(w, r, V2) })
	mux.HandleFunc("POST /aas/oauth2/te", func(w http.ResponseWriter, r *http.Request) { d.token(w, r, V1) })
	mux.HandleFunc("GET /rs/prns/{oid}", d.person)
	mux.HandleFunc("GET /rs/prns/{oid}/{coll}", d.collection)
	mux.HandleFunc("GET /rs/prns/{oid}/{coll}/{id}", d.element)
	mux.HandleFunc("GET /rs/orgs/{oid}", d.org)
	d.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		d.requests[r.URL.Path]++
		d.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(d.srv.Close)
	return d
}

// register adds a system with its certificate.
func (d *double) register(mnemonic string, id *identity, redirect string) {
	cert, err := gostx509.ParseCertificate(id.certDER)
	if err != nil {
		panic(err)
	}
	sum := streebog.Sum256(id.certDER)
	d.mu.Lock()
	d.clients[mnemonic] = &registered{cert: cert, hash: hex.EncodeToString(sum[:]), redirect: redirect}
	d.mu.Unlock()
}

// esiaError is an error with its code; where says how it travels.
type esiaError struct {
	oauth, code, text string
}

func fail(oauth, code, text string) *esiaError { return &esiaError{oauth, code, text} }

func (e *esiaError) description() string { return e.code + ": " + e.text }

// params reads a request's parameters, refusing repeated ones (ESIA-007003).
func params(r *http.Request) (url.Values, *esiaError) {
	if err := r.ParseForm(); err != nil {
		return nil, fail("invalid_request", CodeBadParameter, "malformed request")
	}
	q := r.Form
	if r.Method == http.MethodPost {
		q = r.PostForm
	}
	for k, v := range q {
		if len(v) > 1 {
			return nil, fail("invalid_request", CodeBadParameter, "parameter "+k+" is duplicated")
		}
	}
	return q, nil
}

func require(q url.Values, names ...string) *esiaError {
	var missing []string
	for _, n := range names {
		if q.Get(n) == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fail("invalid_request", CodeMissingParameter, "The request doesn`t contain the mandatory parameter ["+strings.Join(missing, ", ")+"]")
	}
	return nil
}

// authenticate checks the client, its certificate hash, the timestamp and
// the secret over message.
func (d *double) authenticate(q url.Values, v Version, message string) (*registered, *esiaError) {
	d.mu.Lock()
	c := d.clients[q.Get("client_id")]
	d.mu.Unlock()
	if c == nil {
		return nil, fail("unauthorized_client", CodeUnauthorizedClient, "unknown client")
	}
	if v == V2 && !strings.EqualFold(q.Get("client_certificate_hash"), c.hash) {
		return nil, fail("invalid_client", CodeCertificateMismatch, "certificate does not match the mnemonic")
	}
	ts, err := time.Parse(TimestampLayout, q.Get("timestamp"))
	if err != nil {
		return nil, fail("invalid_request", CodeBadParameter, "timestamp is malformed")
	}
	if diff := d.clock.Now().Sub(ts); diff > 5*time.Minute || diff < -5*time.Minute {
		return nil, fail("invalid_request", CodeBadTimestamp, "timestamp outside the allowed window")
	}
	sig, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(q.Get("client_secret"), "="))
	if err != nil {
		return nil, fail("invalid_client", CodeBadSecret, "client_secret is not base64url")
	}
	ok := false
	if v == V1 {
		_, _, err := cms.Verify(sig, cms.VerifyOptions{Content: []byte(message), Certificates: []*gostx509.Certificate{c.cert}})
		ok = err == nil
	} else {
		digest := streebog.Sum256([]byte(message))
		ok = gost3410.VerifyDigest(c.cert.PublicKey, digest[:], sig)
	}
	if !ok {
		return nil, fail("invalid_client", CodeBadSecret, "client_secret does not verify")
	}
	return c, nil
}

func (d *double) authorize(w http.ResponseWriter, r *http.Request, v Version) {
	q, e := params(r)
	if e == nil {
		d.mu.Lock()
		d.lastAuth = q
		d.mu.Unlock()
		e = require(q, "client_id", "redirect_uri", "response_type", "state", "timestamp", "client_secret")
	}
	if e == nil && q.Get("scope") == "" {
		e = fail("invalid_scope", CodeNoScope, "no scope")
	}
	if e != nil {
		jsonError(w, e, q.Get("state"))
		return
	}
	d.mu.Lock()
	c := d.clients[q.Get("client_id")]
	d.mu.Unlock()
	if c != nil && q.Get("redirect_uri") != c.redirect {
		jsonError(w, fail("invalid_request", CodeRedirectURI, "redirect_uri is not registered"), q.Get("state"))
		return
	}
	m := Message{ClientID: q.Get("client_id"), Scope: q.Get("scope"), ScopeOrg: q.Get("scope_org"),
		Timestamp: q.Get("timestamp"), State: q.Get("state"), RedirectURI: q.Get("redirect_uri")}
	message := m.V2()
	if v == V1 {
		message = m.V1()
	}
	redirect := func(p url.Values) {
		u, _ := url.Parse(q.Get("redirect_uri"))
		u.RawQuery = p.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	refuse := func(e *esiaError) {
		redirect(url.Values{"error": {e.oauth}, "error_description": {e.description()}, "state": {q.Get("state")}})
	}
	if !IsUUID(q.Get("state")) {
		refuse(fail("invalid_request", CodeBadParameter, "state is not a UUID"))
		return
	}
	if _, e := d.authenticate(q, v, message); e != nil {
		refuse(e)
		return
	}
	if ch := q.Get("code_challenge"); ch != "" && (q.Get("code_challenge_method") != "S256" || len(ch) != 43) {
		refuse(fail("invalid_request", CodePKCEChallenge, "code_challenge is wrong"))
		return
	}
	if d.decline {
		refuse(fail("access_denied", CodeDeclined, "The user has denied access"))
		return
	}
	code := randomToken()
	d.mu.Lock()
	d.codes[code] = &grant{client: m.ClientID, scope: m.Scope, redirect: m.RedirectURI, challenge: q.Get("code_challenge"),
		oid: personOID, expires: d.clock.Now().Add(time.Minute)}
	d.mu.Unlock()
	redirect(url.Values{"code": {code}, "state": {m.State}})
}

func (d *double) token(w http.ResponseWriter, r *http.Request, v Version) {
	q, e := params(r)
	if e == nil {
		e = require(q, "client_id", "grant_type", "state", "timestamp", "client_secret", "redirect_uri", "scope")
	}
	if e != nil {
		jsonError(w, e, q.Get("state"))
		return
	}
	m := Message{ClientID: q.Get("client_id"), Scope: q.Get("scope"), ScopeOrg: q.Get("scope_org"),
		Timestamp: q.Get("timestamp"), State: q.Get("state"), RedirectURI: q.Get("redirect_uri")}
	var g *grant
	var message string
	d.mu.Lock()
	switch q.Get("grant_type") {
	case "authorization_code":
		m.Code = q.Get("code")
		g = d.codes[m.Code]
		delete(d.codes, m.Code) // single use
		message = m.V3()
	case "refresh_token":
		g = d.refresh[q.Get("refresh_token")]
		delete(d.refresh, q.Get("refresh_token")) // rotates
		message = m.V2()
	default:
		d.mu.Unlock()
		jsonError(w, fail("unsupported_grant_type", CodeUnsupportedGrant, "grant_type"), m.State)
		return
	}
	d.mu.Unlock()
	if v == V1 {
		message = m.V1()
	}
	if _, e := d.authenticate(q, v, message); e != nil {
		jsonError(w, e, m.State)
		return
	}
	if g == nil || g.client != m.ClientID || d.clock.Now().After(g.expires) {
		jsonError(w, fail("invalid_grant", CodeInvalidGrant, "the code is invalid, expired or used"), m.State)
		return
	}
	if m.RedirectURI != g.redirect {
		jsonError(w, fail("invalid_request", CodeRedirectURI, "redirect_uri differs"), m.State)
		return
	}
	if g.challenge != "" && CodeChallenge(q.Get("code_verifier")) != g.challenge {
		jsonError(w, fail("invalid_grant", CodePKCEVerifier, "code_verifier does not match"), m.State)
		return
	}
	access, id := d.mint(g)
	refresh := randomToken()
	d.mu.Lock()
	ng := *g
	ng.expires = d.clock.Now().Add(24 * time.Hour)
	d.refresh[refresh] = &ng
	d.access[access] = &ng
	d.mu.Unlock()
	state := m.State
	if d.wrongState {
		state = NewState()
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": access, "id_token": id, "refresh_token": refresh,
		"state": state, "token_type": "Bearer", "expires_in": 3600})
}

// mint makes the access and id tokens of a grant, signed as ЕСИА signs them.
func (d *double) mint(g *grant) (access, id string) {
	now := d.clock.Now().Unix()
	var scopes []string
	for _, s := range strings.Fields(g.scope) {
		scopes = append(scopes, fmt.Sprintf("%s?oid=%d", s, g.oid))
	}
	access = d.sign(map[string]any{"ver": 1, "typ": "JWT", "sbt": "access", "alg": d.alg}, map[string]any{
		"nbf": now, "iat": now, "exp": now + 3600, "iss": "http://esia.gosuslugi.ru/", "client_id": g.client,
		"urn:esia:sid": NewState(), "urn:esia:sbj_id": g.oid, "scope": strings.Join(scopes, " "),
	})
	id = d.sign(map[string]any{"ver": 0, "typ": "JWT", "sbt": "id", "alg": d.alg}, map[string]any{
		"nbf": now, "iat": now, "exp": now + 3600, "iss": "http://esia.gosuslugi.ru/", "aud": g.client,
		"sub": g.oid, "amr": "PWD", "urn:esia:amd": "PWD", "auth_time": now,
		"urn:esia:sbj": map[string]any{"urn:esia:sbj:nam": fmt.Sprintf("OID.%d", g.oid), "urn:esia:sbj:oid": g.oid,
			"urn:esia:sbj:typ": "P", "urn:esia:sbj:is_tru": true, "urn:esia:sbj:lvl": "3"},
	})
	return access, id
}

func (d *double) sign(header, claims map[string]any) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	signed := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	var sig []byte
	var err error
	if d.alg == AlgGOST {
		digest := streebog.Sum256([]byte(signed))
		sig, err = d.gost.key.Sign(rand.Reader, digest[:], nil)
	} else {
		digest := sha256.Sum256([]byte(signed))
		sig, err = rsa.SignPKCS1v15(rand.Reader, d.rsa, crypto.SHA256, digest[:])
	}
	if err != nil {
		panic(err)
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// bearer finds the grant of the request's access token, answering 401 when
// there is none and 403 when it is for another person.
func (d *double) bearer(w http.ResponseWriter, r *http.Request, oid OID) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	d.mu.Lock()
	g := d.access[tok]
	d.mu.Unlock()
	switch {
	case !ok || g == nil:
		writeJSON(w, http.StatusUnauthorized, map[string]string{"code": "ESIA-005011", "message": "token invalid"})
		return false
	case oid != 0 && g.oid != oid:
		writeJSON(w, http.StatusForbidden, map[string]string{"code": "ESIA-005006", "message": "access to another person"})
		return false
	}
	return true
}

func pathOID(r *http.Request, name string) OID {
	var o OID
	_ = o.UnmarshalJSON([]byte(r.PathValue(name)))
	return o
}

func embedded(r *http.Request) map[string]bool {
	out := map[string]bool{}
	e := strings.TrimSuffix(strings.TrimPrefix(r.URL.Query().Get("embed"), "("), ")")
	for _, s := range strings.Split(e, ",") {
		out[s] = true
	}
	return out
}

var collections = map[string]string{"ctts": "contacts", "addrs": "addresses", "docs": "documents"}

func (d *double) collectionOf(r *http.Request, oid OID, field, short string, embed bool) map[string]any {
	raw, _ := json.Marshal(d.persons[oid][field])
	var elems []map[string]any
	_ = json.Unmarshal(raw, &elems)
	out := map[string]any{"stateFacts": []string{"hasSize"}, "size": len(elems)}
	var list []any
	for _, e := range elems {
		if embed && !d.linksOnly {
			list = append(list, e)
		} else {
			list = append(list, fmt.Sprintf("%s/rs/prns/%d/%s/%v", d.srv.URL, oid, short, e["id"]))
		}
	}
	out["elements"] = list
	return out
}

func (d *double) person(w http.ResponseWriter, r *http.Request) {
	oid := pathOID(r, "oid")
	if !d.bearer(w, r, oid) {
		return
	}
	p, ok := d.persons[oid]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"code": "ESIA-005001", "message": "not found"})
		return
	}
	out := map[string]any{}
	for k, v := range p {
		out[k] = v
	}
	emb := embedded(r)
	for short, field := range collections {
		out[field] = d.collectionOf(r, oid, field, short, emb[field+".elements"])
	}
	writeJSON(w, http.StatusOK, out)
}

func (d *double) collection(w http.ResponseWriter, r *http.Request) {
	oid := pathOID(r, "oid")
	if !d.bearer(w, r, oid) {
		return
	}
	coll := r.PathValue("coll")
	if coll == "roles" {
		writeJSON(w, http.StatusOK, map[string]any{"stateFacts": []string{"hasSize"}, "size": len(d.roles[oid]), "elements": d.roles[oid]})
		return
	}
	field, ok := collections[coll]
	if !ok {
		http.NotFound(w, r)
		return
	}
	writeJSON(w, http.StatusOK, d.collectionOf(r, oid, field, coll, embedded(r)["elements"]))
}

func (d *double) element(w http.ResponseWriter, r *http.Request) {
	oid := pathOID(r, "oid")
	if !d.bearer(w, r, oid) {
		return
	}
	raw, _ := json.Marshal(d.persons[oid][collections[r.PathValue("coll")]])
	var elems []map[string]any
	_ = json.Unmarshal(raw, &elems)
	for _, e := range elems {
		if fmt.Sprint(e["id"]) == r.PathValue("id") {
			writeJSON(w, http.StatusOK, e)
			return
		}
	}
	http.NotFound(w, r)
}

func (d *double) org(w http.ResponseWriter, r *http.Request) {
	if !d.bearer(w, r, 0) {
		return
	}
	o, ok := d.orgs[pathOID(r, "oid")]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"code": "ESIA-005001", "message": "not found"})
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func jsonError(w http.ResponseWriter, e *esiaError, state string) {
	body := map[string]string{"error": e.oauth, "error_description": e.description()}
	if state != "" {
		body["state"] = state
	}
	writeJSON(w, http.StatusBadRequest, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
