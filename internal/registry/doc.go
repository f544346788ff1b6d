// Package registry checks what citizens and organisations tell СЭП against
// the state registries: a passport's validity (МВД), a СНИЛС against the
// person (СФР), an ИНН against the person or organisation (ФНС), and an
// ЕГРЮЛ/ЕГРИП extract by ОГРН(ИП) or ИНН (ФНС).
//
// # Asking
//
// A caller — identity confirmation, an organisation's profile — stores its own
// change and asks for a check in the same transaction:
//
//	id, err := svc.Request(ctx, tx, registry.CheckRequest{
//		Subject: "account:" + accountID,
//		Query:   registry.SNILSQuery{SNILS: "112-233-445 95", Person: person},
//	})
//
// Request validates the query with package ruid (a bad value is errs.Invalid
// wrapping a *FieldError that names the field, and the *ruid.Error with its
// code), stores a Pending check and enqueues a durable job (JobKind) that
// asks the registry. The check exists if and only if the caller's transaction
// commits. Get, List and Latest read checks back; the answer arrives within
// the registry's latency, or later if it is down.
//
// # Answers
//
// A registry adapter returns an Answer — Confirmed, Mismatch (with the first
// differing Field), NotFound, or Invalid (with a Reason: passport replaced,
// lost, expired by age, on the МВД invalid list; person deceased; organisation
// liquidated) — or an error when it gave no answer. See Status for the life
// of a check:
//
//   - an error (ErrUnavailable, a timeout, anything) is retried with
//     exponential backoff; each attempt records its Reason (timeout, down) on
//     the pending check. After the last attempt the check is stored
//     Unavailable, not lost: Rerun asks again under the same ID (and rescues
//     a check left pending by a job that died).
//   - a registry with no adapter (Adapters field nil) answers Unavailable with
//     ReasonNotConfigured at once, without retries: retrying cannot help.
//   - an adapter answer that makes no sense (a mismatch in a field the query
//     does not have) is treated as no answer and logged.
//
// Passport checks consult the local МВД list of invalid passports
// (InvalidPassports, imported by internal/registry/passlist) before the
// registry: a passport on the list is Invalid (ReasonInvalidList, source
// "mvd-list") even when no registry is configured. A list that cannot answer
// — one imported but still loading into this instance's memory, an
// unreadable one — makes the attempt one without an answer, retried like a
// registry that is down, so that no passport is confirmed without the list.
//
// # What is kept
//
// A check keeps what was asked and when: the normalised query values and
// their field names, the status, the mismatching field or the reason, the
// source that answered, the number of attempts, and when it was requested
// and answered — what the citizen is shown as confirmed and what an operator
// reviewing an application needs. Nothing from the registry's own record is
// kept for persons: a mismatch names the field, never the registry's value,
// and a passport check stores no other document of the person. Legal checks
// keep the extract, which is public. Job payloads carry only the check ID, and
// error texts only the registry and the reason, since both are stored and
// logged.
//
// # Sources
//
// Real adapters (СМЭВ requests to МВД, СФР, ФНС) are out of this package's
// reach; each would implement one of PassportRegistry, SNILSRegistry,
// INNRegistry, LegalRegistry and plug into Adapters. The built-in simulator
// (package sim) implements all four from a data file of fictitious people and
// organisations, with realistic latency and configurable unavailability. The
// program picks by SEP_REGISTRY_SOURCE: the simulator in demo mode, none in
// production (every check ends Unavailable, not_configured), and the simulator
// in production only when set explicitly, with a warning at start — so that
// nobody is confirmed against fictitious data by accident.
package registry
