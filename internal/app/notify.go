package app

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/keys"
	"github.com/sep-platform/sep/internal/maintenance"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/seal"
)

// NewNotifier builds the notifier from the settings — the development outbox in demo mode (or
// when forced), else the configured SMTP and SMS gateways — and registers its delivery job on
// q. Open uses it, and so does `sep notify test`.
func NewNotifier(cfg *config.Config, d *db.DB, q *jobs.Queue, box *seal.Box, logger *slog.Logger, reg prometheus.Registerer) (*notify.Notifier, error) {
	outbox := cfg.Demo()
	if cfg.Notify.Outbox != nil {
		outbox = *cfg.Notify.Outbox
	}
	transports := map[notify.Channel]notify.Transport{}
	if outbox && !cfg.Demo() {
		logger.Warn("SEP_NOTIFY_OUTBOX=true in production: NO E-MAIL OR SMS LEAVES THIS SERVER. " +
			"Messages, one-time codes included, are kept in the database outbox (sep notify outbox shows them).")
	}
	// Without the outbox this is production (demo mode refuses SEP_NOTIFY_OUTBOX=false).
	if !outbox {
		if cfg.SMTPURL != "" {
			if cfg.Notify.SMTPFrom == "" {
				return nil, &config.Error{Setting: "SEP_SMTP_FROM", Reason: "production sends e-mail only with a sender address set"}
			}
			t, err := notify.NewSMTP(notify.SMTPOptions{URL: cfg.SMTPURL, From: cfg.Notify.SMTPFrom})
			if err != nil {
				return nil, &config.Error{Setting: "SEP_SMTP_URL", Reason: err.Error()}
			}
			transports[notify.Email] = t
		}
		if cfg.SMSGatewayURL != "" {
			var success *regexp.Regexp
			if cfg.Notify.SMSSuccess != "" {
				var err error
				if success, err = regexp.Compile(cfg.Notify.SMSSuccess); err != nil {
					return nil, &config.Error{Setting: "SEP_SMS_SUCCESS", Reason: err.Error()}
				}
			}
			t, err := notify.NewSMS(notify.SMSOptions{URL: cfg.SMSGatewayURL, Auth: cfg.Notify.SMSAuth,
				Body: cfg.Notify.SMSBody, ContentType: cfg.Notify.SMSContentType, Sender: cfg.Notify.SMSSender,
				Success: success})
			if err != nil {
				setting := map[string]string{"URL": "SEP_SMS_GATEWAY_URL", "Auth": "SEP_SMS_AUTH"}[optionOf(err)]
				if setting == "" {
					setting = "SEP_SMS_BODY"
				}
				return nil, &config.Error{Setting: setting, Reason: err.Error()}
			}
			transports[notify.SMS] = t
		}
	}
	push, err := newPush(cfg, d, box, logger)
	if err != nil {
		return nil, err
	}
	return notify.New(notify.Options{
		Push:       push,
		DB:         d,
		Jobs:       q,
		Box:        box,
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

// newPush is the web-push transport with the VAPID key of the settings (generated in the
// data directory in demo mode), or nil when production has none.
func newPush(cfg *config.Config, d *db.DB, box *seal.Box, logger *slog.Logger) (*notify.WebPush, error) {
	k, generated, err := keys.LoadVAPID(keys.Options{DataDir: cfg.DataDir, Generate: cfg.Demo()}, cfg.Notify.VAPIDKeyFile)
	if errors.Is(err, keys.ErrNoKey) && cfg.Notify.VAPIDKeyFile == "" {
		logger.Info("web push is off: SEP_VAPID_KEY_FILE is unset")
		return nil, nil
	}
	if err != nil {
		return nil, err // a *config.Error naming the setting
	}
	if generated {
		logger.Info("web push key generated", "purpose", keys.VAPID)
	}
	// RFC 8292 §2.1: a contact for the push services' operators.
	subject := cfg.PublicURL.String()
	if cfg.Notify.SMTPFrom != "" {
		subject = "mailto:" + cfg.Notify.SMTPFrom
	}
	return notify.NewPush(notify.PushOptions{DB: d, Box: box, Key: k, Subject: subject})
}

// recipient is where an account is reached, for the notification settings' test message.
func (m *Main) recipient(ctx context.Context, accountID string) (notify.Recipient, error) {
	acc, err := m.ID.Account(ctx, accountID)
	if err != nil {
		return notify.Recipient{}, err
	}
	return notify.Recipient{AccountID: acc.ID, Email: acc.Email, Phone: acc.Phone, Lang: acc.Lang}, nil
}

// announceMaintenance makes each window an administrator schedules (maintenance.AnnounceJob)
// reach every active account that keeps maintenance notices on, in its language.
func (m *Main) announceMaintenance(store *maintenance.Store) error {
	return m.Notify.RegisterBroadcast(notify.Broadcast{Job: maintenance.AnnounceJob, Kind: notify.Maintenance,
		Data: func(ctx context.Context, event, lang string) (map[string]any, bool, error) {
			w, err := store.Get(ctx, event)
			if errs.KindOf(err) == errs.NotFound {
				return nil, false, nil
			}
			if err != nil {
				return nil, false, err
			}
			if st := w.State(time.Now()); st == maintenance.Cancelled || st == maintenance.Ended {
				return nil, false, nil
			}
			note := w.NoteRU
			if lang == i18n.EN {
				note = w.NoteEN
			}
			return map[string]any{"From": w.From.In(i18n.Moscow), "To": w.To.In(i18n.Moscow), "Note": note}, true, nil
		},
		Audience: func(ctx context.Context, after string, limit int) ([]notify.Recipient, error) {
			accs, err := m.ID.ActiveAccountsAfter(ctx, after, limit)
			out := make([]notify.Recipient, len(accs))
			for i, a := range accs {
				out[i] = notify.Recipient{AccountID: a.ID, Email: a.Email, Phone: a.Phone, Lang: a.Lang}
			}
			return out, err
		}})
}

func optionOf(err error) string {
	var oe *notify.SMSOptionError
	if errors.As(err, &oe) {
		return oe.Option
	}
	return ""
}

func limits(rs []config.RateLimit) []notify.Limit {
	out := make([]notify.Limit, len(rs))
	for i, r := range rs {
		out[i] = notify.Limit{N: r.N, Per: r.Per}
	}
	return out
}
