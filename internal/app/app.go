// Package app wires sep together: settings → database → job queue → web site → HTTP server.
// Main is what `sep serve` runs and what end-to-end tests start on port 0 with a temporary
// data directory.
package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/internal/registry/passlist"
	"github.com/sep-platform/sep/internal/registry/sim"
	"github.com/sep-platform/sep/internal/site"
	"github.com/sep-platform/sep/internal/validate"
	"github.com/sep-platform/sep/internal/version"
	"github.com/sep-platform/sep/internal/web"
)

// Main is one running sep instance.
type Main struct {
	Config  *config.Config
	Logger  *slog.Logger
	DB      *db.DB
	Jobs    *jobs.Queue
	Site    *web.Site
	Metrics *prometheus.Registry
	// Notify sends messages (codes, alerts, status changes); domains call Notify.Send inside
	// their transactions.
	Notify *notify.Notifier
	// Registry runs identity and organisation checks against the state registries.
	Registry *registry.Service
	// RegistrySim is the registry simulator when SEP_REGISTRY_SOURCE selects it, else nil.
	RegistrySim *sim.Simulator
	// InvalidPassports is the imported МВД list of invalid passports, which passport checks
	// consult first.
	InvalidPassports *passlist.List

	listener net.Listener
	server   *http.Server
	stopping atomic.Bool
}

// New returns an unopened Main.
func New(cfg *config.Config, logger *slog.Logger) *Main {
	return &Main{Config: cfg, Logger: logger}
}

// Open prepares everything and starts listening, but serves nothing until Run. On error the
// caller still calls Close.
func (m *Main) Open(ctx context.Context) error {
	cfg := m.Config
	if err := cfg.PrepareDataDir(); err != nil {
		return err
	}
	d, err := db.Open(ctx, cfg.DatabaseDSN(), db.Options{MaxConns: cfg.DBMaxConns})
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	m.DB = d
	if cfg.AutoMigrate {
		applied, err := d.Migrate(ctx)
		if err != nil {
			return fmt.Errorf("database: %w", err)
		}
		for _, mg := range applied {
			m.Logger.Info("migration applied", "version", mg.Version, "name", mg.Name)
		}
	}

	m.Metrics = prometheus.NewRegistry()
	m.Metrics.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(d.Writer(), "write"),
	)
	if d.Reader() != d.Writer() {
		m.Metrics.MustRegister(collectors.NewDBStatsCollector(d.Reader(), "read"))
	}
	m.Jobs = jobs.New(d)
	if m.Notify, err = NewNotifier(cfg, d, m.Jobs, m.Logger, m.Metrics); err != nil {
		return err
	}
	m.openRegistry(ctx)

	secure := cfg.PublicURL.Scheme == "https"
	m.Site, err = web.NewSite(web.Options{
		Logger:         m.Logger,
		Catalog:        i18n.Default(),
		Templates:      []fs.FS{site.Templates, notify.Pages},
		Demo:           cfg.Demo(),
		Secure:         secure,
		MaxBodyBytes:   cfg.MaxBodyBytes,
		Version:        version.String(),
		Registerer:     m.Metrics,
		TrustedProxies: cfg.TrustedProxies,
	})
	if err != nil {
		return err
	}
	site.Register(m.Site, secure)
	if cfg.Demo() {
		// The outbox holds one-time codes: its pages exist in demo mode only.
		notify.RegisterOutbox(m.Site, d)
	}
	validate.Register(m.Site, nil)
	m.registerOps()

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return &config.Error{Setting: "SEP_HTTP_ADDR", Value: cfg.HTTPAddr, Reason: "cannot listen: " + err.Error()}
	}
	m.listener = ln
	m.server = &http.Server{
		Handler:           m.Site.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	return nil
}

// openRegistry sets up the registry checks: the simulator or no registry at all, as
// SEP_REGISTRY_SOURCE says, and the МВД invalid-passport list. Real adapters (СМЭВ) plug into
// registry.Adapters the same way.
func (m *Main) openRegistry(ctx context.Context) {
	cfg := m.Config
	m.InvalidPassports = passlist.New(m.DB, passlist.Options{Logger: m.Logger})
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	if meta, err := m.InvalidPassports.Status(sctx); err == nil && meta.Version == 0 {
		m.Logger.Info("no list of invalid passports is imported: passport checks rely on the registry alone " +
			"(sep registry import-invalid-passports)")
	}
	cancel()
	var adapters registry.Adapters
	if cfg.RegistrySource() == config.RegistrySimulator {
		if !cfg.Demo() {
			m.Logger.Warn("registry checks are answered by the simulator from fictitious data (SEP_REGISTRY_SOURCE=simulator)")
		}
		var outages []sim.Window
		for _, w := range cfg.Registry.SimOutages {
			outages = append(outages, sim.Window{From: w.From, To: w.To})
		}
		m.RegistrySim = sim.New(sim.Options{LatencyMin: cfg.Registry.SimLatencyMin, LatencyMax: cfg.Registry.SimLatencyMax,
			FailureRate: cfg.Registry.SimFailureRate, Outages: outages})
		adapters = m.RegistrySim.Adapters()
	} else {
		m.Logger.Info("no state registry is configured: registry checks end unavailable (SEP_REGISTRY_SOURCE=none)")
	}
	var backoff func(int) time.Duration // zero settings (a Config not from Load) keep the defaults
	if cfg.Registry.Backoff > 0 {
		backoff = jobs.Exponential(cfg.Registry.Backoff, time.Hour)
	}
	m.Registry = registry.NewService(registry.Options{DB: m.DB, Jobs: m.Jobs, Adapters: adapters,
		InvalidPassports: invalidList{m.InvalidPassports}, Attempts: cfg.Registry.Attempts,
		Timeout: cfg.Registry.Timeout, Backoff: backoff, Logger: m.Logger})
}

