package app

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/id/provider"
	"github.com/sep-platform/sep/internal/passport"
	"github.com/sep-platform/sep/internal/registry/sim"
)

// DemoUsers are the fictitious accounts demo mode starts with: a citizen at each level, an
// operator, an administrator and an auditor. The phones are in +7 900 000-00-xx and the
// addresses at example.ru; the citizens at the standard and confirmed levels carry the
// personal data of two "basic" people of the registry simulator, so that every check of
// theirs (passport, СНИЛС, ИНН) is confirmed.
func DemoUsers() []id.DemoUser {
	basic := sim.Default().Tagged("basic")
	profile := func(p *sim.Person) id.Profile {
		pp := p.Passport()
		return id.Profile{LastName: p.LastName, FirstName: p.FirstName, MiddleName: p.MiddleName, BirthDate: p.BirthDate.Time,
			BirthPlace: "город Примерск", SNILS: p.SNILS, INN: p.INN,
			Passport: &id.Passport{Series: pp.Series, Number: pp.Number, IssueDate: pp.IssueDate.Time,
				Issuer: "Отдел МВД России по городу Примерску", DivisionCode: pp.DivisionCode},
			Address: &id.Address{Region: "Примерская область", City: "город Примерск", Street: "улица Тестовая", House: "1",
				Flat: "1", Postcode: "100000"}}
	}
	return []id.DemoUser{
		{Role: id.Citizen, Level: id.Simplified, Phone: "+79000000011", Email: "demo.simplified@example.ru"},
		{Role: id.Citizen, Level: id.Standard, Phone: "+79000000012", Email: "demo.standard@example.ru", Profile: profile(basic[4])},
		{Role: id.Citizen, Level: id.Confirmed, Phone: "+79000000013", Email: "demo.confirmed@example.ru", Profile: profile(basic[3])},
		{Role: id.Operator, Phone: "+79000000021", Email: "demo.operator@example.ru"},
		{Role: id.Admin, Phone: "+79000000022", Email: "demo.admin@example.ru"},
		{Role: id.Auditor, Phone: "+79000000023", Email: "demo.auditor@example.ru"},
	}
}

// SeedDemo makes the demo users on an empty database (see id.Service.SeedDemo) and returns
// them with their passwords, which the caller shows once — never in the log. With them come
// the ЕСИА test stand's users (EsiaTest001…) and its demo systems (provider.SeedSandbox, the
// demo system's key and certificate in DATA_DIR/esia-demo), which Sandbox then returns.
func (m *Main) SeedDemo(ctx context.Context) ([]id.DemoUser, id.DemoOutcome, error) {
	users := DemoUsers()
	stand := provider.SandboxUsers()
	all := append([]id.DemoUser{}, users...)
	for _, u := range stand {
		all = append(all, u.DemoUser)
	}
	out, err := m.ID.SeedDemo(ctx, all)
	if err != nil || out != id.DemoCreated {
		return nil, out, err
	}
	for i := range stand {
		stand[i].DemoUser = all[len(users)+i]
	}
	if m.sandbox, err = m.Provider.SeedSandbox(ctx, stand, filepath.Join(m.Config.DataDir, "esia-demo")); err != nil {
		return nil, out, err
	}
	users = all[:len(users)]
	// The confirmed citizen holds an electronic passport, so that /verify and the cabinet
	// page have something to show.
	for _, u := range users {
		if u.Role == id.Citizen && u.Level == id.Confirmed && u.Profile.Passport != nil {
			if _, err := m.Passport.Issue(ctx, demoHolder(u)); err != nil {
				return nil, out, fmt.Errorf("demo passport: %w", err)
			}
		}
	}
	return users, out, nil
}

// demoHolder is the passport holder of a demo citizen: their profile, a generated photo.
func demoHolder(u id.DemoUser) passport.Holder {
	p := u.Profile
	h := passport.DemoHolder(0)
	given := p.FirstName
	if p.MiddleName != "" {
		given += " " + p.MiddleName
	}
	h.AccountID, h.Surname, h.GivenNames, h.BirthDate, h.BirthPlace = u.ID, p.LastName, given, p.BirthDate, p.BirthPlace
	h.INN, h.SNILS, h.PaperSeries, h.PaperNumber, h.Sex = p.INN, p.SNILS, p.Passport.Series, p.Passport.Number, ""
	return h
}

// Sandbox is the ЕСИА test stand SeedDemo made at this start (nil if it made nothing).
func (m *Main) Sandbox() *provider.Sandbox { return m.sandbox }
