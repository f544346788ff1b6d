package id

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/id/password"
)

// An administrator makes staff accounts from the command line: each signs in with its
// password and, always, the SMS code; mistakes are named by field.
func TestCreateStaff(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		ctx := context.Background()
		a, pw, err := e.svc.CreateStaff(ctx, nil, ActorCLI, NewStaff{Role: Operator, Phone: "8 900 000-02-01", Email: "operator.one@example.ru"})
		if err != nil {
			t.Fatal(err)
		}
		if a.Role != Operator || a.Status != Active || a.Phone != "+79000000201" || !a.Role.Staff() || Citizen.Staff() {
			t.Fatalf("the operator: %+v", a)
		}
		if v := password.Check(pw, password.Facts{Phone: a.Phone, Email: a.Email}); len(v) > 0 || len(pw) < 20 {
			t.Fatalf("the generated password %d characters breaks %v", len(pw), v)
		}
		if tok := e.signIn("+79000000201", pw, "+79000000201"); tok == "" {
			t.Fatal("no session")
		}
		// A chosen password must keep to the policy.
		if _, _, err := e.svc.CreateStaff(ctx, nil, ActorCLI, NewStaff{Role: Admin, Phone: "+79000000202", Email: "admin.one@example.ru",
			Password: "Adm1n-Parol-Dlinnyj"}); err != nil {
			t.Fatal(err)
		}
		_, _, err = e.svc.CreateStaff(ctx, nil, ActorCLI, NewStaff{Role: Citizen, Phone: "12", Email: "nobody", Password: "short"})
		var fe FieldErrors
		if !errors.As(err, &fe) || len(fe) != 4 || fieldError(err, "role") != "id.admin.bad_role" || fieldError(err, "password") != "id.password_weak" {
			t.Fatalf("a wrong role, phone, e-mail and password: %v %v", err, fe)
		}
		if _, _, err := e.svc.CreateStaff(ctx, nil, ActorCLI, NewStaff{Role: Auditor, Phone: "+79000000201", Email: "auditor.one@example.ru"}); errs.IDOf(err) != "id.contact_taken" {
			t.Fatalf("a taken phone: %v", err)
		}
		list, err := e.svc.AccountsByRole(ctx, Operator, 10)
		if err != nil || len(list) != 1 || list[0].ID != a.ID {
			t.Fatalf("operators: %v %v", list, err)
		}
	})
}

