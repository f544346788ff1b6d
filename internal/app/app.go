// Package app wires sep together: settings → database → job queue → web site → HTTP server.
// Main is what `sep serve` runs and what end-to-end tests start on port 0 with a temporary
// data directory.
package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/sep-platform/sep/internal/api"
	"github.com/sep-platform/sep/internal/applications"
	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/cabinet"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/documents"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/id/provider"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/keys"
	"github.com/sep-platform/sep/internal/maintenance"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/passport"
	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/internal/registry/passlist"
	"github.com/sep-platform/sep/internal/registry/sim"
	"github.com/sep-platform/sep/internal/retention"
	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/internal/seal/rotate"
	"github.com/sep-platform/sep/internal/services"
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
	Keys             *keys.Keys     // the instance keys
	Audit            *audit.Journal // nil while the journal's migration is pending
	// Seal seals personal data at rest with the data key ring (internal/seal); Rotator
	// re-seals it after a rotation; Retention purges what is past its retention period.
	Seal      *seal.Schema
	Rotator   *rotate.Rotator
	Retention *retention.Purger
	// ID is the identity provider: accounts, sign-in, sessions (the site's authenticator).
	ID *id.Service
	// Passport issues and verifies electronic passports.
	Passport *passport.Service
	// Provider is ID as an ЕСИА provider (internal/id/provider).
	Provider *provider.Provider
	// Cabinet is the citizen's cabinet, entered «Через Госуслуги» (internal/cabinet).
	Cabinet *cabinet.Service
	sandbox *provider.Sandbox // the ЕСИА test stand seeded at this start (demo mode)
	// API is the OpenAPI document of every JSON route, served at /api/v1/openapi.json.
	API *api.Spec
	// Documents keeps uploaded documents sealed, checked and scanned (internal/documents).
	Documents *documents.Store
	// Maintenance is this instance's copy of the maintenance schedule (re-read every 5 s).
	Maintenance *maintenance.Cache
	// Services is the service catalogue, loaded from the service files at start-up.
	Services *services.Catalogue
	// Applications keeps citizens' applications and runs their state machine.
	Applications *applications.Store

	anchors  []audit.Sink // where checkpoints are anchored (SEP_AUDIT_ANCHORS)
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
	if err := m.loadKeys(); err != nil {
		return err
	}
	if err := m.openAnchors(); err != nil {
		return err
	}
	d, err := db.Open(ctx, cfg.DatabaseDSN(), db.Options{MaxConns: cfg.DBMaxConns})
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	m.DB = d
	if cfg.AutoMigrate {
		applied, err := d.MigrateWith(ctx, db.MigrateOptions{Sealer: m.Seal})
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
	m.Rotator = NewRotator(m)
	if m.Notify, err = NewNotifier(cfg, d, m.Jobs, m.Seal.Box, m.Logger, m.Metrics); err != nil {
		return err
	}
	m.openRegistry(ctx)
	if err := m.openAudit(ctx); err != nil {
		return err
	}
	secure := cfg.PublicURL.Scheme == "https"
	if err := m.openID(secure); err != nil {
		return err
	}
	if err := m.openPassport(); err != nil {
		return err
	}
	if err := m.openProvider(); err != nil {
		return err
	}
	m.openCabinet(secure)
	if m.Audit != nil { // nil: migrations pending, see openAudit
		if err := m.scheduleRetention(ctx); err != nil {
			return fmt.Errorf("retention: %w", err)
		}
	}

	if err := m.openDocuments(ctx); err != nil {
		return fmt.Errorf("documents: %w", err)
	}

	m.Maintenance = maintenance.NewCache(maintenance.NewStore(d, maintenance.Options{}), maintenance.CacheOptions{Logger: m.Logger})
	m.Maintenance.Refresh(ctx) // a failure is logged; the schedule is read again within seconds
	if err := m.announceMaintenance(maintenance.NewStore(d, maintenance.Options{})); err != nil {
		return err
	}

	if m.Services, err = LoadServices(cfg); err != nil {
		return err
	}
	m.Site, err = web.NewSite(web.Options{
		Logger:         m.Logger,
		Catalog:        i18n.Default(),
		Templates:      []fs.FS{site.Templates, notify.Pages, audit.Templates, maintenance.Templates, id.Templates, passport.Templates, services.Templates, provider.Templates, cabinet.Templates, applications.Templates},
		Demo:           cfg.Demo(),
		Secure:         secure,
		MaxBodyBytes:   cfg.MaxBodyBytes,
		Version:        version.String(),
		Registerer:     m.Metrics,
		TrustedProxies: cfg.TrustedProxies,
		Maintenance:    m.Maintenance,
		Authenticators: []web.Authenticator{m.ID},
	})
	if err != nil {
		return err
	}
	site.Register(m.Site, secure)
	maintenance.Register(m.Site, m.Maintenance)
	if cfg.Demo() {
		// The outbox holds one-time codes: its pages exist in demo mode only.
		notify.RegisterOutbox(m.Site, d, m.Seal.Box)
	}
	notify.RegisterPreferences(m.Site, m.Notify, notify.PrefsOptions{Recipient: m.recipient, Journal: m.Audit})
	validate.Register(m.Site, nil)
	id.Register(m.Site, m.ID)
	passport.Register(m.Site, m.Passport)
	services.Register(m.Site, m.Services, m.ID)
	provider.Register(m.Site, m.Provider)
	cabinet.Register(m.Site, m.Cabinet)
	m.Applications = applications.NewStore(applications.Options{DB: m.DB, Box: m.Seal.Box, Journal: m.Audit, Notify: m.Notify,
		Accounts: m.ID, Services: m.Services, Logger: m.Logger, Jobs: m.Jobs, SiteURL: m.URL,
		Signing: m.Keys.Signing, SigningCertificate: m.Passport.RootCertificate})
	applications.Register(m.Site, m.Applications, m.ID, m.Documents, m.Passport)
	if m.API, err = api.Load(APIParts()...); err != nil {
		return err
	}
	m.API.Register(m.Site)
	if m.Audit != nil {
		audit.Register(m.Site, m.Audit)
	}
	m.registerOps()

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return &config.Error{Setting: "SEP_HTTP_ADDR", Value: cfg.HTTPAddr, Reason: "cannot listen: " + err.Error()}
	}
	m.listener = ln
	if err := m.startCabinet(ctx); err != nil {
		return err
	}
	m.server = &http.Server{
		Handler:           m.Site.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		TLSConfig:         &tls.Config{MinVersion: cfg.TLSMinVersion}, // used when sep serves HTTPS itself
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	m.server.RegisterOnShutdown(m.Applications.CloseLive) // live status streams end, not drain
	return m.startAudit(ctx)
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

// Run serves requests and runs background jobs until ctx is cancelled, then shuts down:
// it stops taking requests and jobs, lets in-flight ones finish, and journals the stop.
// SEP_SHUTDOWN_TIMEOUT bounds the whole of it, from the moment ctx is cancelled (see
// stopBudget). It returns nil after a clean shutdown.
func (m *Main) Run(ctx context.Context) error {
	cfg := m.Config
	drain, reserve := stopBudget(cfg.ShutdownTimeout)
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
	m.InvalidPassports.StartLoading() // in the background: checks meanwhile retry, never wait
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	watchDone := make(chan struct{})
	go func() { defer close(watchDone); m.watchDataKey(workCtx, 2*time.Second) }()
	workersDone := make(chan struct{})
	go func() {
		defer close(workersDone)
		if cfg.Workers == 0 {
			<-workCtx.Done()
			return
		}
		m.Jobs.Run(workCtx, jobs.RunOptions{
			Concurrency: cfg.Workers,
			// From the moment the stop begins, alongside the HTTP drain; 0 would mean the
			// queue's default.
			Grace:   max(drain, time.Nanosecond),
			Logger:  m.Logger,
			Metrics: jobs.NewMetrics(m.Metrics),
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
	deadline := time.Now().Add(cfg.ShutdownTimeout)
	// Requests and jobs drain side by side, within one deadline: a job that a draining request
	// enqueues is durable and runs on another instance or at the next start.
	stopWork()
	sctx, cancel := context.WithDeadline(context.Background(), deadline.Add(-reserve))
	defer cancel()
	if serr := m.server.Shutdown(sctx); serr != nil {
		m.Logger.Warn("in-flight requests did not finish in time; closing their connections", "err", serr)
		m.server.Close()
	}
	// The online passport checks still in memory are written now that no request adds more.
	if err := m.Passport.Close(sctx); err != nil {
		m.Logger.Warn("passport checks could not be recorded at shutdown", "err", err)
	}
	// Jobs cut short at the end of the drain go back to the queue in a moment; half the
	// reserve waits for that, the rest is the journal's.
	select {
	case <-workersDone:
	case <-time.After(time.Until(deadline.Add(-reserve / 2))):
		m.Logger.Warn("background jobs did not stop in time; leaving them to their leases")
	}
	<-watchDone
	actx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	m.stopAudit(actx)
	return err
}

// stopBudget splits the shutdown timeout: drain for in-flight requests and jobs, and a reserve
// at the end (a tenth, at most 3 s) for the journal's last entry and checkpoint.
func stopBudget(timeout time.Duration) (drain, reserve time.Duration) {
	reserve = min(timeout/10, 3*time.Second)
	return timeout - reserve, reserve
}

// Close releases what Open acquired.
func (m *Main) Close() error {
	var err error
	if m.listener != nil {
		if lerr := m.listener.Close(); !errors.Is(lerr, net.ErrClosed) {
			err = lerr
		}
	}
	if m.InvalidPassports != nil {
		m.InvalidPassports.Close() // stops a load before the database closes under it
	}
	if m.Passport != nil && m.DB != nil { // Run did it, unless it never ran
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = errors.Join(err, m.Passport.Close(ctx))
		cancel()
	}
	if m.DB != nil {
		err = errors.Join(err, m.DB.Close())
	}
	return err
}
