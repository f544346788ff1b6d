package services

import (
	_ "embed"
	"net/http"
	"slices"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/web"
)

// OpenAPI is this package's part of the API document (package api).
//
//go:embed openapi.yaml
var OpenAPI []byte

// The API's shapes: the model as clients read it, every text in both languages.
type (
	apiCategory struct {
		Code string `json:"code"`
		Name Text   `json:"name"`
	}
	apiSummary struct {
		Code     string `json:"code"`
		Name     Text   `json:"name"`
		Summary  Text   `json:"summary"`
		Category string `json:"category"`
		URL      string `json:"url"` // the service's page
	}
	apiList struct {
		Query      string        `json:"query,omitempty"`
		Categories []apiCategory `json:"categories"`
		Services   []apiSummary  `json:"services"`
	}
	apiOption struct {
		Value string `json:"value"`
		Label Text   `json:"label"`
	}
	apiField struct {
		Name            string            `json:"name"`
		Type            FieldType         `json:"type"`
		Label           Text              `json:"label"`
		Hint            *Text             `json:"hint,omitempty"`
		Required        bool              `json:"required"`
		Validator       string            `json:"validator,omitempty"`
		ValidatorParams map[string]string `json:"validator_params,omitempty"`
		Prefill         Prefill           `json:"prefill,omitempty"`
		MinLength       int               `json:"min_length,omitempty"`
		MaxLength       int               `json:"max_length"`
		Options         []apiOption       `json:"options,omitempty"`
	}
	apiQuality struct {
		MinDPI    int  `json:"min_dpi,omitempty"`
		MinWidth  int  `json:"min_width,omitempty"`
		MinHeight int  `json:"min_height,omitempty"`
		Colour    bool `json:"colour"`
		Uncropped bool `json:"uncropped"`
		PDFA1b    bool `json:"pdfa_1b"`
	}
	apiDocument struct {
		Kind       string     `json:"kind"`
		Name       Text       `json:"name"`
		Hint       *Text      `json:"hint,omitempty"`
		Required   bool       `json:"required"`
		Formats    []Format   `json:"formats"`
		MediaTypes []string   `json:"media_types"`
		MaxBytes   int64      `json:"max_bytes"`
		Quality    apiQuality `json:"quality"`
		Biometric  bool       `json:"biometric"`
	}
	apiFee struct {
		Kopecks int64  `json:"kopecks"`
		Rubles  string `json:"rubles"`
		Purpose Text   `json:"purpose"`
	}
	apiDeadline struct {
		WorkingDays       int `json:"working_days,omitempty"`
		Hours             int `json:"hours,omitempty"`
		ExtendableToHours int `json:"extendable_to_hours,omitempty"`
	}
	apiWorkflow struct {
		Deadlines         map[State]apiDeadline `json:"deadlines"`
		OnCorrectionLapse Lapse                 `json:"on_correction_lapse"`
		Activates         bool                  `json:"activates"`
	}
	apiService struct {
		Code               string        `json:"code"`
		Name               Text          `json:"name"`
		Summary            Text          `json:"summary"`
		Description        Text          `json:"description"`
		Category           apiCategory   `json:"category"`
		Keywords           []Text        `json:"keywords"`
		Applicants         []Applicant   `json:"applicants"`
		MinLevel           string        `json:"min_level"`
		QualifiedSignature []Applicant   `json:"qualified_signature"`
		Fields             []apiField    `json:"fields"`
		Documents          []apiDocument `json:"documents"`
		Fee                *apiFee       `json:"fee"`
		Workflow           apiWorkflow   `json:"workflow"`
		URL                string        `json:"url"`
		ApplyURL           string        `json:"apply_url"`
	}
)

func optionalText(t Text) *Text {
	if t == (Text{}) {
		return nil
	}
	return &t
}

func (h *Handler) apiList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if len(q["q"]) > 1 {
		return errs.E(errs.Invalid, "services.query_repeated", nil)
	}
	query := q.Get("q")
	if len(query) > MaxQueryLen {
		return errs.E(errs.Invalid, "services.query_too_long", nil)
	}
	out := apiList{Query: query, Categories: []apiCategory{}, Services: []apiSummary{}}
	for _, c := range h.catalog.Categories {
		out.Categories = append(out.Categories, apiCategory(c))
	}
	list := h.catalog.Services
	if query != "" {
		list = nil
		for _, res := range h.catalog.Search(query) {
			list = append(list, res.Service)
		}
	}
	for _, s := range list {
		out.Services = append(out.Services, apiSummary{Code: s.Code, Name: s.Name, Summary: s.Summary,
			Category: s.Category, URL: "/services/" + s.Code})
	}
	web.JSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) apiService(w http.ResponseWriter, r *http.Request) error {
	s, err := h.lookup(r)
	if err != nil {
		return err
	}
	cat, _ := h.catalog.Category(s.Category)
	out := apiService{Code: s.Code, Name: s.Name, Summary: s.Summary, Description: s.Description,
		Category: apiCategory(cat), Keywords: append([]Text{}, s.Keywords...),
		Applicants: s.Applicants, MinLevel: string(s.MinLevel), QualifiedSignature: append([]Applicant{}, s.QualifiedSignature...),
		URL: "/services/" + s.Code, ApplyURL: ApplyPath(s.Code),
		Workflow: apiWorkflow{Deadlines: map[State]apiDeadline{}, OnCorrectionLapse: s.Workflow.OnCorrectionLapse,
			Activates: s.Workflow.Activates}}
	out.Fields = []apiField{}
	for _, f := range s.Fields {
		af := apiField{Name: f.Name, Type: f.Type, Label: f.Label, Hint: optionalText(f.Hint), Required: f.Required,
			Validator: f.Validator, ValidatorParams: f.ValidatorParams, Prefill: f.Prefill, MinLength: f.MinLength,
			MaxLength: f.MaxLength}
		for _, o := range f.Options {
			af.Options = append(af.Options, apiOption(o))
		}
		out.Fields = append(out.Fields, af)
	}
	out.Documents = []apiDocument{}
	for _, d := range s.Documents {
		ad := apiDocument{Kind: d.Kind, Name: d.Name, Hint: optionalText(d.Hint), Required: d.Required,
			Formats: slices.Clone(d.Formats), MaxBytes: d.MaxBytes, Quality: apiQuality(d.Quality), Biometric: d.Biometric}
		for _, f := range d.Formats {
			ad.MediaTypes = append(ad.MediaTypes, f.MediaType())
		}
		out.Documents = append(out.Documents, ad)
	}
	if s.Fee != nil {
		out.Fee = &apiFee{Kopecks: s.Fee.Kopecks, Rubles: s.Fee.Rubles(), Purpose: s.Fee.Purpose}
	}
	for st, d := range s.Workflow.Deadlines {
		out.Workflow.Deadlines[st] = apiDeadline(d)
	}
	web.JSON(w, http.StatusOK, out)
	return nil
}
