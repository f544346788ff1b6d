// Package applications is the core journey of the cabinet: a citizen applies for a service
// (a draft saved as they go, fields prefilled from the ID profile, documents checked by
// internal/documents), checks, submits with the consent and an SMS code, and follows the
// application in «Мои обращения»; an operator takes it at the desk, asks for a correction,
// approves or rejects it.
package applications

import (
	"slices"

	"github.com/sep-platform/sep/internal/errs"
)

// State is where an application stands. The whole machine:
//
//	draft ──submit──▶ submitted ──start_checks──▶ registry_checks ──pass_checks──▶ in_review
//	                                                                               │  ▲   │
//	                                                        request_correction (op) │  │   ├──approve (op)──▶ approved
//	                                                                               ▼  │   └──reject (op)───▶ rejected
//	                                                           needs_correction ──correct (applicant)
//	                                                                 ├──reject (system, on lapse)──▶ rejected
//	                                                                 └──pause (system, on lapse)───▶ needs_correction, no deadline
//
//	registry_checks ──extend_checks (system, operator; once)──▶ registry_checks, a later deadline
//
//	submitted, registry_checks, in_review, needs_correction ──withdraw (applicant)──▶ withdrawn
//	approved, rejected, withdrawn ──close (system)──▶ closed
//
// A draft is never withdrawn (it has no number and nobody else has seen it).
//
// Who may do what is in transitions: the applicant submits, corrects and withdraws; the
// system runs the automatic checks and closes; an operator requests a correction, approves
// and rejects. Every transition is an event of the application's history, journaled (ids
// only) and told to the applicant.
type State string

// The states.
const (
	Draft           State = "draft"
	Submitted       State = "submitted"        // «Принят»
	RegistryChecks  State = "registry_checks"  // «В обработке»: the automatic checks
	InReview        State = "in_review"        // «В обработке»: an operator's review
	NeedsCorrection State = "needs_correction" // «Ожидает ответа»
	Approved        State = "approved"         // «Одобрено» (or «Услуга активирована»)
	Rejected        State = "rejected"         // «Отклонено»
	Withdrawn       State = "withdrawn"        // «Отозвано»
	Closed          State = "closed"           // «Закрыто»
)

// States lists every state in the order of the machine.
var States = []State{Draft, Submitted, RegistryChecks, InReview, NeedsCorrection, Approved, Rejected, Withdrawn, Closed}

// Open reports whether the application waits for someone (not a draft, not decided).
func (s State) Open() bool {
	return s == Submitted || s == RegistryChecks || s == InReview || s == NeedsCorrection
}

// Role is who acts on an application.
type Role string

// The roles.
const (
	Applicant Role = "applicant"
	Operator  Role = "operator"
	System    Role = "system"
)

// Action is a transition's name, journaled as "application.<action>".
type Action string

// The actions.
const (
	Submit            Action = "submit"
	StartChecks       Action = "start_checks"
	PassChecks        Action = "pass_checks"
	RequestCorrection Action = "request_correction"
	Correct           Action = "correct"
	Approve           Action = "approve"
	Reject            Action = "reject"
	Withdraw          Action = "withdraw"
	Close             Action = "close"
	// Pause: the correction lapsed and the service says to wait (on_correction_lapse: pause).
	Pause Action = "pause"
	// ExtendChecks: the automatic checks get their extended deadline, with a notice.
	ExtendChecks Action = "extend_checks"
)

type transition struct {
	from  []State
	to    State
	roles []Role
}

// transitions is the machine of the diagram above.
var transitions = map[Action]transition{
	Submit:            {from: []State{Draft}, to: Submitted, roles: []Role{Applicant}},
	StartChecks:       {from: []State{Submitted}, to: RegistryChecks, roles: []Role{System}},
	PassChecks:        {from: []State{RegistryChecks}, to: InReview, roles: []Role{System}},
	RequestCorrection: {from: []State{InReview}, to: NeedsCorrection, roles: []Role{Operator}},
	Correct:           {from: []State{NeedsCorrection}, to: InReview, roles: []Role{Applicant}},
	Approve:           {from: []State{InReview}, to: Approved, roles: []Role{Operator}},
	// The system rejects an application whose correction lapsed (a service's
	// on_correction_lapse: reject).
	Reject:   {from: []State{InReview, NeedsCorrection}, to: Rejected, roles: []Role{Operator, System}},
	Withdraw: {from: []State{Submitted, RegistryChecks, InReview, NeedsCorrection}, to: Withdrawn, roles: []Role{Applicant}},
	Close:    {from: []State{Approved, Rejected, Withdrawn}, to: Closed, roles: []Role{System}},
	// A lapsed correction of a service with on_correction_lapse: pause; the applicant may
	// still answer.
	Pause:        {from: []State{NeedsCorrection}, to: NeedsCorrection, roles: []Role{System}},
	ExtendChecks: {from: []State{RegistryChecks}, to: RegistryChecks, roles: []Role{System, Operator}},
}

// Next returns the state that action leads to from st when done by role, or errs.Conflict
// "applications.not_allowed" (a transition the machine has not, or not for this role).
func Next(st State, action Action, role Role) (State, error) {
	t, ok := transitions[action]
	if !ok || !slices.Contains(t.roles, role) || !slices.Contains(t.from, st) {
		return "", errs.E(errs.Conflict, "applications.not_allowed", nil)
	}
	return t.to, nil
}

// May reports whether role may do action on an application in state st.
func May(st State, action Action, role Role) bool {
	_, err := Next(st, action, role)
	return err == nil
}

// StatusKey is the catalog key of the state's word for the applicant: the seeds' «Принят»,
// «В обработке», «Ожидает ответа», «Одобрено», «Отклонено», «Услуга активирована».
func StatusKey(st State, activates bool) string {
	if st == Approved && activates {
		return "applications.status.activated"
	}
	return "applications.status." + string(st)
}
