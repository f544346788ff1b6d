package jobs

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts job outcomes and durations by kind. A nil *Metrics records nothing.
type Metrics struct {
	outcomes *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers the job metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sep_jobs_total",
			Help: "Background job attempts by kind and outcome (done, retry, dead, released, lost).",
		}, []string{"kind", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "sep_job_duration_seconds",
			Help:    "Time one attempt of a background job took.",
			Buckets: prometheus.ExponentialBuckets(0.005, 4, 9),
		}, []string{"kind"}),
	}
	reg.MustRegister(m.outcomes, m.duration)
	return m
}

func (m *Metrics) observe(kind, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.outcomes.WithLabelValues(kind, outcome).Inc()
	m.duration.WithLabelValues(kind).Observe(d.Seconds())
}
