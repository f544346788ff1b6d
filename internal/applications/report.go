package applications

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/services"
)

// Agencies and the desk's report. A service names the agency whose operators review it
// (services.Service.Agency); an operator works for one agency, "sep" (services.DefaultAgency)
// unless another was set (SetOperatorAgency; no command or page sets it yet). An operator sees the
// applications of their agency's services only: others are not in their queue, and their
// cards are 404.

// OperatorAgency returns the agency the operator works for.
func (s *Store) OperatorAgency(ctx context.Context, accountID string) (string, error) {
	var agency string
	err := s.db.Reader().QueryRowContext(ctx, `SELECT agency FROM desk_operators WHERE account_id = $1`, accountID).Scan(&agency)
	if errors.Is(err, sql.ErrNoRows) {
		return services.DefaultAgency, nil
	}
	if err != nil {
		return "", fmt.Errorf("applications: operator agency: %w", err)
	}
	return agency, nil
}

// SetOperatorAgency makes the operator work for agency, journaled as done by actor (an
// administrator's account, or the command line).
func (s *Store) SetOperatorAgency(ctx context.Context, r *http.Request, by audit.ActorKind, byID, accountID, agency string) error {
	if agency == "" {
		return errs.E(errs.Invalid, "applications.desk.agency_missing", nil)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		res, err := tx.ExecContext(ctx, `UPDATE desk_operators SET agency = $2, updated_at = $3 WHERE account_id = $1`, accountID, agency, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO desk_operators (account_id, agency, updated_at) VALUES ($1, $2, $3)`,
				accountID, agency, now); err != nil {
				return err
			}
		}
		if s.opt.Journal == nil {
			return nil
		}
		e := audit.Entry{ActorKind: by, ActorID: byID, Action: "desk.set_agency", ObjectType: "account", ObjectID: accountID,
			Details: map[string]string{"agency": agency}}
		if r != nil {
			e = audit.FromRequest(r, e)
			e.ActorKind, e.ActorID = by, byID
		}
		_, err = s.opt.Journal.Append(ctx, tx, e)
		return err
	})
}

// AgencyServices returns the codes of the agency's services, or nil when the agency has every
// service of the catalogue (then a query needs no condition on the service).
func (s *Store) AgencyServices(agency string) []string {
	out := []string{}
	for _, svc := range s.opt.Services.Services {
		if svc.Agency == agency {
			out = append(out, svc.Code)
		}
	}
	if len(out) == len(s.opt.Services.Services) {
		return nil
	}
	return out
}

// Report is the figures of the desk's report page, over the applications of some services.
type Report struct {
	// ByState counts the applications in each status but draft, in States' order.
	ByState []StateCount
	// ByService has a row for each service with applications, in the catalogue's order.
	ByService []ServiceFigures
	Total     int // applications but drafts
	Overdue   int // open applications past their deadline
}

// StateCount is how many applications are in a status.
type StateCount struct {
	State State
	Count int
}

// ServiceFigures are one service's figures.
type ServiceFigures struct {
	Service string
	Count   int // applications but drafts
	Overdue int
	Decided int // approved or rejected, with a submission time
	// Median is the median time from submission to decision of the decided ones; zero when
	// none is decided.
	Median time.Duration
}

// Report counts the applications of the services (nil: all) at now.
func (s *Store) Report(ctx context.Context, svcs []string) (*Report, error) {
	rep := &Report{}
	if svcs != nil && len(svcs) == 0 {
		return rep, nil
	}
	cond, args := "", []any{}
	if svcs != nil {
		ph := make([]string, len(svcs))
		for i, c := range svcs {
			args = append(args, c)
			ph[i] = fmt.Sprintf("$%d", i+1)
		}
		cond = " AND service IN (" + strings.Join(ph, ", ") + ")"
	}
	figures := map[string]*ServiceFigures{}
	fig := func(svc string) *ServiceFigures {
		if figures[svc] == nil {
			figures[svc] = &ServiceFigures{Service: svc}
		}
		return figures[svc]
	}
	byState := map[State]int{}
	err := s.each(ctx, func(r *sql.Rows) error {
		var svc, st string
		var n int
		if err := r.Scan(&svc, &st, &n); err != nil {
			return err
		}
		byState[State(st)] += n
		fig(svc).Count += n
		rep.Total += n
		return nil
	}, `SELECT service, state, count(*) FROM applications WHERE state <> 'draft'`+cond+` GROUP BY service, state`, args...)
	if err != nil {
		return nil, err
	}
	err = s.each(ctx, func(r *sql.Rows) error {
		var svc string
		var n int
		if err := r.Scan(&svc, &n); err != nil {
			return err
		}
		fig(svc).Overdue += n
		rep.Overdue += n
		return nil
	}, `SELECT service, count(*) FROM applications WHERE `+openStates+cond+fmt.Sprintf(` AND deadline_at < $%d GROUP BY service`, len(args)+1),
		append(slices.Clip(args), s.now())...)
	if err != nil {
		return nil, err
	}
	took := map[string][]time.Duration{}
	err = s.each(ctx, func(r *sql.Rows) error {
		var svc string
		var sub, dec time.Time
		if err := r.Scan(&svc, &sub, &dec); err != nil {
			return err
		}
		took[svc] = append(took[svc], dec.Sub(sub))
		return nil
	}, `SELECT service, submitted_at, decided_at FROM applications WHERE state IN ('approved', 'rejected')
		AND submitted_at IS NOT NULL AND decided_at IS NOT NULL`+cond, args...)
	if err != nil {
		return nil, err
	}
	for svc, d := range took {
		f := fig(svc)
		f.Decided, f.Median = len(d), median(d)
	}
	for _, st := range States {
		if st != Draft {
			rep.ByState = append(rep.ByState, StateCount{State: st, Count: byState[st]})
		}
	}
	for _, svc := range s.opt.Services.Services {
		if f := figures[svc.Code]; f != nil {
			rep.ByService = append(rep.ByService, *f)
			delete(figures, svc.Code)
		}
	}
	gone := slices.Sorted(maps.Keys(figures)) // services no longer in the catalogue
	for _, code := range gone {
		rep.ByService = append(rep.ByService, *figures[code])
	}
	return rep, nil
}

func (s *Store) each(ctx context.Context, row func(*sql.Rows) error, q string, args ...any) error {
	rows, err := s.db.Reader().QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("applications: report: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return fmt.Errorf("applications: report: %w", err)
		}
	}
	return rows.Err()
}

// median is the middle of d (the mean of the two middle ones of an even count).
func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	m := len(d) / 2
	if len(d)%2 == 1 {
		return d[m]
	}
	return (d[m-1] + d[m]) / 2
}
