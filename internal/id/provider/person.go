package provider

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/web"
)

// The person data endpoints: /rs/prns/{oid} and its collections, shaped as ЕСИА shapes them
// (esia-protocol.md §4), each field given only when the access token's scopes include it.

func (h *handler) registerPerson() {
	s := h.site
	s.Handle("GET /rs/prns/{oid}", h.person)
	for _, coll := range []string{"ctts", "addrs", "docs", "roles", "orgs"} {
		s.Handle("GET /rs/prns/{oid}/"+coll, h.collection(coll))
		if coll != "roles" {
			s.Handle("GET /rs/prns/{oid}/"+coll+"/{item}", h.item(coll))
		}
	}
	s.Handle("GET /rs/orgs/{oid}", h.org)
}

// resourceError answers a refused resource request as ЕСИА's REST does: 401 for a token that
// is missing or bad, 403 for one that does not cover what is asked, 404 for what does not exist.
func resourceError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="esia"`)
	}
	w.WriteHeader(status)
	w.Write([]byte(`{"code":"` + code + `","message":"` + http.StatusText(status) + `"}` + "\n"))
}

// authorised checks the request's access token against the path's oid and returns the token's
// scopes (without their ?oid=) and the account; ok false when it answered a refusal.
func (h *handler) authorised(w http.ResponseWriter, r *http.Request) (oid int64, scope []string, acc *id.Account, ok bool) {
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "Bearer ") {
		resourceError(w, http.StatusUnauthorized, "ESIA-005011")
		return 0, nil, nil, false
	}
	claims, err := h.p.verifyAccess(strings.TrimPrefix(auth, "Bearer "))
	if err != nil {
		resourceError(w, http.StatusUnauthorized, "ESIA-005011")
		return 0, nil, nil, false
	}
	oid, err = strconv.ParseInt(r.PathValue("oid"), 10, 64)
	if err != nil || oid != claims.SbjID {
		resourceError(w, http.StatusForbidden, "ESIA-005012")
		return 0, nil, nil, false
	}
	for _, s := range strings.Fields(claims.Scope) {
		name, o, _ := strings.Cut(s, "?oid=")
		if o == strconv.FormatInt(oid, 10) {
			scope = append(scope, name)
		}
	}
	acc, err = h.p.id.AccountByESIAOID(r.Context(), oid)
	if err != nil || acc.Status == id.Blocked {
		resourceError(w, http.StatusNotFound, "ESIA-005013")
		return 0, nil, nil, false
	}
	return oid, scope, acc, true
}

// Person is /rs/prns/{oid}.
type Person struct {
	StateFacts  []string    `json:"stateFacts"`
	FirstName   string      `json:"firstName,omitempty"`
	LastName    string      `json:"lastName,omitempty"`
	MiddleName  string      `json:"middleName,omitempty"`
	BirthDate   string      `json:"birthDate,omitempty"`
	BirthPlace  string      `json:"birthPlace,omitempty"`
	Trusted     bool        `json:"trusted"`
	Citizenship string      `json:"citizenship,omitempty"`
	SNILS       string      `json:"snils,omitempty"`
	INN         string      `json:"inn,omitempty"`
	Status      string      `json:"status"`
	RIdDoc      int         `json:"rIdDoc,omitempty"`
	Contacts    *Collection `json:"contacts,omitempty"`
	Addresses   *Collection `json:"addresses,omitempty"`
	Documents   *Collection `json:"documents,omitempty"`
}

// Collection is a list of ЕСИА: links to the elements, or (embedded) the elements.
type Collection struct {
	StateFacts []string `json:"stateFacts"`
	Size       int      `json:"size"`
	Elements   []any    `json:"elements"`
}

// Contact is an element of /ctts.
type Contact struct {
	StateFacts []string `json:"stateFacts"`
	ID         int      `json:"id"`
	Type       string   `json:"type"` // MBT, EML
	VrfStu     string   `json:"vrfStu"`
	Value      string   `json:"value"`
}

// PostalAddress is an element of /addrs.
type PostalAddress struct {
	StateFacts []string `json:"stateFacts"`
	ID         int      `json:"id"`
	Type       string   `json:"type"` // PRG
	AddressStr string   `json:"addressStr"`
	Region     string   `json:"region,omitempty"`
	City       string   `json:"city,omitempty"`
	Street     string   `json:"street,omitempty"`
	House      string   `json:"house,omitempty"`
	Flat       string   `json:"flat,omitempty"`
	ZipCode    string   `json:"zipCode,omitempty"`
	CountryID  string   `json:"countryId"`
}

// Document is an element of /docs.
type Document struct {
	StateFacts []string `json:"stateFacts"`
	ID         int      `json:"id"`
	Type       string   `json:"type"` // RF_PASSPORT
	VrfStu     string   `json:"vrfStu"`
	Series     string   `json:"series"`
	Number     string   `json:"number"`
	IssueDate  string   `json:"issueDate,omitempty"`
	IssueID    string   `json:"issueId,omitempty"`
	IssuedBy   string   `json:"issuedBy,omitempty"`
}

// The element ids: one contact of each kind, one address, one document per account.
const (
	idEmail, idMobile = 1, 2
	idAddress         = 1
	idPassport        = 1
)

// verified is the vrfStu of what the account holds: its contacts are confirmed at
// registration; documents at the standard level.
func verified(acc *id.Account) string {
	if acc.Level == id.Simplified {
		return "NOT_VERIFIED"
	}
	return "VERIFIED"
}

func date(t interface{ Format(string) string }) string { return t.Format("02.01.2006") }

func contactsOf(acc *id.Account, scope []string) []any {
	var out []any
	if acc.Email != "" && has(scope, "email", "contacts") {
		out = append(out, Contact{StateFacts: []string{"Identifiable"}, ID: idEmail, Type: "EML", VrfStu: "VERIFIED", Value: acc.Email})
	}
	if acc.Phone != "" && has(scope, "mobile", "contacts") {
		out = append(out, Contact{StateFacts: []string{"Identifiable"}, ID: idMobile, Type: "MBT", VrfStu: "VERIFIED", Value: esiaPhone(acc.Phone)})
	}
	return out
}

// esiaPhone writes +79001234567 as ЕСИА does: +7(900)1234567.
func esiaPhone(p string) string {
	if len(p) == 12 && strings.HasPrefix(p, "+7") {
		return "+7(" + p[2:5] + ")" + p[5:]
	}
	return p
}

func addressesOf(acc *id.Account, scope []string) []any {
	a := acc.Profile.Address
	if a == nil || !has(scope, "addresses") {
		return nil
	}
	parts := []string{a.Region}
	for _, s := range []string{a.District, a.City, a.Street, a.House} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if a.Flat != "" {
		parts = append(parts, "кв. "+a.Flat)
	}
	return []any{PostalAddress{StateFacts: []string{"Identifiable"}, ID: idAddress, Type: "PRG", AddressStr: strings.Join(parts, ", "),
		Region: a.Region, City: a.City, Street: a.Street, House: a.House, Flat: a.Flat, ZipCode: a.Postcode, CountryID: "RUS"}}
}

func documentsOf(acc *id.Account, scope []string) []any {
	ps := acc.Profile.Passport
	if ps == nil || !has(scope, "id_doc") {
		return nil
	}
	d := Document{StateFacts: []string{"Identifiable"}, ID: idPassport, Type: "RF_PASSPORT", VrfStu: verified(acc), Series: ps.Series,
		Number: ps.Number, IssueID: strings.ReplaceAll(ps.DivisionCode, "-", ""), IssuedBy: ps.Issuer}
	if !ps.IssueDate.IsZero() {
		d.IssueDate = date(ps.IssueDate)
	}
	return []any{d}
}

// elementsOf is a collection of the account, by its short name.
func elementsOf(acc *id.Account, scope []string, coll string) []any {
	switch coll {
	case "ctts":
		return contactsOf(acc, scope)
	case "addrs":
		return addressesOf(acc, scope)
	case "docs":
		return documentsOf(acc, scope)
	}
	return nil
}

// collectionScopes are the scopes that open a collection at all.
var collectionScopes = map[string][]string{
	"ctts": {"email", "mobile", "contacts"}, "addrs": {"addresses"}, "docs": {"id_doc"}, "roles": {"usr_org"}, "orgs": {"usr_org"},
}

// collectionOf makes the collection: links to the elements, or the elements when embedded.
func (h *handler) collectionOf(r *http.Request, oid int64, coll string, elems []any, embed bool) *Collection {
	c := &Collection{StateFacts: []string{"hasSize"}, Size: len(elems), Elements: []any{}}
	if embed {
		c.Elements = append(c.Elements, elems...)
		return c
	}
	base := h.baseURL(r) + "/rs/prns/" + strconv.FormatInt(oid, 10) + "/" + coll + "/"
	for _, e := range elems {
		c.Elements = append(c.Elements, base+strconv.Itoa(elementID(e)))
	}
	return c
}

func elementID(e any) int {
	switch v := e.(type) {
	case Contact:
		return v.ID
	case PostalAddress:
		return v.ID
	case Document:
		return v.ID
	case orgRef:
		return int(v.oid)
	}
	return 0
}

func (h *handler) baseURL(r *http.Request) string {
	if b := strings.TrimSuffix(h.p.base(), "/"); b != "" {
		return b
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// embeds reads ?embed=(contacts.elements,documents.elements): the names embedded.
func embeds(r *http.Request) []string {
	e := strings.Trim(r.URL.Query().Get("embed"), "()")
	var out []string
	for _, f := range strings.Split(e, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// person is /rs/prns/{oid}.
func (h *handler) person(w http.ResponseWriter, r *http.Request) error {
	oid, scope, acc, ok := h.authorised(w, r)
	if !ok {
		return nil
	}
	pf := acc.Profile
	p := Person{StateFacts: []string{"EntityRoot"}, Trusted: acc.Level == id.Confirmed, Status: "REGISTERED"}
	if has(scope, "fullname") {
		p.FirstName, p.LastName, p.MiddleName = pf.FirstName, pf.LastName, pf.MiddleName
	}
	if has(scope, "birthdate") && !pf.BirthDate.IsZero() {
		p.BirthDate = date(pf.BirthDate)
	}
	if has(scope, "birthplace") {
		p.BirthPlace = pf.BirthPlace
	}
	if has(scope, "snils") {
		p.SNILS = pf.SNILS
	}
	if has(scope, "inn") {
		p.INN = pf.INN
	}
	if acc.Level != id.Simplified && has(scope, "fullname", "id_doc") {
		p.Citizenship = "RUS"
	}
	if has(scope, "id_doc") && pf.Passport != nil {
		p.RIdDoc = idPassport
	}
	emb := embeds(r)
	for _, c := range []struct {
		name, coll string
		dst        **Collection
	}{{"contacts", "ctts", &p.Contacts}, {"addresses", "addrs", &p.Addresses}, {"documents", "docs", &p.Documents}} {
		if has(emb, c.name+".elements", c.name) && has(scope, collectionScopes[c.coll]...) {
			*c.dst = h.collectionOf(r, oid, c.coll, elementsOf(acc, scope, c.coll), true)
		}
	}
	web.JSON(w, http.StatusOK, p)
	return nil
}

// collection is /rs/prns/{oid}/ctts, /addrs, /docs, /roles and /orgs (?embed=(elements)).
func (h *handler) collection(coll string) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		oid, scope, acc, ok := h.authorised(w, r)
		if !ok {
			return nil
		}
		if !has(scope, collectionScopes[coll]...) {
			resourceError(w, http.StatusForbidden, "ESIA-005012")
			return nil
		}
		switch coll {
		case "roles":
			roles, err := h.p.Roles(r.Context(), acc.ID)
			if err != nil {
				return err
			}
			elems := make([]any, len(roles))
			for i, ro := range roles {
				ro.PrnOID = oid
				elems[i] = ro
			}
			web.JSON(w, http.StatusOK, &Collection{StateFacts: []string{"hasSize"}, Size: len(elems), Elements: append([]any{}, elems...)})
			return nil
		case "orgs":
			roles, err := h.p.Roles(r.Context(), acc.ID)
			if err != nil {
				return err
			}
			c := &Collection{StateFacts: []string{"hasSize"}, Size: len(roles), Elements: []any{}}
			for _, ro := range roles {
				c.Elements = append(c.Elements, h.baseURL(r)+"/rs/orgs/"+strconv.FormatInt(ro.OID, 10))
			}
			web.JSON(w, http.StatusOK, c)
			return nil
		}
		embed := has(embeds(r), "elements")
		web.JSON(w, http.StatusOK, h.collectionOf(r, oid, coll, elementsOf(acc, scope, coll), embed))
		return nil
	}
}

// item is one element of a collection, /rs/prns/{oid}/ctts/{id}.
func (h *handler) item(coll string) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		_, scope, acc, ok := h.authorised(w, r)
		if !ok {
			return nil
		}
		n, _ := strconv.Atoi(r.PathValue("item"))
		for _, e := range elementsOf(acc, scope, coll) {
			if elementID(e) == n {
				web.JSON(w, http.StatusOK, e)
				return nil
			}
		}
		resourceError(w, http.StatusNotFound, "ESIA-005013")
		return nil
	}
}

// orgRef is an organisation in a list.
type orgRef struct{ oid int64 }

// Role is an element of /rs/prns/{oid}/roles: an organisation the person acts for.
type Role struct {
	OID       int64  `json:"oid"`
	PrnOID    int64  `json:"prnOid"`
	FullName  string `json:"fullName"`
	ShortName string `json:"shortName"`
	OGRN      string `json:"ogrn"`
	Type      string `json:"type"`
	Chief     bool   `json:"chief"`
	Admin     bool   `json:"admin"`
	Active    bool   `json:"active"`
}

// Organisation is /rs/orgs/{oid}.
type Organisation struct {
	StateFacts []string `json:"stateFacts"`
	OID        int64    `json:"oid"`
	FullName   string   `json:"fullName"`
	ShortName  string   `json:"shortName"`
	OGRN       string   `json:"ogrn"`
	INN        string   `json:"inn"`
	KPP        string   `json:"kpp,omitempty"`
	Type       string   `json:"type"`
}

// Roles lists the organisations the account acts for.
func (p *Provider) Roles(ctx context.Context, accountID string) ([]Role, error) {
	rows, err := p.db.Reader().QueryContext(ctx, `SELECT o.oid, o.full_name, o.short_name, o.ogrn, o.type, r.chief, r.admin, r.active
		FROM id_provider_roles r JOIN id_provider_orgs o ON o.oid = r.org_oid WHERE r.account_id = $1 ORDER BY o.oid`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Role
	for rows.Next() {
		var ro Role
		if err := rows.Scan(&ro.OID, &ro.FullName, &ro.ShortName, &ro.OGRN, &ro.Type, &ro.Chief, &ro.Admin, &ro.Active); err != nil {
			return nil, err
		}
		out = append(out, ro)
	}
	return out, rows.Err()
}

// AddOrganisation stores an organisation (the seeded test stand), replacing one of the oid.
func (p *Provider) AddOrganisation(ctx context.Context, o Organisation) error {
	_, err := p.db.Writer().ExecContext(ctx, `INSERT INTO id_provider_orgs (oid, full_name, short_name, ogrn, inn, kpp, type)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (oid) DO UPDATE SET full_name = excluded.full_name,
		short_name = excluded.short_name, ogrn = excluded.ogrn, inn = excluded.inn, kpp = excluded.kpp, type = excluded.type`,
		o.OID, o.FullName, o.ShortName, o.OGRN, o.INN, o.KPP, o.Type)
	return err
}

// AddRole lets the account act for the organisation.
func (p *Provider) AddRole(ctx context.Context, accountID string, orgOID int64, chief, admin bool) error {
	_, err := p.db.Writer().ExecContext(ctx, `INSERT INTO id_provider_roles (account_id, org_oid, chief, admin, active)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, org_oid) DO UPDATE SET chief = excluded.chief, admin = excluded.admin`,
		accountID, orgOID, chief, admin, true)
	return err
}

// org is /rs/orgs/{oid}: an organisation the token's person acts for (scope usr_org).
func (h *handler) org(w http.ResponseWriter, r *http.Request) error {
	auth := r.Header.Get("Authorization")
	claims, err := h.p.verifyAccess(strings.TrimPrefix(auth, "Bearer "))
	if !strings.HasPrefix(auth, "Bearer ") || err != nil {
		resourceError(w, http.StatusUnauthorized, "ESIA-005011")
		return nil
	}
	oid, err := strconv.ParseInt(r.PathValue("oid"), 10, 64)
	if err != nil {
		resourceError(w, http.StatusNotFound, "ESIA-005013")
		return nil
	}
	if !strings.Contains(" "+claims.Scope, " usr_org?oid=") {
		resourceError(w, http.StatusForbidden, "ESIA-005012")
		return nil
	}
	acc, err := h.p.id.AccountByESIAOID(r.Context(), claims.SbjID)
	if err != nil {
		resourceError(w, http.StatusForbidden, "ESIA-005012")
		return nil
	}
	var o Organisation
	var chief bool
	err = h.p.db.Reader().QueryRowContext(r.Context(), `SELECT o.oid, o.full_name, o.short_name, o.ogrn, o.inn, o.kpp, o.type, r.chief
		FROM id_provider_orgs o JOIN id_provider_roles r ON r.org_oid = o.oid WHERE o.oid = $1 AND r.account_id = $2`, oid, acc.ID).Scan(
		&o.OID, &o.FullName, &o.ShortName, &o.OGRN, &o.INN, &o.KPP, &o.Type, &chief)
	if errors.Is(err, sql.ErrNoRows) {
		resourceError(w, http.StatusNotFound, "ESIA-005013")
		return nil
	}
	if err != nil {
		return err
	}
	o.StateFacts = []string{"EntityRoot"}
	web.JSON(w, http.StatusOK, o)
	return nil
}