// invalidList is the МВД list as passport checks consult it: before any list is imported it
// has nothing to say, and the registry alone answers.
type invalidList struct{ *passlist.List }

func (l invalidList) Contains(ctx context.Context, series, number string) (bool, error) {
	on, err := l.List.Contains(ctx, series, number)
	if errors.Is(err, passlist.ErrNotImported) {
		return false, nil
	}
	return on, err
}

// URL is where this instance can be reached: the public URL if one is set, else the address
// it actually listens on (which tells the port when SEP_HTTP_ADDR asked for port 0).
func (m *Main) URL() string {
	if m.Config.PublicURL != nil && m.Config.PublicURL.Host != m.Config.HTTPAddr {
		return m.Config.PublicURL.String()
	}
	scheme := "http"
	if m.Config.TLSCertFile != "" {
		scheme = "https"
	}
	return scheme + "://" + m.listener.Addr().String()
}

// Run serves requests and runs background jobs until ctx is cancelled, then shuts down in
// order: stop taking requests and let in-flight ones finish, then stop the workers. Both
// are bounded by SEP_SHUTDOWN_TIMEOUT. It returns nil after a clean shutdown.
func (m *Main) Run(ctx context.Context) error {
	cfg := m.Config
	serveErr := make(chan error, 1)
	go func() {
		var err error
		if cfg.TLSCertFile != "" {
			err = m.server.ServeTLS(m.listener, cfg.TLSCertFile, cfg.TLSKeyFile)
		} else {
			err = m.server.Serve(m.listener)
		}
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		serveErr <- err
	}()
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	workersDone := make(chan struct{})
	go func() {
		defer close(workersDone)
		if cfg.Workers == 0 {
			<-workCtx.Done()
			return
		}
		m.Jobs.Run(workCtx, jobs.RunOptions{
			Concurrency: cfg.Workers,
			Grace:       cfg.ShutdownTimeout,
			Logger:      m.Logger,
			Metrics:     jobs.NewMetrics(m.Metrics),
		})
	}()

	var err error
	select {
	case <-ctx.Done():
	case err = <-serveErr:
		if err != nil {
			err = fmt.Errorf("http server: %w", err)
		}
	}
	m.stopping.Store(true)
	m.Logger.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if serr := m.server.Shutdown(sctx); serr != nil {
		m.Logger.Warn("in-flight requests did not finish in time; closing their connections", "err", serr)
		m.server.Close()
	}
	stopWork()
	<-workersDone
	return err
}

// Close releases what Open acquired.
func (m *Main) Close() error {
	var err error
	if m.listener != nil {
		if lerr := m.listener.Close(); !errors.Is(lerr, net.ErrClosed) {
			err = lerr
		}
	}
	if m.DB != nil {
		err = errors.Join(err, m.DB.Close())
	}
	return err
}

// NewNotifier builds the notifier from the settings — the development outbox in demo mode (or
// when forced), else the configured SMTP and SMS gateways — and registers its delivery job on
// q. Open uses it, and so does `sep notify test`.
func NewNotifier(cfg *config.Config, d *db.DB, q *jobs.Queue, logger *slog.Logger, reg prometheus.Registerer) (*notify.Notifier, error) {
	outbox := cfg.Demo()
	if cfg.Notify.Outbox != nil {
		outbox = *cfg.Notify.Outbox
	}
	transports := map[notify.Channel]notify.Transport{}
	if outbox && !cfg.Demo() {
		logger.Warn("SEP_NOTIFY_OUTBOX=true in production: NO E-MAIL OR SMS LEAVES THIS SERVER. " +
			"Messages, one-time codes included, are kept in the database outbox (sep notify outbox shows them).")
	}
	if !outbox {
		if cfg.SMTPURL != "" {
			from := cfg.Notify.SMTPFrom
			if from == "" {
				if !cfg.Demo() {
					return nil, &config.Error{Setting: "SEP_SMTP_FROM", Reason: "production sends e-mail only with a sender address set"}
				}
				from = "noreply@" + cfg.PublicURL.Hostname()
			}
			t, err := notify.NewSMTP(notify.SMTPOptions{URL: cfg.SMTPURL, From: from})
			if err != nil {
				return nil, &config.Error{Setting: "SEP_SMTP_URL", Reason: err.Error()}
			}
			transports[notify.Email] = t
		}
		if cfg.SMSGatewayURL != "" {
			t, err := notify.NewSMS(notify.SMSOptions{URL: cfg.SMSGatewayURL, Auth: cfg.Notify.SMSAuth,
				Body: cfg.Notify.SMSBody, ContentType: cfg.Notify.SMSContentType, Sender: cfg.Notify.SMSSender})
			if err != nil {
				setting := "SEP_SMS_BODY"
				if strings.HasPrefix(err.Error(), "the auth header") {
					setting = "SEP_SMS_AUTH"
				}
				return nil, &config.Error{Setting: setting, Reason: err.Error()}
			}
			transports[notify.SMS] = t
		}
	}
	return notify.New(notify.Options{
		DB:         d,
		Jobs:       q,
		Catalog:    i18n.Default(),
		SiteURL:    cfg.PublicURL.String(),
		Transports: transports,
		Outbox:     outbox,
		Limits: map[notify.Class][]notify.Limit{
			notify.Codes: limits(cfg.Notify.CodeLimits),
			notify.Tests: limits(cfg.Notify.TestLimits),
		},
		Logger:     logger,
		Registerer: reg,
	})
}

func limits(rs []config.RateLimit) []notify.Limit {
	out := make([]notify.Limit, len(rs))
	for i, r := range rs {
		out[i] = notify.Limit{N: r.N, Per: r.Per}
	}
	return out
}