// An administrator blocks a citizen for a reason: the citizen's sessions end at once, a
// sign-in in progress cannot finish, a new one is refused as blocked; the journal names who
// did it and why, never the note; unblocking gives back the status from before.
func TestBlockAndUnblock(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, withJournal(t, d))
		ctx, r := context.Background(), testRequest("127.0.0.1:40000")
		const pw = "Ptichka-Sinica-2026!"
		citizen := e.register("+79000000301", "blocked.citizen@example.ru", pw)
		token := e.signIn("+79000000301", pw, "+79000000301")
		pending, err := e.svc.StartSignIn(ctx, r, "+79000000301", pw) // waits for its code
		if err != nil {
			t.Fatal(err)
		}
		pendingCode := e.code("+79000000301", 2) // after the registration's and the first sign-in's
		admin, _, err := e.svc.CreateStaff(ctx, nil, ActorCLI, NewStaff{Role: Admin, Phone: "+79000000302", Email: "admin.two@example.ru"})
		if err != nil {
			t.Fatal(err)
		}
		by := Actor{Kind: audit.ActorAdmin, ID: admin.ID}

		// Mistakes change nothing.
		if _, err := e.svc.Block(ctx, r, by, citizen.ID, "whim", ""); fieldError(err, "reason") != "id.admin.reason_needed" {
			t.Fatalf("an unknown reason: %v", err)
		}
		if _, err := e.svc.Block(ctx, r, by, citizen.ID, "other", "  "); fieldError(err, "note") != "id.admin.note_needed" {
			t.Fatalf("other without a note: %v", err)
		}
		if _, err := e.svc.Block(ctx, r, by, citizen.ID, "fraud", strings.Repeat("я", BlockNoteMax+1)); fieldError(err, "note") != "id.admin.note_long" {
			t.Fatalf("a long note: %v", err)
		}
		if _, err := e.svc.Block(ctx, r, by, admin.ID, "fraud", ""); errs.IDOf(err) != "id.admin.block_self" {
			t.Fatalf("blocking oneself: %v", err)
		}
		if _, err := e.svc.Block(ctx, r, by, "no-such-account", "fraud", ""); !errors.Is(err, ErrNoAccount) {
			t.Fatalf("no such account: %v", err)
		}
		if a, _ := e.svc.Account(ctx, citizen.ID); a.Status != Active {
			t.Fatalf("a refused block changed the status to %s", a.Status)
		}

		const note = "Обратитесь в МФЦ с паспортом"
		a, err := e.svc.Block(ctx, r, by, citizen.ID, "fraud", "  "+note+" ")
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != Blocked || a.BlockCode != "fraud" || a.BlockNote != note {
			t.Fatalf("after the block: %s %q %q", a.Status, a.BlockCode, a.BlockNote)
		}
		if b, err := e.svc.BlockOf(ctx, citizen.ID); err != nil || b == nil || b.By != admin.ID || !b.At.Equal(e.clock.Now()) {
			t.Fatalf("the block: %+v %v", b, err)
		}
		req := httptest.NewRequest("GET", "/id/account", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if p, err := e.svc.Authenticate(req); p != nil || err != nil {
			t.Fatalf("the blocked citizen's session still works: %+v %v", p, err)
		}
		if ss, _ := e.svc.Sessions(ctx, citizen.ID); len(ss) != 0 {
			t.Fatalf("%d sessions live after the block", len(ss))
		}
		if _, _, err := e.svc.FinishSignIn(ctx, r, pending.Flow.Token, MethodSMS, pendingCode); !errors.Is(err, ErrFlowGone) {
			t.Fatalf("the sign-in begun before the block: %v", err)
		}
		if _, err := e.svc.StartSignIn(ctx, r, "+79000000301", pw); errs.IDOf(err) != "id.account_blocked" {
			t.Fatalf("signing in when blocked: %v", err)
		}
		if _, err := e.svc.Block(ctx, r, by, citizen.ID, "court", ""); !errors.Is(err, ErrAlreadyBlocked) {
			t.Fatalf("blocking twice: %v", err)
		}
		// The note is sealed at rest.
		var raw []byte
		if err := d.Reader().QueryRow(`SELECT block_note FROM id_accounts WHERE id = $1`, citizen.ID).Scan(&raw); err != nil ||
			bytes.Contains(raw, []byte("МФЦ")) || len(raw) == 0 {
			t.Fatalf("the note at rest: %q %v", raw, err)
		}

		a, err = e.svc.Unblock(ctx, r, by, citizen.ID)
		if err != nil || a.Status != Active || a.BlockCode != "" || a.BlockNote != "" {
			t.Fatalf("after unblocking: %+v %v", a, err)
		}
		if b, _ := e.svc.BlockOf(ctx, citizen.ID); b != nil {
			t.Fatalf("the block is still there: %+v", b)
		}
		if _, err := e.svc.Unblock(ctx, r, by, citizen.ID); !errors.Is(err, ErrNotBlocked) {
			t.Fatalf("unblocking twice: %v", err)
		}
		e.clock.Advance(CodeResend)
		if tok := e.signIn("+79000000301", pw, "+79000000301"); tok == "" {
			t.Fatal("the unblocked citizen cannot sign in")
		}

		// An account that still had to confirm a contact gets that status back, not active.
		if _, err := d.Writer().Exec(`UPDATE id_accounts SET status = 'unconfirmed' WHERE id = $1`, citizen.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Block(ctx, nil, ActorCLI, citizen.ID, "request", ""); err != nil {
			t.Fatal(err)
		}
		if a, err := e.svc.Unblock(ctx, nil, ActorCLI, citizen.ID); err != nil || a.Status != Unconfirmed {
			t.Fatalf("unblocking an unconfirmed account: %+v %v", a, err)
		}

		// The journal: who, what, why — ids and codes only.
		rows, err := d.Reader().Query(`SELECT actor_kind, actor_id, action, details FROM audit_entries
			WHERE object_id = $1 AND action IN ('id.blocked', 'id.unblocked') ORDER BY seq`, citizen.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var kind, actor, action, details string
			if err := rows.Scan(&kind, &actor, &action, &details); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(details, "МФЦ") {
				t.Fatalf("the note is in the journal: %s", details)
			}
			got = append(got, kind+" "+action+" "+details)
			if kind == "admin" && actor != admin.ID {
				t.Fatalf("the actor: %s", actor)
			}
		}
		if len(got) != 4 || !strings.HasPrefix(got[0], "admin id.blocked") || !strings.Contains(got[0], `"reason":"fraud"`) ||
			!strings.Contains(got[0], `"sessions_count":"2"`) || !strings.HasPrefix(got[1], "admin id.unblocked") ||
			!strings.HasPrefix(got[2], "system id.blocked") {
			t.Fatalf("the journal:\n%s", strings.Join(got, "\n"))
		}
	})
}

// Demo seeding makes every user, with the level asked for, once: a second run makes nothing,
// and a database with other accounts gets none.
func TestSeedDemo(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, withJournal(t, d))
		ctx := context.Background()
		users := []DemoUser{
			{Role: Citizen, Level: Standard, Phone: "+79000000501", Email: "demo.one@example.ru",
				Profile: Profile{LastName: "Тестова", FirstName: "Анна", SNILS: "000-131-266 49"}},
			{Role: Admin, Phone: "+79000000502", Email: "demo.two@example.ru"},
		}
		if out, err := e.svc.SeedDemo(ctx, users); err != nil || out != DemoCreated {
			t.Fatalf("seed: %v %v", out, err)
		}
		a, err := e.svc.AccountByLogin(ctx, nil, "000-131-266 49")
		if err != nil || a.ID != users[0].ID || a.Level != Standard || a.Profile.FirstName != "Анна" || a.ConsentVersion == "" {
			t.Fatalf("the demo citizen: %+v %v", a, err)
		}
		if tok := e.signIn("demo.two@example.ru", users[1].Password, "+79000000502"); tok == "" {
			t.Fatal("the demo admin cannot sign in")
		}
		again := []DemoUser{users[0], users[1]}
		if out, err := e.svc.SeedDemo(ctx, again); err != nil || out != DemoExist || again[0].Password != users[0].Password {
			t.Fatalf("seed again: %v %v", out, err)
		}
		if out, err := e.svc.SeedDemo(ctx, []DemoUser{{Role: Auditor, Phone: "+79000000503", Email: "demo.three@example.ru"}}); err != nil || out != DemoSkipped {
			t.Fatalf("seed on a database with accounts: %v %v", out, err)
		}
	})
}
