package esia

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// What Person can embed (esia-protocol.md §4).
const (
	EmbedContacts  = "contacts.elements"
	EmbedAddresses = "addresses.elements"
	EmbedDocuments = "documents.elements"
)

// Contact, address and document types, and the verified status.
const (
	ContactMobile      = "MBT"
	ContactPhone       = "PHN"
	ContactEmail       = "EML"
	ContactWorkEmail   = "CEM"
	AddressRegistered  = "PRG" // место регистрации
	AddressResidence   = "PLV" // место проживания
	DocPassport        = "RF_PASSPORT"
	DocForeign         = "FID_DOC"
	DocDrivingLicense  = "RF_DRIVING_LICENSE"
	DocMilitaryID      = "MLTR_ID"
	DocForeignPassport = "FRGN_PASS"
	DocMedicalPolicy   = "MDCL_PLCY"
	DocBirthCert       = "BRTH_CERT"
	Verified           = "VERIFIED" // vrfStu of a checked contact or document
)

// Person is /rs/prns/{oid}.
type Person struct {
	StateFacts  []string `json:"stateFacts,omitempty"`
	FirstName   string   `json:"firstName,omitempty"`
	LastName    string   `json:"lastName,omitempty"`
	MiddleName  string   `json:"middleName,omitempty"`
	BirthDate   string   `json:"birthDate,omitempty"` // DD.MM.YYYY
	BirthPlace  string   `json:"birthPlace,omitempty"`
	Gender      string   `json:"gender,omitempty"` // M or F
	Trusted     bool     `json:"trusted"`
	Citizenship string   `json:"citizenship,omitempty"`
	SNILS       string   `json:"snils,omitempty"`
	INN         string   `json:"inn,omitempty"`
	Status      string   `json:"status,omitempty"`
	// RIDDoc is the id of the identity document in Documents.
	RIDDoc    int64                 `json:"rIdDoc,omitempty"`
	Contacts  *Collection[Contact]  `json:"contacts,omitempty"`
	Addresses *Collection[Address]  `json:"addresses,omitempty"`
	Documents *Collection[Document] `json:"documents,omitempty"`
}

// Contact is an element of /ctts.
type Contact struct {
	ID     int64  `json:"id,omitempty"`
	Type   string `json:"type"`
	VrfStu string `json:"vrfStu,omitempty"`
	Value  string `json:"value"`
}

// Address is an element of /addrs.
type Address struct {
	ID         int64  `json:"id,omitempty"`
	Type       string `json:"type"`
	AddressStr string `json:"addressStr,omitempty"`
	ZipCode    string `json:"zipCode,omitempty"`
	CountryID  string `json:"countryId,omitempty"`
	Region     string `json:"region,omitempty"`
	City       string `json:"city,omitempty"`
	Street     string `json:"street,omitempty"`
	House      string `json:"house,omitempty"`
	Flat       string `json:"flat,omitempty"`
	FiasCode   string `json:"fiasCode,omitempty"`
}

// Document is an element of /docs.
type Document struct {
	ID         int64  `json:"id,omitempty"`
	Type       string `json:"type"`
	VrfStu     string `json:"vrfStu,omitempty"`
	Series     string `json:"series,omitempty"`
	Number     string `json:"number,omitempty"`
	IssueDate  string `json:"issueDate,omitempty"`
	IssueID    string `json:"issueId,omitempty"`
	IssuedBy   string `json:"issuedBy,omitempty"`
	ExpiryDate string `json:"expiryDate,omitempty"`
}

// Role is an element of /roles: an organisation the person acts for.
type Role struct {
	OID       OID    `json:"oid"`
	PrnOID    OID    `json:"prnOid,omitempty"`
	FullName  string `json:"fullName,omitempty"`
	ShortName string `json:"shortName,omitempty"`
	OGRN      string `json:"ogrn,omitempty"`
	Type      string `json:"type,omitempty"` // BUSINESS or LEGAL
	Chief     bool   `json:"chief"`
	Admin     bool   `json:"admin"`
	Active    bool   `json:"active"`
}

// Org is /rs/orgs/{oid}.
type Org struct {
	StateFacts []string             `json:"stateFacts,omitempty"`
	OID        OID                  `json:"oid"`
	ShortName  string               `json:"shortName,omitempty"`
	FullName   string               `json:"fullName,omitempty"`
	Type       string               `json:"type,omitempty"`
	OGRN       string               `json:"ogrn,omitempty"`
	INN        string               `json:"inn,omitempty"`
	KPP        string               `json:"kpp,omitempty"`
	LegalForm  string               `json:"leg,omitempty"`
	Contacts   *Collection[Contact] `json:"contacts,omitempty"`
	Addresses  *Collection[Address] `json:"addresses,omitempty"`
}

// Collection is ЕСИА's list: {"stateFacts":["hasSize"],"size":N,
// "elements":[…]}. Elements are objects when embedded, otherwise absolute
// URLs, which are kept in Links.
type Collection[T any] struct {
	StateFacts []string `json:"stateFacts,omitempty"`
	Size       int      `json:"size"`
	Elements   []T      `json:"elements,omitempty"`
	Links      []string `json:"-"`
}

