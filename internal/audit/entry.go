package audit

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sep-platform/sep/gost/streebog"
)

// ActorKind says what sort of actor did something.
type ActorKind string

// The kinds of actor. The person and client kinds match web.PrincipalKind.
const (
	ActorSystem    ActorKind = "system"    // sep itself: start-up, jobs, command-line tools
	ActorAnonymous ActorKind = "anonymous" // a request nobody was signed in for (a failed sign-in)
	ActorCitizen   ActorKind = "citizen"
	ActorOperator  ActorKind = "operator"
	ActorAdmin     ActorKind = "admin"
	ActorAuditor   ActorKind = "auditor"
	ActorAPIClient ActorKind = "api_client"
)

func (k ActorKind) valid() bool {
	switch k {
	case ActorSystem, ActorAnonymous, ActorCitizen, ActorOperator, ActorAdmin, ActorAuditor, ActorAPIClient:
		return true
	}
	return false
}

// Outcome says how an action ended.
type Outcome string

// The outcomes.
const (
	Success Outcome = "success"
	Failure Outcome = "failure" // attempted and failed (a wrong password, an error)
	Denied  Outcome = "denied"  // refused: not allowed
)

// Hash is a Streebog-256 digest of the chain.
type Hash [streebog.Size256]byte

// String returns the hash in lower-case hex, as stored and exported.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

var errBadHash = errors.New("audit: a hash is 64 hex digits")

// ParseHash reads a hash written by String.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*len(h) {
		return h, errBadHash
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, errBadHash
	}
	return h, nil
}

// Entry is one record of the journal. Callers fill the actor, action, object, outcome and
// details; Append fills Seq, At, PrevHash and Hash.
type Entry struct {
	Seq        int64
	At         time.Time // UTC, microseconds
	ActorKind  ActorKind
	ActorID    string // the account, operator or client id; for the system, the component ("cli")
	OrgID      string // the organisation acted for or concerned, if any
	Action     string // dotted code, e.g. "application.submit"; its readable name is in the catalog
	ObjectType string // e.g. "application"
	ObjectID   string
	IP         string // the client address, empty for system actions
	UserAgent  string
	Outcome    Outcome
	Details    map[string]string // ids and codes only, never personal data values
	PrevHash   Hash
	Hash       Hash
}

// Limits of the fields, so that an entry stays small and a detail cannot carry a document.
const (
	MaxDetails      = 16
	maxToken        = 128
	maxKey          = 32
	maxUserAgent    = 512
	encodingVersion = 1
)

// TimeLayout is how times are hashed, signed and exported: UTC, always six fraction digits.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

var (
	actionPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)
	typePattern   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
	keyPattern    = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// ErrInvalidEntry is wrapped by every error about an entry that may not be journaled.
var ErrInvalidEntry = errors.New("audit: invalid entry")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidEntry, fmt.Sprintf(format, args...))
}

// normalise checks the caller's part of an entry and cleans what may be cleaned (the user
// agent is free text sent by the client).
func (e *Entry) normalise() error {
	if !e.ActorKind.valid() {
		return invalid("unknown actor kind %q", e.ActorKind)
	}
	if err := checkID("actor id", e.ActorID, e.ActorKind != ActorSystem && e.ActorKind != ActorAnonymous); err != nil {
		return err
	}
	if err := checkID("organisation id", e.OrgID, false); err != nil {
		return err
	}
	if !actionPattern.MatchString(e.Action) || len(e.Action) > 64 {
		return invalid("action %q must be a dotted lower-case code such as application.submit", e.Action)
	}
	if e.ObjectType != "" && !typePattern.MatchString(e.ObjectType) {
		return invalid("object type %q must be a lower-case code", e.ObjectType)
	}
	if err := checkObjectID(e.ObjectType, e.ObjectID); err != nil {
		return err
	}
	if e.ObjectID != "" && e.ObjectType == "" {
		return invalid("an object id needs an object type")
	}
	if e.IP != "" {
		a, err := netip.ParseAddr(e.IP)
		if err != nil || a.Zone() != "" {
			return invalid("IP is not an address")
		}
		e.IP = a.Unmap().String()
	}
	e.UserAgent = cleanText(e.UserAgent, maxUserAgent)
	switch e.Outcome {
	case "":
		e.Outcome = Success
	case Success, Failure, Denied:
	default:
		return invalid("unknown outcome %q", e.Outcome)
	}
	if len(e.Details) > MaxDetails {
		return invalid("more than %d details", MaxDetails)
	}
	for k, v := range e.Details {
		if !keyPattern.MatchString(k) || len(k) > maxKey {
			return invalid("detail name %q must be a lower-case code", k)
		}
		if err := checkDetail(k, v); err != nil {
			return err
		}
	}
	return nil
}

// cleanText makes client-supplied text safe to keep: valid UTF-8, no control characters,
// at most max bytes (cut at a character boundary).
func cleanText(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}

// Encode returns the canonical encoding of the entry that its hash covers (see the package
// documentation for the exact bytes). PrevHash and Hash are not part of it.
func (e *Entry) Encode() []byte {
	b := make([]byte, 0, 128+len(e.UserAgent))
	b = append(b, encodingVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	b = appendString(b, e.At.UTC().Format(TimeLayout))
	for _, s := range [...]string{string(e.ActorKind), e.ActorID, e.OrgID, e.Action, e.ObjectType, e.ObjectID,
		e.IP, e.UserAgent, string(e.Outcome)} {
		b = appendString(b, s)
	}
	keys := make([]string, 0, len(e.Details))
	for k := range e.Details {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b = binary.BigEndian.AppendUint32(b, uint32(len(keys)))
	for _, k := range keys {
		b = appendString(b, k)
		b = appendString(b, e.Details[k])
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// ChainHash is the hash of an entry: Streebog-256 of the previous entry's hash followed by the
// entry's canonical encoding.
func ChainHash(prev Hash, encoding []byte) Hash {
	h := streebog.New256()
	h.Write(prev[:])
	h.Write(encoding)
	var out Hash
	h.Sum(out[:0])
	return out
}

// ComputeHash returns what e.Hash must be, given e.PrevHash.
func (e *Entry) ComputeHash() Hash { return ChainHash(e.PrevHash, e.Encode()) }
