package id

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/id/password"
	"github.com/sep-platform/sep/internal/web"
	"github.com/sep-platform/sep/ruid"
)

// Administration: staff accounts (operators, administrators, auditors), made from the command
// line, and the blocking of accounts by an administrator.
//
//	active ──Block(reason, note)──▶ blocked ──Unblock──▶ the status it had before
//	(unconfirmed ──Block──▶ blocked ──Unblock──▶ unconfirmed)
//
// A block ends every session of the account and every flow it has in progress (a sign-in
// waiting for its code, a recovery); sign-in then says the account is blocked and why.

// Staff reports whether the role is the agency's staff rather than a citizen. Staff accounts
// are made by `sep admin create-user`, always have a phone, and always confirm a sign-in
// with a second factor: a remembered device never skips it for them.
func (r Role) Staff() bool { return r == Operator || r == Admin || r == Auditor }

// StaffRoles are the roles `sep admin create-user` makes.
var StaffRoles = []Role{Operator, Admin, Auditor}

// BlockReasons are the codes of the reasons an administrator blocks an account for. The
// owner is shown the catalog message "id.block_reason.<code>" (and the administrator's note):
// fraud — suspected fraud or a stolen account; request — at the owner's own request; court —
// by a court decision or a law-enforcement request; death — the owner has died; other — the
// note says why.
var BlockReasons = []string{"fraud", "request", "court", "death", "other"}

// BlockNoteMax bounds the administrator's note on a block, in characters.
const BlockNoteMax = 500

// Actor is who performs an administrative act, as the journal names them: an administrator's
// account, or the command line.
type Actor struct {
	Kind audit.ActorKind
	ID   string
}

// ActorCLI is the command line (`sep admin …`), run by whoever has the server's settings.
var ActorCLI = Actor{Kind: audit.ActorSystem, ID: "cli"}

// ActorOf is the actor of a request's principal.
func ActorOf(p *web.Principal) Actor { return Actor{Kind: audit.ActorKind(p.Kind), ID: p.ID} }

// recordBy journals an administrative act on an account in x: the actor is by, the object
// the account.
func (s *Service) recordBy(ctx context.Context, x db.Querier, r *http.Request, by Actor, action, accountID string, details map[string]string) error {
	if s.journal == nil {
		return nil
	}
	e := audit.Entry{ActorKind: by.Kind, ActorID: by.ID, Action: action, Outcome: audit.Success,
		ObjectType: "account", ObjectID: accountID, Details: details}
	if r != nil { // the address and browser it was done from; the actor stays by
		e = audit.FromRequest(r, e)
		e.ActorKind, e.ActorID = by.Kind, by.ID
	}
	if _, err := s.journal.Append(ctx, x, e); err != nil {
		return fmt.Errorf("id: journal %s: %w", action, err)
	}
	return nil
}

// NewStaff is what making a staff account needs.
type NewStaff struct {
	Role         Role
	Phone, Email string // as typed; both required (the SMS factor, alerts and recovery)
	// Password is the account's first password; empty: one is generated, and CreateStaff
	// returns it (to be handed over once).
	Password string
	Lang     string // default "ru"
}

// CreateStaff makes an active staff account. Mistakes are FieldErrors ("role", "phone",
// "email", "password"), a contact another account has is errs.Conflict "id.contact_taken".
// It returns the account and its password, which is generated when n.Password is empty.
func (s *Service) CreateStaff(ctx context.Context, r *http.Request, by Actor, n NewStaff) (*Account, string, error) {
	bad := FieldErrors{}
	if !n.Role.Staff() {
		bad["role"] = errs.E(errs.Invalid, "id.admin.bad_role", fmt.Errorf("id: %q is not a staff role", n.Role))
	}
	phone, err := ruid.MobilePhone(n.Phone)
	if err != nil {
		bad["phone"] = err
	}
	email, err := ruid.Email(n.Email)
	if err != nil {
		bad["email"] = err
	}
	facts := password.Facts{Phone: phone, Email: email}
	pw := n.Password
	if pw == "" {
		pw = NewPassword(facts)
	} else if err := checkPassword(pw, facts); err != nil {
		bad["password"] = err
	}
	if len(bad) > 0 {
		return nil, "", errs.E(errs.Invalid, "id.form_invalid", bad)
	}
	if n.Lang == "" {
		n.Lang = "ru"
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return nil, "", err
	}
	var a *Account
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = s.createAccount(ctx, tx, NewAccount{Role: n.Role, Phone: phone, Email: email, Lang: n.Lang, PasswordHash: hash}); err != nil {
			return err
		}
		return s.recordBy(ctx, tx, r, by, ActionStaffCreated, a.ID, map[string]string{"role": string(n.Role)})
	})
	if err != nil {
		return nil, "", err
	}
	return a, pw, nil
}

