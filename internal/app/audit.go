package app

import (
	"context"
	"crypto/hmac"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/keys"
	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/internal/version"
)

// instanceSettings differ between instances of one deployment by design; journaling them would
// record every instance's start as a change.
var instanceSettings = map[string]bool{
	"SEP_HTTP_ADDR": true, "SEP_DATA_DIR": true, "SEP_WORKERS": true, "SEP_DB_MAX_CONNS": true,
	"SEP_LOG_LEVEL": true, "SEP_LOG_FORMAT": true, "SEP_SHUTDOWN_TIMEOUT": true,
}

// loadKeys loads (in demo mode, generates) the instance keys, before anything else touches
// the database: a bad key file stops start-up with nothing changed.
func (m *Main) loadKeys() error {
	k, err := keys.Load(KeyOptions(m.Config, m.Config.Demo()))
	if err != nil {
		return err // a *config.Error naming the setting
	}
	m.Keys = k
	m.Seal, err = NewSchema(m.Config, k.Data)
	return err
}

// openAnchors checks and opens the sinks of SEP_AUDIT_ANCHORS before anything touches the
// database, so that a bad one stops start-up with nothing changed.
func (m *Main) openAnchors() error {
	sinks, err := audit.OpenSinks(m.Config.AuditAnchors, audit.SinkOptions{DataDir: m.Config.DataDir, Production: !m.Config.Demo()})
	if err != nil {
		return &config.Error{Setting: "SEP_AUDIT_ANCHORS", Reason: err.Error()}
	}
	m.anchors = sinks
	return nil
}

// openAudit opens the journal and journals what happened while opening: migrations applied,
// keys generated or first used, settings changed. It leaves the start itself to startAudit,
// once everything is ready.
func (m *Main) openAudit(ctx context.Context) error {
	k := m.Keys
	var err error
	if m.Audit, err = audit.New(m.DB, audit.Options{SigningKey: k.Signing, Jobs: m.Jobs}); err != nil {
		return err
	}
	status, err := m.DB.Status(ctx)
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	for _, s := range status {
		if !s.Applied {
			// SEP_AUTO_MIGRATE=false with migrations pending: /readyz keeps traffic away until
			// `sep migrate up`, and the journal and the background schedules start with the
			// next start.
			m.Logger.Warn("database migrations are pending; nothing is journaled and no background work is scheduled until they are applied")
			m.Audit = nil
			return nil
		}
	}
	pub, err := gostpkix.EncodePublicKeyPEM(k.Signing.PublicKey())
	if err != nil {
		return err
	}
	for _, step := range []func() error{
		func() error { return m.Audit.RecordMigrations(ctx, status) },
		func() error {
			return m.Audit.RecordKey(ctx, keys.Signing, k.SigningID, string(pub), slices.Contains(k.Generated, keys.Signing))
		},
		func() error { return m.noticeDataKey(ctx, slices.Contains(k.Generated, keys.Data)) },
		func() error { return m.Audit.RecordSettings(ctx, m.settings()) },
		func() error {
			m.Audit.ServeAnchors(m.Jobs, m.anchors)
			return m.Audit.ScheduleCheckpoints(ctx, m.Jobs, m.Config.AuditCheckpointInterval)
		},
	} {
		if err := step(); err != nil {
			return fmt.Errorf("audit journal: %w", err)
		}
	}
	for _, g := range k.Generated {
		m.Logger.Info("key generated in the data directory", "purpose", g)
	}
	return nil
}

// settings lists the settings shared by every instance of a deployment, secrets as keyed
// fingerprints.
func (m *Main) settings() []audit.Setting {
	var out []audit.Setting
	for _, v := range m.Config.Values() {
		if instanceSettings[v.Env] {
			continue
		}
		value := v.Value
		if v.Secret && value != "" {
			// A secret is journaled by a fingerprint keyed with the data key: a change of
			// secret shows, and nobody without the key can test guesses against it. (After
			// a data-key rotation each secret is journaled once more, under the new key.)
			mac := hmac.New(streebog.New256, m.Keys.Data.Derive(seal.PurposeFingerprint))
			mac.Write([]byte(v.Env + "\x00" + value))
			value = "secret:" + hex.EncodeToString(mac.Sum(nil)[:8])
		}
		out = append(out, audit.Setting{Name: v.Env, Value: value, Secret: v.Secret})
	}
	return out
}

// startAudit journals the start of this instance.
func (m *Main) startAudit(ctx context.Context) error {
	if m.Audit == nil {
		return nil
	}
	if err := m.Audit.RecordStart(ctx, version.String(), string(m.Config.Mode)); err != nil {
		return fmt.Errorf("audit journal: %w", err)
	}
	return nil
}

// stopAudit journals the shutdown and signs and anchors the head, so that the last entries
// are covered by a checkpoint, within ctx (the end of the shutdown's budget). It is best
// effort: a failure is logged, the shutdown goes on.
func (m *Main) stopAudit(ctx context.Context) {
	if m.Audit == nil {
		return
	}
	if err := m.Audit.RecordStop(ctx, version.String()); err != nil {
		m.Logger.Error("cannot journal the shutdown", "err", err)
		return
	}
	c, made, err := m.Audit.MakeCheckpoint(ctx)
	if err != nil {
		m.Logger.Error("cannot sign the audit journal's head at shutdown", "err", err)
		return
	}
	// The workers have stopped: anchor the last checkpoint now rather than at the next start
	// (its job stays queued for then, in case this fails).
	if made {
		if err := audit.AnchorNow(ctx, c, m.anchors); err != nil {
			m.Logger.Warn("cannot anchor the last checkpoint; the next start will", "err", err)
		}
	}
}
