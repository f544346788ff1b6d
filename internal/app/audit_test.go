package app

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

// TestShutdownAnchorsTheLastCheckpoint: with SEP_AUDIT_ANCHORS set, the checkpoint signed at
// shutdown is in the anchor file when sep has stopped, and it matches the journal.
func TestShutdownAnchorsTheLastCheckpoint(t *testing.T) {
	dbURL := dbtest.SQLiteURL(t)
	file := filepath.Join(t.TempDir(), "anchors.log")
	m := New(testConfig(t, dbURL, "SEP_AUDIT_ANCHORS", file), slog.New(slog.DiscardHandler))
	if err := m.Open(context.Background()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	cancel()
	<-done
	seq, _, err := m.Audit.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	anchors, err := audit.ReadAnchors(f)
	f.Close()
	if err != nil || len(anchors) != 1 || anchors[0].Seq != seq {
		t.Fatalf("anchors %+v (%v); want one covering entry %d", anchors, err, seq)
	}
	rep, err := m.Audit.Verify(context.Background(), audit.VerifyOptions{Trusted: []*gost3410.PublicKey{m.Keys.Signing.PublicKey()}, Anchors: anchors})
	m.Close()
	if err != nil || !rep.Intact() || rep.Anchors != 1 {
		t.Fatalf("verify against the anchor: %+v %v", rep, err)
	}
}

// TestAnchorFileInTheDataDirectoryStopsStartUp: the setting is refused, naming itself, before
// the database is touched.
func TestAnchorFileInTheDataDirectoryStopsStartUp(t *testing.T) {
	dir := t.TempDir()
	m := New(testConfig(t, dbtest.SQLiteURL(t), "SEP_DATA_DIR", dir, "SEP_AUDIT_ANCHORS", "syslog-not,"+filepath.Join(dir, "anchors.log")),
		slog.New(slog.DiscardHandler))
	defer m.Close()
	err := m.Open(context.Background())
	var cerr *config.Error
	if !errors.As(err, &cerr) || cerr.Setting != "SEP_AUDIT_ANCHORS" || m.DB != nil {
		t.Fatalf("Open: %v (database opened: %v)", err, m.DB != nil)
	}
	m2 := New(testConfig(t, dbtest.SQLiteURL(t), "SEP_DATA_DIR", dir, "SEP_AUDIT_ANCHORS", filepath.Join(dir, "anchors.log")),
		slog.New(slog.DiscardHandler))
	defer m2.Close()
	if err := m2.Open(context.Background()); !errors.As(err, &cerr) || cerr.Setting != "SEP_AUDIT_ANCHORS" ||
		cerr.Reason != "item 1: the anchor file is inside SEP_DATA_DIR; whoever can rewrite the database can rewrite it there: put it on another disk, owned by another user, or use syslog or a witness" {
		t.Fatalf("Open: %v", err)
	}
}