// UnmarshalJSON separates embedded elements from links.
func (c *Collection[T]) UnmarshalJSON(b []byte) error {
	var raw struct {
		StateFacts []string          `json:"stateFacts"`
		Size       int               `json:"size"`
		Elements   []json.RawMessage `json:"elements"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*c = Collection[T]{StateFacts: raw.StateFacts, Size: raw.Size}
	for _, e := range raw.Elements {
		e = bytes.TrimSpace(e)
		if len(e) > 0 && e[0] == '"' {
			var link string
			if err := json.Unmarshal(e, &link); err != nil {
				return err
			}
			c.Links = append(c.Links, link)
			continue
		}
		var v T
		if err := json.Unmarshal(e, &v); err != nil {
			return err
		}
		c.Elements = append(c.Elements, v)
	}
	return nil
}

// Contact returns the first contact of type typ, if any.
func (p *Person) Contact(typ string) (Contact, bool) {
	if p.Contacts != nil {
		for _, c := range p.Contacts.Elements {
			if c.Type == typ {
				return c, true
			}
		}
	}
	return Contact{}, false
}

// IdentityDocument returns the document RIDDoc names, if embedded.
func (p *Person) IdentityDocument() (Document, bool) {
	if p.Documents != nil {
		for _, d := range p.Documents.Elements {
			if d.ID == p.RIDDoc {
				return d, true
			}
		}
	}
	return Document{}, false
}

// Person reads /rs/prns/{oid} with the access token, embedding the given
// collections (EmbedContacts, …).
func (c *Client) Person(ctx context.Context, accessToken string, oid OID, embed ...string) (*Person, error) {
	var p Person
	if err := c.get(ctx, accessToken, "/rs/prns/"+oid.String(), embed, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Contacts reads /rs/prns/{oid}/ctts.
func (c *Client) Contacts(ctx context.Context, accessToken string, oid OID) ([]Contact, error) {
	return collection[Contact](ctx, c, accessToken, "/rs/prns/"+oid.String()+"/ctts")
}

// Addresses reads /rs/prns/{oid}/addrs.
func (c *Client) Addresses(ctx context.Context, accessToken string, oid OID) ([]Address, error) {
	return collection[Address](ctx, c, accessToken, "/rs/prns/"+oid.String()+"/addrs")
}

// Documents reads /rs/prns/{oid}/docs.
func (c *Client) Documents(ctx context.Context, accessToken string, oid OID) ([]Document, error) {
	return collection[Document](ctx, c, accessToken, "/rs/prns/"+oid.String()+"/docs")
}

// Roles reads /rs/prns/{oid}/roles: the organisations the person works for.
func (c *Client) Roles(ctx context.Context, accessToken string, oid OID) ([]Role, error) {
	return collection[Role](ctx, c, accessToken, "/rs/prns/"+oid.String()+"/roles")
}

// Org reads /rs/orgs/{oid}.
func (c *Client) Org(ctx context.Context, accessToken string, orgOID OID) (*Org, error) {
	var o Org
	if err := c.get(ctx, accessToken, "/rs/orgs/"+orgOID.String(), nil, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// maxLinks bounds how many links of a collection are followed.
const maxLinks = 100

// collection reads a collection with embed=(elements), following element
// links one by one when the provider answers links anyway.
func collection[T any](ctx context.Context, c *Client, token, path string) ([]T, error) {
	var col Collection[T]
	if err := c.get(ctx, token, path, []string{"elements"}, &col); err != nil {
		return nil, err
	}
	if len(col.Links) > maxLinks {
		return nil, fmt.Errorf("esia: %s lists %d links, more than %d", path, len(col.Links), maxLinks)
	}
	out := col.Elements
	for _, link := range col.Links {
		u, err := url.Parse(link)
		if err != nil || u.Scheme != c.base.Scheme || u.Host != c.base.Host || !strings.HasPrefix(u.Path, c.base.Path+path+"/") {
			return nil, fmt.Errorf("esia: %s: element link outside the collection", path)
		}
		var v T
		if err := c.getURL(ctx, token, u, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (c *Client) get(ctx context.Context, token, path string, embed []string, v any) error {
	u := c.endpoint(path)
	if len(embed) > 0 {
		for _, e := range embed {
			if strings.ContainsAny(e, "(),&#= ") {
				return fmt.Errorf("esia: embed %q has a reserved character", e)
			}
		}
		// ЕСИА reads embed=(a,b) literally; the parentheses and commas are
		// legal in a query and are not escaped.
		u.RawQuery = "embed=(" + strings.Join(embed, ",") + ")"
	}
	return c.getURL(ctx, token, u, v)
}

func (c *Client) getURL(ctx context.Context, token string, u *url.URL, v any) error {
	if token == "" {
		return errors.New("esia: no access token")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("esia: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("esia: %s: %w", u.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("esia: %s: %w", u.Path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return restError(resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("esia: %s: %w", u.Path, err)
	}
	return nil
}

// restError reads a REST failure: {"code":"ESIA-…","message":…} or the OAuth
// shape; anything else keeps only the status.
func restError(status int, body []byte) error {
	var e struct {
		Code             string `json:"code"`
		Message          string `json:"message"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &e)
	switch {
	case e.ErrorDescription != "" || e.Error != "":
		return newError(e.Error, e.ErrorDescription, "", status)
	case e.Code != "" || e.Message != "":
		desc := strings.TrimSpace(e.Code + ": " + e.Message)
		code := codeOf(e.Code)
		if code == "" {
			code = codeOf(e.Message)
		}
		return &Error{Code: code, Description: strings.Trim(desc, ": "), Status: status}
	}
	return &Error{Status: status, Description: fmt.Sprintf("HTTP %d", status)}
}
