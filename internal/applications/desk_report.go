package applications

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/web"
)

// The report page (/desk/report): applications per status and per service, the overdue ones,
// and the median time from submission to decision per service — each as a bar chart drawn on
// the server in SVG (with its title and description for screen readers) and, beside it, the
// same figures as a table. Operators see their agency's services; administrators all.

// chart is one bar chart of the report.
type chart struct {
	ID, Title, Desc string
	Height          int
	Bars            []bar
}

// bar is one bar: its words, its figure as shown, and its geometry.
type bar struct {
	Label, Value        string
	LabelY, BarY, TextY int
	Width, ValueX       int
}

// Chart geometry, in SVG user units.
const (
	chartWidth = 640
	barSpan    = 520 // the longest bar
	rowHeight  = 44
)

// newChart lays out bars for values (figures shown as texts).
func newChart(idName, title, desc string, labels []string, values []float64, texts []string) chart {
	c := chart{ID: idName, Title: title, Desc: desc, Height: rowHeight*len(labels) + 8}
	top := 0.0
	for _, v := range values {
		top = max(top, v)
	}
	for i, l := range labels {
		w := 0
		if top > 0 {
			w = int(values[i] / top * barSpan)
		}
		y := i * rowHeight
		c.Bars = append(c.Bars, bar{Label: l, Value: texts[i], LabelY: y + 14, BarY: y + 20, TextY: y + 35,
			Width: max(w, 1), ValueX: max(w, 1) + 8})
	}
	return c
}

type reportPage struct {
	web.Page
	Total, Overdue   int
	States, Services chart
	Medians          chart
	ServiceRows      []reportRow
	StateRows        []reportRow
}

type reportRow struct {
	Label                   string
	Count, Overdue, Decided int
	Median                  string
}

// operatorOrAdmin is the signed-in operator or administrator; anybody else gets 404.
func operatorOrAdmin(w http.ResponseWriter, r *http.Request) (*web.Principal, bool, error) {
	if p, ok := web.PrincipalOf(r); ok && p.Kind == web.Admin {
		return p, true, nil
	}
	return operator(w, r)
}

func (h *Handler) reportPage(w http.ResponseWriter, r *http.Request) error {
	pr, ok, err := operatorOrAdmin(w, r)
	if !ok {
		return err
	}
	scope, err := h.agencyServices(r.Context(), pr)
	if err != nil {
		return err
	}
	rep, err := h.store.Report(r.Context(), scope)
	if err != nil {
		return err
	}
	p := h.site.Printer(r)
	lang := p.Lang()
	page := &reportPage{Total: rep.Total, Overdue: rep.Overdue}
	page.Title = p.T("applications.desk.report.title")

	var labels, texts []string
	var values []float64
	for _, sc := range rep.ByState {
		label := p.T("applications.status." + string(sc.State))
		labels, values, texts = append(labels, label), append(values, float64(sc.Count)), append(texts, strconv.Itoa(sc.Count))
		page.StateRows = append(page.StateRows, reportRow{Label: label, Count: sc.Count})
	}
	page.States = newChart("chart-states", p.T("applications.desk.report.by_status"),
		p.T("applications.desk.report.by_status_desc", "total", rep.Total), labels, values, texts)

	labels, texts, values = nil, nil, nil
	var mLabels, mTexts []string
	var mValues []float64
	for _, f := range rep.ByService {
		label := f.Service
		if svc, ok := h.catalogue.Service(f.Service); ok {
			label = svc.Name.In(lang)
		}
		labels, values, texts = append(labels, label), append(values, float64(f.Count)), append(texts, strconv.Itoa(f.Count))
		row := reportRow{Label: label, Count: f.Count, Overdue: f.Overdue, Decided: f.Decided}
		if f.Decided > 0 {
			row.Median = duration(p, f.Median)
			mLabels, mValues, mTexts = append(mLabels, label), append(mValues, f.Median.Hours()), append(mTexts, row.Median)
		}
		page.ServiceRows = append(page.ServiceRows, row)
	}
	page.Services = newChart("chart-services", p.T("applications.desk.report.by_service"),
		p.T("applications.desk.report.by_service_desc", "overdue", rep.Overdue), labels, values, texts)
	page.Medians = newChart("chart-medians", p.T("applications.desk.report.median"),
		p.T("applications.desk.report.median_desc"), mLabels, mValues, mTexts)
	return h.site.Render(w, r, http.StatusOK, "applications_desk_report", page)
}

// duration writes a processing time in days and hours, or hours and minutes under a day.
func duration(p *i18n.Printer, d time.Duration) string {
	d = d.Round(time.Minute)
	days, hours, minutes := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	if days > 0 {
		return p.T("applications.desk.report.days_hours", "days", days, "hours", hours)
	}
	return p.T("applications.desk.report.hours_minutes", "hours", hours, "minutes", fmt.Sprintf("%02d", minutes))
}
