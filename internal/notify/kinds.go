package notify

import (
	"fmt"
	"slices"
	"time"
)

// Channel is a way a message reaches a person.
type Channel string

// The channels. A push delivery goes to one browser subscription of the recipient's account
// (push.go); a message by push makes one delivery per subscription.
const (
	Email Channel = "email" // SMTP
	SMS   Channel = "sms"   // an HTTP SMS gateway
	Inbox Channel = "inbox" // the in-cabinet inbox of the recipient's account
	Push  Channel = "push"  // web push (RFC 8030) to the browsers the account subscribed
)

// channels are every channel, in the order deliveries of one message are created. An array, so
// that nothing outside the package can change the order or the set.
var channels = [...]Channel{Inbox, Email, SMS, Push}

// Channels lists every channel, in the order deliveries of one message are created, in a slice
// of the caller's own.
func Channels() []Channel { return slices.Clone(channels[:]) }

// Class is a rate-limit class: kinds in one class share a recipient's budget (see Limit).
type Class string

// The rate-limit classes. Kinds of the empty class are not limited per recipient: their
// volume is driven by events (status changes, reminders) or bounded elsewhere (new-device
// alerts follow successful sign-ins, which identity throttles), and an alert lost to a limit
// costs more than one more message.
const (
	Unlimited Class = ""
	Codes     Class = "code" // one-time codes: the thing an attacker would flood a phone with
	Tests     Class = "test" // test messages a person asks for from the cabinet
)

// KindName names a kind of message, e.g. "signin_code".
type KindName string

// The kinds of message sep sends.
const (
	SigninCode        KindName = "signin_code"        // a one-time code to sign in (second factor)
	ConfirmCode       KindName = "confirm_code"       // a one-time code confirming a phone, an address or an action
	RecoveryCode      KindName = "recovery_code"      // a one-time code to recover a password
	NewDevice         KindName = "new_device"         // someone signed in from a device not seen before
	AccountChanged    KindName = "account_changed"    // a password, contact or factor of the account changed
	ApplicationStatus KindName = "application_status" // an application's status changed
	DeadlineReminder  KindName = "deadline_reminder"  // something is due soon
	TestMessage       KindName = "test"               // a test message the person asked for
	LevelChanged      KindName = "level_changed"      // the account's level went up or down (Level: one of AccountLevels)
	PassportStatus    KindName = "passport_status"    // an electronic passport was suspended, annulled or re-issued
	Maintenance       KindName = "maintenance"        // an administrator announced a maintenance window
)

// Kind is a row of the table of message kinds: which channels may carry it, which data its
// templates need, how it is limited. Templates live in texts/NAME.LANG.txt (subject, text and
// short text) and texts/NAME.LANG.html (the e-mail's HTML part).
type Kind struct {
	Name KindName
	// Channels may carry the kind, in order of preference. A Send without explicit channels
	// uses all of them the recipient has an address for.
	Channels []Channel
	// AlwaysOn kinds are critical: a recipient's preferences must not switch them off. Send
	// itself honours the caller's channel choice; the flag is for code that applies
	// preferences.
	AlwaysOn bool
	// Optional kinds are the person's to choose (prefs.go): Send to an account narrows their
	// channels to those the account keeps on, and sends nothing if it keeps none. Defaults
	// are on until the person chooses (the seeds: status changes on, the rest left quiet).
	Optional bool
	Defaults []Channel
	Limit    Class
	// TTL bounds how late a delivery is still worth making; an older undelivered one fails as
	// expired (a sign-in code is useless after 5 minutes). Zero: no bound.
	TTL time.Duration
	// Secret kinds carry a secret (a one-time code): their bodies are erased from the message
	// record once every delivery has ended.
	Secret bool
	// Params are the template data the caller must give.
	Params []string
	// Example is data that fills every template: templates are tried with it at start-up.
	Example map[string]any
}

var exampleTime = time.Date(2026, 3, 14, 9, 26, 0, 0, time.FixedZone("MSK", 3*3600))

// CodeTTL is how long a one-time code (sign-in, confirmation, recovery) is valid: a code not
// delivered within it is not delivered at all. The code's texts say so in minutes
// (ValidMinutes), and whoever checks the code must hold it to the same lifetime.
const CodeTTL = 5 * time.Minute

var codeKind = Kind{
	Channels: []Channel{SMS, Email},
	AlwaysOn: true,
	Limit:    Codes,
	TTL:      CodeTTL,
	Secret:   true,
	Params:   []string{"Code", "ValidMinutes"},
	Example:  map[string]any{"Code": "123456", "ValidMinutes": int(CodeTTL / time.Minute)},
}

