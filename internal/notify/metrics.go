package notify

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	messages   *prometheus.CounterVec
	deliveries *prometheus.CounterVec
	limited    *prometheus.CounterVec
}

func newMetrics(r prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sep_notify_messages_total", Help: "Messages accepted for sending, by kind.",
		}, []string{"kind"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sep_notify_deliveries_total",
			Help: "Delivery attempts by channel and outcome: sent, retry (a temporary failure), failed, expired.",
		}, []string{"channel", "outcome"}),
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sep_notify_rate_limited_total", Help: "Messages refused by a per-recipient rate limit, by class.",
		}, []string{"class"}),
	}
	for _, c := range []prometheus.Collector{m.messages, m.deliveries, m.limited} {
		if err := r.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return nil, err
			}
		}
	}
	return m, nil
}
