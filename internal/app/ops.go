package app

import (
	"context"
	"crypto/subtle"
	_ "embed"
	"github.com/sep-platform/sep/internal/applications"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/id/provider"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/passport"
	"github.com/sep-platform/sep/internal/services"
	"github.com/sep-platform/sep/internal/validate"
	"github.com/sep-platform/sep/internal/web"
)

// opsAPI is the part of the API document for the operations endpoints and the document itself.
//
//go:embed openapi.yaml
var opsAPI []byte

// APIParts are the parts of the API document (package api), one per domain with JSON routes.
func APIParts() [][]byte {
	return append([][]byte{opsAPI, validate.OpenAPI, notify.OpenAPI, notify.OpenAPIPrefs, audit.OpenAPI, passport.OpenAPI, services.OpenAPI, provider.OpenAPI, applications.OpenAPI}, id.OpenAPI()...)
}

// registerOps adds the endpoints for operators and load balancers.
func (m *Main) registerOps() {
	m.Site.HandleHTTP("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		web.JSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}))
	m.Site.HandleHTTP("GET /readyz", http.HandlerFunc(m.readyz))
	metrics := promhttp.HandlerFor(m.Metrics, promhttp.HandlerOpts{Registry: m.Metrics})
	m.Site.HandleHTTP("GET /metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := m.Config.MetricsToken; tok != "" &&
			subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+tok)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics need a token", http.StatusUnauthorized)
			return
		}
		metrics.ServeHTTP(w, r)
	}))
	// Load balancers and monitoring must see the instance as it is during maintenance too.
	m.Site.ServeDuringMaintenance("GET /healthz", "GET /readyz", "GET /metrics")
}

// readyz tells a load balancer whether to send traffic here: the database answers and has
// every migration this binary needs, and the instance is not shutting down.
func (m *Main) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status := func(code int, state, reason string) {
		body := map[string]string{"status": state}
		if reason != "" {
			body["reason"] = reason
		}
		web.JSON(w, code, body)
	}
	if m.stopping.Load() {
		status(http.StatusServiceUnavailable, "unavailable", "shutting down")
		return
	}
	if err := m.DB.Ping(ctx); err != nil {
		m.Logger.Warn("readyz: database unreachable", "err", err)
		status(http.StatusServiceUnavailable, "unavailable", "database unreachable")
		return
	}
	pending, err := m.DB.Pending(ctx)
	if err != nil {
		m.Logger.Warn("readyz: cannot read migrations", "err", err)
		status(http.StatusServiceUnavailable, "unavailable", "database unreachable")
		return
	}
	if pending > 0 {
		status(http.StatusServiceUnavailable, "unavailable", "database migrations pending (run sep migrate up)")
		return
	}
	status(http.StatusOK, "ready", "")
}
