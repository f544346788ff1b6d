package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/sep-platform/sep/internal/app"
	"github.com/sep-platform/sep/internal/applications"
	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/id"
)

const adminAgencyUsage = `       sep admin set-agency -login LOGIN -agency CODE`

const adminAgencyHelp = `  set-agency   the agency an operator works for (CODE: one that a service file names in
               agency:, such as sep or mvd): the desk then shows that agency's applications only`

func adminSetAgency(env *environment, cfg *config.Config, args []string) int {
	fs := adminFlags(env, "set-agency")
	login := fs.String("login", "", "the operator's phone, e-mail, СНИЛС or ИНН")
	agency := fs.String("agency", "", "the agency's code, as the service files name it")
	if code, ok := parseAdminFlags(env, fs, args); !ok {
		return code
	}
	if *login == "" || *agency == "" {
		fmt.Fprintln(env.stderr, "sep: -login and -agency are required")
		return exitUsage
	}
	catalogue, err := app.LoadServices(cfg)
	if err != nil {
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return exitFailure
	}
	var known []string
	for _, s := range catalogue.Services {
		if !slices.Contains(known, s.Agency) {
			known = append(known, s.Agency)
		}
	}
	if !slices.Contains(known, *agency) {
		fmt.Fprintf(env.stderr, "sep: -agency: no service names the agency %q (the service files name: %v)\n", *agency, known)
		return exitFailure
	}
	return withAccount(env, cfg, *login, func(ctx context.Context, u *adminUsers, a *id.Account) int {
		if a.Role != id.Operator {
			fmt.Fprintf(env.stderr, "sep: account %s is not an operator (its role is %s)\n", a.ID, a.Role)
			return exitFailure
		}
		j, err := audit.New(u.db, audit.Options{})
		if err != nil {
			fmt.Fprintf(env.stderr, "sep: %v\n", err)
			return exitFailure
		}
		st := applications.NewStore(applications.Options{DB: u.db, Journal: j, Services: catalogue})
		if err := st.SetOperatorAgency(ctx, nil, id.ActorCLI.Kind, id.ActorCLI.ID, a.ID, *agency); err != nil {
			return refuse(env, err)
		}
		fmt.Fprintf(env.stdout, "operator %s now works for the agency %s\n", a.ID, *agency)
		return exitOK
	})
}
