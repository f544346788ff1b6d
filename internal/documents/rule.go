package documents

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sep-platform/sep/internal/i18n"
)

// Type is a kind of file the store accepts, as its content (never its name) shows it.
type Type string

// The accepted types.
const (
	PDF  Type = "pdf"
	JPEG Type = "jpeg"
	PNG  Type = "png"
)

// ContentType is the media type a stored document of type t is served with.
func (t Type) ContentType() string {
	switch t {
	case PDF:
		return "application/pdf"
	case JPEG:
		return "image/jpeg"
	case PNG:
		return "image/png"
	}
	return "application/octet-stream"
}

// label is how messages name the type.
func (t Type) label() string { return strings.ToUpper(string(t)) }

// Rule is what a document of one kind must be: a service file's document requirement.
type Rule struct {
	Kind     string // the kind of document (passport_scan, snils…), journaled
	Types    []Type // the accepted types; empty: PDF, JPEG and PNG
	MaxBytes int64  // the size limit; 0: DefaultMaxBytes
	MinDPI   int    // images: the least resolution; 0: any
	Colour   bool   // images: must be in colour
	PDFA     bool   // PDFs: must claim PDF/A-1b in their XMP metadata
}

// Limits of every rule.
const (
	DefaultMaxBytes = 5 << 20
	// MaxPixels refuses image bombs: a 5 MB PNG can declare 100000 × 100000 pixels, 40 GB
	// once decoded. 60 megapixels is an A4 page at 1200 dpi with room to spare.
	MaxPixels = 60_000_000
	// MaxSide refuses absurd proportions (1 × 50,000,000) that MaxPixels alone lets through.
	MaxSide = 20_000
)

func (r Rule) types() []Type {
	if len(r.Types) == 0 {
		return []Type{PDF, JPEG, PNG}
	}
	return r.Types
}

func (r Rule) maxBytes() int64 {
	if r.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return r.MaxBytes
}

func (r Rule) allows(t Type) bool {
	for _, x := range r.types() {
		if x == t {
			return true
		}
	}
	return false
}

// typeList is "PDF, JPEG, PNG".
func (r Rule) typeList() string {
	names := make([]string, 0, 3)
	for _, t := range r.types() {
		names = append(names, t.label())
	}
	return strings.Join(names, ", ")
}

// megabytes writes a size limit in MB as people write it: "5", "2,5" (the catalog adds МБ/MB
// and the decimal comma is the Russian one; the English catalog shows it too, acceptable
// for a limit that is almost always whole).
func megabytes(n int64) string {
	if n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10)
	}
	return strings.Replace(strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64), ".", ",", 1)
}

// State is where a document stands:
//
//	Put ──► quarantined ──clean──► accepted
//	  │          └──infected──► refused
//	  ├──checks passed, no scanner──► accepted
//	  └──a check failed──► refused
//
// Only an accepted document can be read back.
type State string

// The states.
const (
	Quarantined State = "quarantined" // stored, waiting for the antivirus
	Accepted    State = "accepted"    // «Принят»
	Refused     State = "refused"     // a check or the antivirus refused it; nothing is stored
)

// Verdict is what the store says of a document: «Принят», a refusal naming its reason, or that
// the antivirus has not yet seen it. Reason is a message key of the documents catalog.
type Verdict struct {
	State  State
	Reason string            // documents.accepted, documents.quarantined, documents.refused.*
	Args   map[string]string // the message's placeholders (a limit, a resolution), no personal data
}

// Message is the verdict in the printer's language.
func (v Verdict) Message(p *i18n.Printer) string {
	args := make([]any, 0, 2*len(v.Args))
	for k, x := range v.Args {
		args = append(args, k, x)
	}
	return p.T(v.Reason, args...)
}

func accepted() Verdict    { return Verdict{State: Accepted, Reason: "documents.accepted"} }
func quarantined() Verdict { return Verdict{State: Quarantined, Reason: "documents.quarantined"} }

func refuse(reason string, args ...string) Verdict {
	v := Verdict{State: Refused, Reason: "documents.refused." + reason}
	if len(args) > 0 {
		v.Args = map[string]string{}
		for i := 0; i+1 < len(args); i += 2 {
			v.Args[args[i]] = args[i+1]
		}
	}
	return v
}

func (v Verdict) String() string { return fmt.Sprintf("%s (%s)", v.State, v.Reason) }
