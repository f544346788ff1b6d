package i18n

import "time"

// Moscow is Moscow time, UTC+3 all year since 2014, in which sep tells people the time of
// anything scheduled (maintenance windows, registry outages). A fixed zone needs no tzdata.
var Moscow = time.FixedZone("MSK", 3*60*60)

// moscowLayouts are the date-and-time layouts by language.
var moscowLayouts = map[string]string{RU: "02.01.2006 15:04", EN: "2 Jan 2006 15:04"}

// MoscowTime writes t in Moscow time, saying so: «05.12.2026 03:00 МСК», "5 Dec 2026 03:00
// Moscow time".
func (p *Printer) MoscowTime(t time.Time) string {
	layout, ok := moscowLayouts[p.lang]
	if !ok {
		layout = moscowLayouts[RU]
	}
	return p.T("time.moscow", "time", t.In(Moscow).Format(layout))
}
