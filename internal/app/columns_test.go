package app

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/db/dbtest"
)

// notPersonal lists every text or blob column that holds no personal data, with the reason.
// Every other such column must be declared sealed or a blind index (SealedTables): a
// migration that adds a column makes TestEveryColumnIsClassified fail until the column is
// declared one or the other, so personal data cannot be stored in clear by forgetting.
var notPersonal = map[string]string{
	"schema_migrations.name":     "migration names",
	"schema_migrations.checksum": "digests of migration files",

	"jobs.id": "ids", "jobs.kind": "job kinds", "jobs.state": "states", "jobs.locked_by": "worker ids (host/pid)",
	"jobs.payload":    "ids only: handlers are given a check id, a delivery id, a key id (internal/jobs: never personal data)",
	"jobs.dedup_key":  "ids and slot times",
	"jobs.last_error": "error texts, which name ids only (the Handler contract; sealing errors name table, column and row)",

	// The journal is append-only and hash-chained: an entry can never be re-sealed after a
	// key rotation, so it holds ids and codes only (internal/audit refuses anything else) —
	// and the client's IP address and user agent, which a journal must keep to say from
	// where something was done; they are shown only to the actor, their organisation's
	// administrator and auditors.
	"audit_entries.actor_kind": "codes", "audit_entries.actor_id": "ids", "audit_entries.org_id": "ids",
	"audit_entries.action": "codes", "audit_entries.object_type": "codes", "audit_entries.object_id": "ids",
	"audit_entries.ip": "kept in clear on purpose: see above", "audit_entries.user_agent": "kept in clear on purpose: see above",
	"audit_entries.outcome": "codes", "audit_entries.details": "ids and codes (checked on append)",
	"audit_entries.prev_hash": "hashes", "audit_entries.hash": "hashes",
	"audit_head.hash":        "hashes",
	"audit_checkpoints.hash": "hashes", "audit_checkpoints.key_id": "key ids", "audit_checkpoints.prev_digest": "hashes",
	"audit_checkpoints.signature": "signatures",
	"audit_keys.key_id":           "key ids", "audit_keys.purpose": "codes", "audit_keys.public_key": "public keys",
	"audit_state.name": "setting names, migration versions", "audit_state.value": "fingerprints",

	"registry_checks.id": "ids", "registry_checks.subject": "account ids",
	"registry_checks.registry": "codes", "registry_checks.fields": "field names, never values",
	"registry_checks.status": "codes", "registry_checks.mismatch_field": "a field name, never a value",
	"registry_checks.reason": "codes", "registry_checks.source": "codes",

	// The МВД list of invalid passports is open data published by the МВД: series and
	// numbers with no name attached, the same for every instance.
	"invalid_passport_lists.sha256": "digests", "invalid_passport_lists.source": "file names",
	"invalid_passport_chunks.data": "the public МВД list, in its compact encoding",

	"notify_messages.id": "ids", "notify_messages.kind": "codes", "notify_messages.lang": "codes",
	"notify_messages.account_id": "account ids",
	"notify_deliveries.id":       "ids", "notify_deliveries.message_id": "ids", "notify_deliveries.channel": "codes",
	"notify_deliveries.state": "codes", "notify_deliveries.attempt_id": "ids",
	"notify_deliveries.reason":  "error texts without address or text (the Transport contract)",
	"notify_deliveries.receipt": "the provider's message ids",
	"notify_rate.class":         "codes", "notify_rate.addr_hash": "HMAC of the address under a derived key",
	"notify_rate.hits": "times",
	"notify_inbox.id":  "ids", "notify_inbox.account_id": "account ids", "notify_inbox.message_id": "ids",
	"notify_inbox.kind": "codes",
	"notify_outbox.id":  "ids", "notify_outbox.message_id": "ids", "notify_outbox.channel": "codes",
	"notify_outbox.kind":            "codes",
	"notify_preferences.account_id": "account ids", "notify_preferences.kind": "codes", "notify_preferences.channel": "codes",
	"notify_push_subscriptions.id": "ids", "notify_push_subscriptions.account_id": "account ids",

	"maintenance_windows.id": "ids", "maintenance_windows.note_ru": "administrators' public notes on a maintenance window",
	"maintenance_windows.note_en": "administrators' public notes on a maintenance window",

	"id_accounts.id": "ids", "id_accounts.role": "codes", "id_accounts.status": "codes", "id_accounts.level": "codes",
	"id_accounts.lang": "codes", "id_accounts.block_code": "a code from a list (the administrator's note is sealed)",
	"id_accounts.blocked_by": "an administrator's account id, or cli", "id_accounts.status_before_block": "codes",
	"id_accounts.consent_version": "the version of the consent text",
	"id_passwords.account_id":     "ids",
	"id_passwords.hash":           "argon2id hashes (a hash, not the password; sealing it would add nothing)",
	"id_sessions.id":              "ids", "id_sessions.token_hash": "Streebog-256 of a random token",
	"id_sessions.account_id": "ids", "id_sessions.device_id": "ids", "id_sessions.method": "codes",
	"id_flows.id": "ids", "id_flows.token_hash": "Streebog-256 of a random token", "id_flows.kind": "codes",
	"id_flows.state": "codes", "id_flows.account_id": "ids",
	"id_codes.id": "ids", "id_codes.flow_id": "ids", "id_codes.purpose": "codes", "id_codes.channel": "codes",
	"id_codes.code_mac": "HMAC of a one-time code under a derived key",
	// The cabinet (internal/cabinet): the person data, the oid and the ЕСИА tokens are sealed.
	"cabinet_profiles.id": "ids", "cabinet_profiles.level": "codes (urn:esia:sbj:lvl)",
	"cabinet_profiles.consent_version": "the version of the consent text",
	"cabinet_sessions.id":              "ids", "cabinet_sessions.token_hash": "Streebog-256 of a random token",
	"cabinet_sessions.stage": "codes", "cabinet_sessions.state": "a random UUID sent to ЕСИА (the OAuth state)",
	"cabinet_sessions.profile_id": "ids",
	// ID as an ЕСИА provider (internal/id/provider): systems, and people by id and oid only.
	"id_provider_clients.id": "ids", "id_provider_clients.mnemonic": "the system's public name (client_id)",
	"id_provider_clients.cert": "an information system's public certificate", "id_provider_clients.cert_hash": "digests",
	"id_provider_clients.redirect_uris": "the system's addresses", "id_provider_clients.scopes": "codes",
	"id_provider_clients.token_alg": "codes", "id_provider_clients.min_level": "codes",
	"id_provider_requests.id_hash": "Streebog-256 of a random token", "id_provider_requests.client_id": "ids",
	"id_provider_requests.version": "codes", "id_provider_requests.scope": "codes", "id_provider_requests.scope_org": "codes",
	"id_provider_requests.redirect_uri": "the system's registered address", "id_provider_requests.state": "the system's random UUID",
	"id_provider_requests.access_type": "codes", "id_provider_requests.challenge": "a PKCE digest",
	"id_provider_requests.challenge_meth": "codes",
	"id_provider_codes.code_hash":         "Streebog-256 of a random token", "id_provider_codes.client_id": "ids",
	"id_provider_codes.account_id": "ids", "id_provider_codes.sid": "session ids", "id_provider_codes.amr": "codes",
	"id_provider_codes.scope": "codes", "id_provider_codes.redirect_uri": "the system's registered address",
	"id_provider_codes.challenge": "a PKCE digest", "id_provider_codes.challenge_meth": "codes",
	"id_provider_refresh.token_hash": "Streebog-256 of a random token", "id_provider_refresh.client_id": "ids",
	"id_provider_refresh.account_id": "ids", "id_provider_refresh.sid": "session ids", "id_provider_refresh.amr": "codes",
	"id_provider_refresh.scope":       "codes",
	"id_provider_consents.account_id": "ids", "id_provider_consents.client_id": "ids", "id_provider_consents.scopes": "codes",
	"id_provider_orgs.full_name": "organisations' public names", "id_provider_orgs.short_name": "organisations' public names",
	"id_provider_orgs.ogrn": "organisations' public registration numbers", "id_provider_orgs.inn": "organisations' public tax numbers",
	"id_provider_orgs.kpp": "organisations' public codes", "id_provider_orgs.type": "codes",
	"id_provider_roles.account_id": "ids",
	"id_provider_clients.kind":     "codes", "id_provider_clients.secret_hash": "Streebog-256 of a random client secret",
	"id_provider_clients.post_logout_uris": "the system's addresses",
	"id_provider_requests.nonce":           "the system's random value", "id_provider_codes.nonce": "the system's random value",
	"id_totp.id": "ids", "id_totp.account_id": "ids",
	"id_webauthn.id": "ids", "id_webauthn.account_id": "ids", "id_webauthn.rp_id": "the site's own domain name",
	"id_recovery_codes.id": "ids", "id_recovery_codes.account_id": "ids",
	"id_recovery_codes.digest":             "HMAC of a recovery code under a data key (the code is never stored)",
	"id_identity_confirmations.account_id": "ids", "id_identity_confirmations.method": "codes",
	"id_identity_confirmations.operator_id": "ids",
	"id_confirmation_codes.account_id":      "ids", "id_confirmation_codes.issued_by": "ids",
	"id_confirmation_codes.code_mac":   "HMAC of a confirmation code under a derived key",
	"id_confirmation_tries.account_id": "ids",
	"id_throttle.scope":                "codes", "id_throttle.key_hash": "HMAC of a normalised login or a client address under a derived key",
	"id_throttle.hits": "times", "id_captchas.id": "random challenge ids",
	"id_captchas.answer_mac": "HMAC of a CAPTCHA's digits under a derived key",

	// Electronic passports (internal/passport): the number is the document's public
	// identifier, with no name attached (annulled numbers are published on the status list).
	"passport_signers.id": "certificate references", "passport_signers.kind": "codes",
	"passport_signers.cert": "public certificates (published at /.well-known/sep/passport-certs)",
	"passports.id":          "ids", "passports.number": "document numbers (see above)", "passports.account_id": "account ids",
	"passports.status": "codes", "passports.status_reason": "codes", "passports.signer_id": "certificate references",
	"passport_checks.id": "ids", "passport_checks.passport_id": "ids", "passport_checks.checker_kind": "codes",
	"passport_checks.checker_id": "account or client ids", "passport_checks.result": "codes",
	"passport_requests.id": "ids", "passport_requests.passport_id": "ids", "passport_requests.kind": "codes",
	"passport_requests.what": "codes", "passport_requests.actor_kind": "codes", "passport_requests.actor_id": "account ids",
	"passport_requests.status": "codes", "passport_requests.replaced_by": "ids",
	"id_devices.id": "ids", "id_devices.account_id": "ids", "id_devices.token_hash": "Streebog-256 of a random token",
	"id_devices.disavow_hash":     "Streebog-256 of a random token",
	"id_signin_blocks.account_id": "ids", "id_signin_blocks.device_id": "ids", "id_signin_blocks.reason": "codes",

	"documents.id": "ids", "documents.kind": "codes of document kinds", "documents.type": "codes",
	"documents.state": "codes", "documents.reason": "message ids", "documents.key_id": "key ids",
	"documents.reason_args": "a refusal's numbers (a size limit, a resolution, dimensions), never content",
	"documents.signature":   "the antivirus signature's name",

	"applications.id": "ids", "applications.account_id": "account ids", "applications.service": "service codes",
	"applications.state": "codes", "applications.number": "the application's own number (СЭП-2026-000123), no personal data",
	"applications.create_key": "random idempotency keys", "applications.submit_key": "random idempotency keys",
	"applications.assignee":                "operator account ids",
	"application_documents.application_id": "ids", "application_documents.kind": "codes", "application_documents.document_id": "ids",
	"document_library.account_id": "ids", "document_library.kind": "codes", "document_library.document_id": "ids",
	"application_events.id": "ids", "application_events.application_id": "ids", "application_events.action": "codes",
	"application_events.from_state": "codes", "application_events.to_state": "codes", "application_events.actor_kind": "codes",
	"application_events.actor_id":           "account ids",
	"application_calendar_feeds.account_id": "account ids",
	"application_calendar_feeds.digest":     "HMAC of a calendar feed's secret under a data key (the secret is never stored)",

	"desk_operators.account_id": "operator account ids", "desk_operators.agency": "agency codes",

	"seal_rotations.key_id": "key ids", "seal_rotations.previous": "key ids",
	"seal_rotations.table_name": "table names", "seal_rotations.after_id": "row ids",
}