// NewPassword generates a password that the policy accepts and that shares nothing with
// facts: four groups of five letters and digits joined by hyphens (about 110 bits), with
// no look-alike characters (0/O, 1/l/I), so that it can be read out and typed.
func NewPassword(facts password.Facts) string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
	for {
		var b strings.Builder
		for i := range 20 {
			if i > 0 && i%5 == 0 {
				b.WriteByte('-')
			}
			n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
			b.WriteByte(alphabet[n.Int64()])
		}
		if pw := b.String(); len(password.Check(pw, facts)) == 0 {
			return pw
		}
	}
}

// Blocking errors.
var (
	ErrAlreadyBlocked = errs.E(errs.Conflict, "id.admin.already_blocked", errors.New("id: the account is blocked already"))
	ErrNotBlocked     = errs.E(errs.Conflict, "id.admin.not_blocked", errors.New("id: the account is not blocked"))
	errBlockSelf      = errs.E(errs.Forbidden, "id.admin.block_self", errors.New("id: an administrator cannot block their own account"))
)

// checkBlock checks a block's reason and note; the note comes back trimmed.
func checkBlock(code, note string) (string, error) {
	note = strings.TrimSpace(note)
	bad := FieldErrors{}
	switch {
	case !slices.Contains(BlockReasons, code):
		bad["reason"] = errs.E(errs.Invalid, "id.admin.reason_needed", fmt.Errorf("id: no such block reason %q", code))
	case code == "other" && note == "":
		bad["note"] = errs.E(errs.Invalid, "id.admin.note_needed", errors.New("id: the reason other needs a note"))
	}
	if utf8.RuneCountInString(note) > BlockNoteMax {
		bad["note"] = errs.E(errs.Invalid, "id.admin.note_long", errors.New("id: the note is too long"))
	}
	if len(bad) > 0 {
		return "", errs.E(errs.Invalid, "id.form_invalid", bad)
	}
	return note, nil
}

// Block blocks the account for the reason code (one of BlockReasons) with an optional note
// that the owner is shown (required for "other"): it ends the account's sessions and flows
// in progress, and journals ActionBlocked with the reason, in one transaction. An account
// blocked already is ErrAlreadyBlocked; an administrator cannot block their own account.
func (s *Service) Block(ctx context.Context, r *http.Request, by Actor, accountID, code, note string) (*Account, error) {
	note, err := checkBlock(code, note)
	if err != nil {
		return nil, err
	}
	if by.ID == accountID {
		return nil, errBlockSelf
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now().UTC()
		var sealed any
		if note != "" {
			sealed = s.box.SealString(accBlockNote, accountID, note)
		}
		res, err := tx.ExecContext(ctx, `UPDATE id_accounts SET status = $2, status_before_block = status, block_code = $3,
				block_note = $4, blocked_at = $5, blocked_by = $6, updated_at = $5
			WHERE id = $1 AND status <> $2`, accountID, string(Blocked), code, sealed, now, by.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := s.accountIn(ctx, tx, accountID); err != nil {
				return err
			}
			return ErrAlreadyBlocked
		}
		ended, err := s.revokeAll(ctx, tx, accountID, "")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM id_codes WHERE flow_id IN (SELECT id FROM id_flows WHERE account_id = $1)`, accountID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM id_flows WHERE account_id = $1`, accountID); err != nil {
			return err
		}
		return s.recordBy(ctx, tx, r, by, ActionBlocked, accountID, map[string]string{"reason": code,
			"sessions_count": fmt.Sprint(ended)})
	})
	if err != nil {
		return nil, err
	}
	return s.Account(ctx, accountID)
}

