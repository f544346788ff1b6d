package services

import (
	"fmt"
	"slices"
)

// DocumentRule is what a service asks of one document: its kind, whether it must be given,
// the formats and size allowed and the quality the file must have. The document store checks
// a file against it (type sniffed from content, size, resolution, colour, PDF/A).
type DocumentRule struct {
	// Kind is a Catalogue.DocumentKinds code, e.g. "passport_scan".
	Kind     string
	Name     Text // the kind's name
	Hint     Text // what this service needs of it, in the service's words; may be empty
	Required bool
	// Formats are the file formats accepted, in the order the page names them.
	Formats []Format
	// MaxBytes is the largest file accepted.
	MaxBytes int64
	Quality  Quality
	// Biometric documents (photo, fingerprints) need the citizen's separate consent under
	// 152-ФЗ art. 11 before they are taken.
	Biometric bool
}

// Accepts reports whether the rule allows format f.
func (r DocumentRule) Accepts(f Format) bool { return slices.Contains(r.Formats, f) }

// Format is a file format a document may come in.
type Format string

// The formats. The store recognises each by its content, never by the file's name.
const (
	PDF  Format = "pdf"
	JPEG Format = "jpeg"
	PNG  Format = "png"
)

var formats = []Format{PDF, JPEG, PNG}

// MediaType is the format's MIME type.
func (f Format) MediaType() string {
	switch f {
	case PDF:
		return "application/pdf"
	case JPEG:
		return "image/jpeg"
	case PNG:
		return "image/png"
	}
	return ""
}

// Quality is what a file must be like beyond its format and size. Zero values ask nothing.
type Quality struct {
	// MinDPI is the least resolution of a scan or image, in dots per inch.
	MinDPI int
	// MinWidth and MinHeight are the least size of an image, in pixels (a photo for a
	// document).
	MinWidth, MinHeight int
	// Colour asks for a colour image, not greyscale.
	Colour bool
	// Uncropped asks for the whole document with its margins; an operator checks it, so
	// the page tells the applicant.
	Uncropped bool
	// PDFA1b asks that a PDF declare conformance to PDF/A-1b in its XMP metadata.
	PDFA1b bool
}

// Zero reports whether the quality rule asks nothing.
func (q Quality) Zero() bool { return q == Quality{} }

// Fee is a state fee (госпошлина) to pay before an application is reviewed.
type Fee struct {
	// Kopecks is the amount in kopecks: 1 ₽ is 100.
	Kopecks int64
	// Purpose is what the payment is for, as a receipt names it.
	Purpose Text
}

// Rubles is the amount in rubles with two decimals, e.g. "1500.00".
func (f Fee) Rubles() string { return fmt.Sprintf("%d.%02d", f.Kopecks/100, f.Kopecks%100) }

// State is a state of an application that has a deadline.
//
//	draft ─▶ submitted ─▶ registry_checks ─▶ in_review ─▶ approved | rejected
//	                                             │  ▲
//	                                             ▼  │
//	                                       needs_correction
//
// The applications package owns the whole state machine; a service gives the deadlines of
// the states that have one.
type State string

// The states a service gives deadlines for.
const (
	// RegistryChecks: the automatic checks against the state registries.
	RegistryChecks State = "registry_checks"
	// InReview: an operator's review, to a decision.
	InReview State = "in_review"
	// NeedsCorrection: the applicant's time to answer a correction request.
	NeedsCorrection State = "needs_correction"
)

var states = []State{RegistryChecks, InReview, NeedsCorrection}

// Deadline is how long an application may stay in a state: whole working days on the
// working-day calendar, or hours around the clock (automatic checks). Exactly one is set.
type Deadline struct {
	WorkingDays int
	Hours       int
	// ExtendableToHours is how far an operator may extend an hours deadline, with a notice
	// to the applicant; 0 for no extension.
	ExtendableToHours int
}

// Workflow is how a service's applications are handled: each state's deadline and what
// happens when the applicant lets a correction request lapse.
type Workflow struct {
	Deadlines map[State]Deadline
	// OnCorrectionLapse is what happens to an application whose correction was not made in
	// time.
	OnCorrectionLapse Lapse
	// Activates is set for a service whose approval switches something on for the applicant
	// (the status then reads «Услуга активирована»).
	Activates bool
}

// Deadline returns the deadline of state st, if the service sets one.
func (w Workflow) Deadline(st State) (Deadline, bool) {
	d, ok := w.Deadlines[st]
	return d, ok
}

// Lapse is the outcome of a correction request left unanswered.
type Lapse string

// The outcomes.
const (
	LapseReject Lapse = "reject" // the application is rejected, the reason saying so
	LapsePause  Lapse = "pause"  // the application waits, and the applicant may still answer
)