func TestEveryColumnIsClassified(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteURL(t))
	ctx := context.Background()
	declared := map[string]string{}
	for _, tb := range SealedTables() {
		for _, c := range tb.Sealed {
			declared[tb.Name+"."+c] = "sealed"
		}
		for _, ix := range tb.Indexes {
			declared[tb.Name+"."+ix.Column] = "blind index"
		}
	}
	rows, err := d.Reader().QueryContext(ctx, `SELECT m.name, p.name, p.type FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var unclassified []string
	seen := map[string]bool{}
	for rows.Next() {
		var table, column, typ string
		if err := rows.Scan(&table, &column, &typ); err != nil {
			t.Fatal(err)
		}
		name := table + "." + column
		seen[name] = true
		if typ = strings.ToUpper(typ); typ != "TEXT" && typ != "BLOB" {
			continue // numbers, times: no personal data fits
		}
		_, sealed := declared[name]
		_, plain := notPersonal[name]
		switch {
		case sealed && plain:
			t.Errorf("%s is declared %s and listed as not personal", name, declared[name])
		case sealed && typ != "BLOB":
			t.Errorf("%s is declared %s but is %s, not BLOB", name, declared[name], typ)
		case !sealed && !plain:
			unclassified = append(unclassified, name+" "+typ)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(unclassified)
	for _, c := range unclassified {
		t.Errorf("column %s is neither sealed (declare it in the store's seal.Table, listed by SealedTables) "+
			"nor listed in notPersonal with the reason it holds no personal data", c)
	}
	for _, name := range slices.Sorted(mapsKeys(declared, notPersonal)) {
		if !seen[name] {
			t.Errorf("%s is classified but no such column exists", name)
		}
	}
}

func mapsKeys(ms ...map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for _, m := range ms {
			for k := range m {
				if !yield(k) {
					return
				}
			}
		}
	}
}
