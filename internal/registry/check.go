package registry

import (
	"encoding/json"
	"fmt"
	"time"
)

// Check is one question put to a registry and its answer, as stored: what was
// asked (the query, its field names), about whom (Subject), the outcome and
// when it came.
type Check struct {
	ID string
	// Subject is the caller's reference to what the check is about, such as
	// "account:0193…" or "application:0193…": checks are listed by it.
	Subject  string
	Registry Registry
	// Query holds the values checked, normalised; Fields their names. They
	// are what the citizen and the operator are shown as confirmed, and what
	// a rerun asks again.
	Query  Query
	Fields []string
	Status Status
	// MismatchField names the first field that differs, for Mismatch.
	MismatchField string
	// Reason says why for Invalid and Unavailable; while Pending, why the
	// last attempt got no answer (empty before the first attempt).
	Reason  Reason
	Extract *Extract // the ЕГРЮЛ/ЕГРИП record of a Legal check that found one
	// Source names who answered ("simulator", "mvd-list", …); empty while
	// pending and when nobody did.
	Source string
	// Attempts counts the registry calls of the latest run.
	Attempts int
	// Run counts reruns: 1 for the first, incremented by Rerun.
	Run         int
	RequestedAt time.Time
	CheckedAt   time.Time // when the outcome was stored; zero while pending
}

// CheckRequest asks for a check.
type CheckRequest struct {
	// Subject is the caller's reference (see Check.Subject); required, at most
	// MaxSubjectLen bytes. It must not itself be personal data.
	Subject string
	// Query is a PassportQuery, SNILSQuery, INNQuery or LegalQuery.
	Query Query
}

// MaxSubjectLen is the longest Subject accepted.
const MaxSubjectLen = 200

// decodeQuery reads a stored query back into its type.
func decodeQuery(r Registry, data []byte) (Query, error) {
	var (
		q   Query
		err error
	)
	switch r {
	case Passport:
		var v PassportQuery
		err = json.Unmarshal(data, &v)
		q = v
	case SNILS:
		var v SNILSQuery
		err = json.Unmarshal(data, &v)
		q = v
	case INN:
		var v INNQuery
		err = json.Unmarshal(data, &v)
		q = v
	case Legal:
		var v LegalQuery
		err = json.Unmarshal(data, &v)
		q = v
	default:
		return nil, fmt.Errorf("registry: unknown registry %q", r)
	}
	if err != nil {
		return nil, fmt.Errorf("registry: stored %s query: %w", r, err)
	}
	return q, nil
}
