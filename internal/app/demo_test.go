package app

import (
	"context"
	"testing"

	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/internal/registry/sim"
	"github.com/sep-platform/sep/ruid"
)

// The demo citizens' personal data is what the registry simulator confirms, so that their
// checks pass; their contacts are obviously fictitious and valid.
func TestDemoUsersPassTheRegistryChecks(t *testing.T) {
	s := sim.New(sim.Options{})
	ctx := context.Background()
	levels := map[string]int{}
	for _, u := range DemoUsers() {
		levels[string(u.Role)+"/"+string(u.Level)]++
		if p, err := ruid.MobilePhone(u.Phone); err != nil || p[:9] != "+79000000" {
			t.Errorf("%s: phone %s (%v)", u.Email, u.Phone, err)
		}
		if _, err := ruid.Email(u.Email); err != nil {
			t.Errorf("%s: %v", u.Email, err)
		}
		p := u.Profile
		if p.Passport == nil {
			continue
		}
		person := registry.Person{LastName: p.LastName, FirstName: p.FirstName, MiddleName: p.MiddleName, BirthDate: p.BirthDate}
		for _, check := range []func() (registry.Answer, error){
			func() (registry.Answer, error) {
				return s.CheckPassport(ctx, registry.PassportQuery{Series: p.Passport.Series, Number: p.Passport.Number,
					IssueDate: p.Passport.IssueDate, DivisionCode: p.Passport.DivisionCode, Person: person})
			},
			func() (registry.Answer, error) {
				return s.CheckSNILS(ctx, registry.SNILSQuery{SNILS: p.SNILS, Person: person})
			},
			func() (registry.Answer, error) { return s.CheckINN(ctx, registry.INNQuery{INN: p.INN, Person: person}) },
		} {
			if a, err := check(); err != nil || a.Status != registry.Confirmed {
				t.Errorf("%s: %+v %v", u.Email, a, err)
			}
		}
	}
	for _, want := range []string{"citizen/simplified", "citizen/standard", "citizen/confirmed", "operator/", "admin/", "auditor/"} {
		if levels[want] != 1 {
			t.Errorf("%s: %d demo users, want 1", want, levels[want])
		}
	}
}