// Unblock lifts an administrator's block: the account gets back the status it had before
// (active, or unconfirmed if it still had a contact to confirm), and the reason and note are
// forgotten; journaled as ActionUnblocked. An account that is not blocked is ErrNotBlocked.
func (s *Service) Unblock(ctx context.Context, r *http.Request, by Actor, accountID string) (*Account, error) {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now().UTC()
		res, err := tx.ExecContext(ctx, `UPDATE id_accounts SET status = COALESCE(status_before_block, $3),
				status_before_block = NULL, block_code = NULL, block_note = NULL, blocked_at = NULL, blocked_by = NULL,
				updated_at = $4
			WHERE id = $1 AND status = $2`, accountID, string(Blocked), string(Active), now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := s.accountIn(ctx, tx, accountID); err != nil {
				return err
			}
			return ErrNotBlocked
		}
		return s.recordBy(ctx, tx, r, by, ActionUnblocked, accountID, nil)
	})
	if err != nil {
		return nil, err
	}
	return s.Account(ctx, accountID)
}

// accountIn is Account read in x (a transaction).
func (s *Service) accountIn(ctx context.Context, x db.Querier, id string) (*Account, error) {
	a, err := s.scanAccount(x.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM id_accounts WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoAccount
	}
	return a, err
}

// BlockInfo is when and by whom an account was blocked (the reason and note are on the
// Account).
type BlockInfo struct {
	At time.Time
	By string // the administrator's account id, or "cli"
}

// BlockOf returns the block on an account, or nil if it is not blocked.
func (s *Service) BlockOf(ctx context.Context, accountID string) (*BlockInfo, error) {
	var at sql.NullTime
	var by sql.NullString
	err := s.db.Reader().QueryRowContext(ctx, `SELECT blocked_at, blocked_by FROM id_accounts WHERE id = $1 AND status = $2`,
		accountID, string(Blocked)).Scan(&at, &by)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &BlockInfo{At: at.Time.UTC(), By: by.String}, nil
}

// AccountsByRole lists up to limit accounts of a role, oldest first.
func (s *Service) AccountsByRole(ctx context.Context, role Role, limit int) ([]*Account, error) {
	return s.accountsWhere(ctx, `role = $1 ORDER BY created_at, id LIMIT $2`, string(role), limit)
}

// ActiveAccountsAfter lists up to limit active accounts (not blocked) with ids after the
// cursor, in id order ("" from the start): for telling everyone of something (maintenance
// notices), a batch at a time.
func (s *Service) ActiveAccountsAfter(ctx context.Context, after string, limit int) ([]*Account, error) {
	return s.accountsWhere(ctx, `status = $1 AND id > $2 ORDER BY id LIMIT $3`, string(Active), after, limit)
}

// accountsWhere lists the accounts a condition (and its order and limit) selects.
func (s *Service) accountsWhere(ctx context.Context, where string, args ...any) ([]*Account, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+accountColumns+` FROM id_accounts WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Account
	for rows.Next() {
		a, err := s.scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// MaskPhone shows a phone as +7 900 ***-**-67 (for lists that must not show it whole).
func MaskPhone(p string) string { return maskPhone(p) }

// MaskEmail shows an address as i***@example.ru.
func MaskEmail(e string) string { return maskEmail(e) }

// Mistakes returns the field errors (or a password's violations) in err as messages in the
// printer's language, nil if it has none: for the command line, which has no form to show
// them next to.
func Mistakes(p *i18n.Printer, err error) map[string]string {
	var pe PasswordErrors
	if errors.As(err, &pe) {
		var lines []string
		for _, v := range pe {
			lines = append(lines, p.T(string(v), "min", password.MinLength))
		}
		return map[string]string{"password": strings.Join(lines, " ")}
	}
	var fe FieldErrors
	if !errors.As(err, &fe) {
		return nil
	}
	out := map[string]string{}
	for f, e := range fe {
		if m := Mistakes(p, e); m != nil {
			out[f] = m["password"]
			continue
		}
		out[f] = message(p, p.Lang(), e)
	}
	return out
}
