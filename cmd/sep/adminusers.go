package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sep-platform/sep/internal/app"
	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/jobs"
)

const adminUsersUsage = `       sep admin create-user -role operator|admin|auditor -phone PHONE -email ADDRESS [-password-file FILE]
       sep admin block -login LOGIN -reason fraud|request|court|death|other [-note TEXT]
       sep admin unblock -login LOGIN
       sep admin list-users -role citizen|operator|admin|auditor [-n N]`

const adminUsersHelp = `  create-user  make a staff account; it signs in with its password and, always, an SMS code
               to its phone. The password is read from FILE (its first line; - reads standard
               input), never from a flag; without -password-file one is generated and printed
               once. Hand it over in person: it is not shown again.
  block        block an account (LOGIN: its phone, e-mail, СНИЛС or ИНН): its sessions end and
               signing in says it is blocked, with the reason and the note (which the owner
               reads: no personal data in it; required for the reason other)
  unblock      lift the block; the account gets back the status it had
  list-users   the accounts of a role, oldest first (contacts masked, a staff e-mail whole)`

// adminUsers is what the account commands share: the database and the ID service.
type adminUsers struct {
	db  *db.DB
	svc *id.Service
}

// openAdminUsers opens the database and builds ID on it, with the journal and the data keys.
func openAdminUsers(ctx context.Context, env *environment, cfg *config.Config) (*adminUsers, int) {
	box, code := loadBox(env, cfg)
	if box == nil {
		return nil, code
	}
	d, code := openDatabase(ctx, env, cfg)
	if d == nil {
		return nil, code
	}
	fail := func(err error) (*adminUsers, int) {
		d.Close()
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return nil, exitFailure
	}
	if pending, err := d.Pending(ctx); err != nil || pending > 0 {
		return fail(errors.New("the database is not migrated (run sep migrate up)"))
	}
	j, err := audit.New(d, audit.Options{})
	if err != nil {
		return fail(err)
	}
	n, err := app.NewNotifier(cfg, d, jobs.New(d), box, newLogger(cfg, env.stderr), nil)
	if err != nil {
		return fail(err)
	}
	svc, err := id.New(id.Options{DB: d, Box: box, Notify: n, Journal: j, Logger: newLogger(cfg, env.stderr)})
	if err != nil {
		return fail(err)
	}
	return &adminUsers{db: d, svc: svc}, exitOK
}

// refuse prints why the service refused: each field's mistake, or the message, in English.
func refuse(env *environment, err error) int {
	p := i18n.Default().Printer(i18n.EN)
	if m := id.Mistakes(p, err); m != nil {
		for _, f := range slices.Sorted(maps.Keys(m)) {
			fmt.Fprintf(env.stderr, "sep: -%s: %s\n", f, m[f])
		}
		return exitFailure
	}
	if id := messageID(err); !strings.HasPrefix(id, "error.") {
		fmt.Fprintf(env.stderr, "sep: %s\n", p.T(id))
		return exitFailure
	}
	fmt.Fprintf(env.stderr, "sep: %v\n", err)
	return exitFailure
}

// readPassword reads the first line of a file, or of standard input for "-".
func readPassword(env *environment, file string) (string, error) {
	var r io.Reader = env.stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	if line = strings.TrimRight(line, "\r\n"); line == "" {
		return "", errors.New("the password file is empty")
	}
	return line, nil
}