func withName(k Kind, name KindName) Kind { k.Name = name; return k }

// kinds is the table of message kinds.
var kinds = []Kind{
	withName(codeKind, SigninCode),
	withName(codeKind, ConfirmCode),
	withName(codeKind, RecoveryCode),
	{
		Name:     NewDevice,
		Channels: []Channel{Inbox, Email, SMS, Push},
		AlwaysOn: true,
		TTL:      24 * time.Hour,
		// Disavow is the path of the one-time «это был не я» link (internal/id).
		Params:  []string{"Device", "IP", "Time", "Disavow"},
		Example: map[string]any{"Device": "Firefox, Linux", "IP": "192.0.2.10", "Time": exampleTime, "Disavow": "/id/disavow/example"},
	},
	{
		// Change is one of AccountChanges; the texts say each in words.
		Name:     AccountChanged,
		Channels: []Channel{Inbox, Email, SMS},
		AlwaysOn: true,
		TTL:      24 * time.Hour,
		Params:   []string{"Change", "Time"},
		Example:  map[string]any{"Change": "password", "Time": exampleTime},
	},
	{
		Name:     ApplicationStatus,
		Channels: []Channel{Inbox, Email, SMS, Push},
		Optional: true,
		Defaults: []Channel{Inbox, Email, Push},
		Params:   []string{"Number", "Service", "Status", "Path"},
		Example: map[string]any{"Number": "2026-000123", "Service": "Electronic passport",
			"Status": "Under review", "Path": "/applications/2026-000123"},
	},
	{
		Name:     DeadlineReminder,
		Channels: []Channel{Inbox, Email, SMS, Push},
		Optional: true,
		Defaults: []Channel{Inbox},
		TTL:      24 * time.Hour,
		Params:   []string{"What", "Deadline", "Path"},
		Example: map[string]any{"What": "Add the missing documents to application 2026-000123", "Deadline": exampleTime,
			"Path": "/applications/2026-000123"},
	},
	{
		Name:     LevelChanged,
		Channels: []Channel{Inbox, Email},
		Optional: true,
		Defaults: []Channel{Inbox, Email},
		Params:   []string{"Level", "Reason", "Time"},
		Example:  map[string]any{"Level": "standard", "Reason": "", "Time": exampleTime},
	},
	{
		// Status is suspended, annulled or reissued; Reason a passport reason code (lost,
		// compromised, paper_invalid, operator, data_changed); the texts say what to do.
		Name:     PassportStatus,
		Channels: []Channel{Inbox, Email},
		AlwaysOn: true,
		Params:   []string{"Number", "Status", "Reason", "Time"},
		Example:  map[string]any{"Number": "EP0000001", "Status": "suspended", "Reason": "paper_invalid", "Time": exampleTime},
	},
	{
		// An announced maintenance window (internal/maintenance): From and To are times, Note
		// the administrator's note in the recipient's language (may be empty).
		Name:     Maintenance,
		Channels: []Channel{Inbox, Email, Push},
		Optional: true,
		Defaults: []Channel{Inbox},
		TTL:      24 * time.Hour,
		Params:   []string{"From", "To", "Note"},
		Example:  map[string]any{"From": exampleTime, "To": exampleTime.Add(2 * time.Hour), "Note": ""},
	},
	{
		Name:     TestMessage,
		Channels: []Channel{Inbox, Email, SMS, Push},
		Limit:    Tests,
		TTL:      time.Hour,
		Example:  map[string]any{},
	},
}

// AccountLevels are the values of a LevelChanged message's Level; Reason says why a level went
// down (profile_changed) and is empty when it went up.
var AccountLevels = []string{"simplified", "standard", "confirmed"}

// AccountChanges are the values of an AccountChanged message's Change.
var AccountChanges = []string{"password", "recovered", "phone", "email", "factor_added", "factor_removed", "disavowed"}

// Kinds returns the table of message kinds.
func Kinds() []Kind { return slices.Clone(kinds) }

// KindOf returns the kind named name.
func KindOf(name KindName) (Kind, error) {
	for _, k := range kinds {
		if k.Name == name {
			return k, nil
		}
	}
	return Kind{}, fmt.Errorf("notify: unknown message kind %q", name)
}

func (k Kind) allows(c Channel) bool { return slices.Contains(k.Channels, c) }