func adminCreateUser(env *environment, cfg *config.Config, args []string) int {
	fs := adminFlags(env, "create-user")
	role := fs.String("role", "", "operator, admin or auditor")
	phone := fs.String("phone", "", "a Russian mobile phone: the SMS second factor")
	email := fs.String("email", "", "an e-mail address")
	pwFile := fs.String("password-file", "", "a file whose first line is the password (- for standard input); none: generate one")
	if code, ok := parseAdminFlags(env, fs, args); !ok {
		return code
	}
	if *role == "" || *phone == "" || *email == "" {
		fmt.Fprintln(env.stderr, "sep: -role, -phone and -email are required")
		return exitUsage
	}
	var pw string
	if *pwFile != "" {
		var err error
		if pw, err = readPassword(env, *pwFile); err != nil {
			fmt.Fprintf(env.stderr, "sep: -password-file: %v\n", err)
			return exitUsage
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	u, code := openAdminUsers(ctx, env, cfg)
	if u == nil {
		return code
	}
	defer u.db.Close()
	a, pw, err := u.svc.CreateStaff(ctx, nil, id.ActorCLI, id.NewStaff{Role: id.Role(*role), Phone: *phone, Email: *email, Password: pw})
	if err != nil {
		return refuse(env, err)
	}
	fmt.Fprintf(env.stdout, "created %s account %s (phone %s, e-mail %s)\n", a.Role, a.ID, id.MaskPhone(a.Phone), a.Email)
	if *pwFile == "" {
		fmt.Fprintf(env.stdout, "password: %s\n", pw)
		fmt.Fprintln(env.stdout, "(shown once and kept only as a hash: hand it over in person)")
	}
	fmt.Fprintln(env.stdout, "signing in always asks for the code sent by SMS to the phone")
	return exitOK
}

func adminBlock(env *environment, cfg *config.Config, args []string) int {
	fs := adminFlags(env, "block")
	login := fs.String("login", "", "the account's phone, e-mail, СНИЛС or ИНН")
	reason := fs.String("reason", "", strings.Join(id.BlockReasons, ", "))
	note := fs.String("note", "", "a note the owner is shown when signing in")
	if code, ok := parseAdminFlags(env, fs, args); !ok {
		return code
	}
	if *login == "" || *reason == "" {
		fmt.Fprintln(env.stderr, "sep: -login and -reason are required")
		return exitUsage
	}
	return withAccount(env, cfg, *login, func(ctx context.Context, u *adminUsers, a *id.Account) int {
		if _, err := u.svc.Block(ctx, nil, id.ActorCLI, a.ID, *reason, *note); err != nil {
			return refuse(env, err)
		}
		fmt.Fprintf(env.stdout, "blocked account %s (%s): reason %s; its sessions have ended\n", a.ID, a.Role, *reason)
		return exitOK
	})
}

func adminUnblock(env *environment, cfg *config.Config, args []string) int {
	fs := adminFlags(env, "unblock")
	login := fs.String("login", "", "the account's phone, e-mail, СНИЛС or ИНН")
	if code, ok := parseAdminFlags(env, fs, args); !ok {
		return code
	}
	if *login == "" {
		fmt.Fprintln(env.stderr, "sep: -login is required")
		return exitUsage
	}
	return withAccount(env, cfg, *login, func(ctx context.Context, u *adminUsers, a *id.Account) int {
		a, err := u.svc.Unblock(ctx, nil, id.ActorCLI, a.ID)
		if err != nil {
			return refuse(env, err)
		}
		fmt.Fprintf(env.stdout, "unblocked account %s (%s): now %s\n", a.ID, a.Role, a.Status)
		return exitOK
	})
}

// withAccount runs fn on the account a login names.
func withAccount(env *environment, cfg *config.Config, login string, fn func(context.Context, *adminUsers, *id.Account) int) int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	u, code := openAdminUsers(ctx, env, cfg)
	if u == nil {
		return code
	}
	defer u.db.Close()
	a, err := u.svc.AccountByLogin(ctx, nil, login)
	if err != nil {
		return refuse(env, err)
	}
	return fn(ctx, u, a)
}

func adminListUsers(env *environment, cfg *config.Config, args []string) int {
	fs := adminFlags(env, "list-users")
	role := fs.String("role", "", "citizen, operator, admin or auditor")
	n := fs.Int("n", 100, "at most this many")
	if code, ok := parseAdminFlags(env, fs, args); !ok {
		return code
	}
	r := id.Role(*role)
	if r != id.Citizen && !r.Staff() || *n < 1 {
		fmt.Fprintln(env.stderr, "sep: -role must be citizen, operator, admin or auditor, and -n at least 1")
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	u, code := openAdminUsers(ctx, env, cfg)
	if u == nil {
		return code
	}
	defer u.db.Close()
	list, err := u.svc.AccountsByRole(ctx, r, *n)
	if err != nil {
		return refuse(env, err)
	}
	if len(list) == 0 {
		fmt.Fprintf(env.stdout, "no %s accounts\n", r)
		return exitOK
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tROLE\tSTATUS\tLEVEL\tPHONE\tE-MAIL\tCREATED")
	for _, a := range list {
		email := id.MaskEmail(a.Email)
		if a.Role.Staff() {
			email = a.Email // a work address, which the administrator needs to reach them
		}
		status := string(a.Status)
		if a.Status == id.Blocked {
			status += " (" + a.BlockCode + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Role, status, a.Level, id.MaskPhone(a.Phone), email, moscow(a.CreatedAt))
	}
	tw.Flush()
	return exitOK
}

func adminFlags(env *environment, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("sep admin "+name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() { fmt.Fprintln(env.stderr, adminUsage) }
	return fs
}

// parseAdminFlags parses args; ok is false when the command should exit with code (help was
// asked for, a flag is wrong, or an argument is left over).
func parseAdminFlags(env *environment, fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.stderr, "sep: unexpected argument %q\n", fs.Arg(0))
		return exitUsage, false
	}
	return exitOK, true
}
