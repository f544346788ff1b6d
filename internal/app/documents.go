package app

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/sep-platform/sep/internal/documents"
	"github.com/sep-platform/sep/internal/jobs"
)

// jobScanQuarantine scans the documents left in quarantine while the antivirus was down.
const jobScanQuarantine = "documents.scan_quarantine"

// openDocuments makes the document store of the settings: local disk under the data
// directory, or an S3 bucket; with clamd, a periodic job that scans what waits in quarantine.
func (m *Main) openDocuments(ctx context.Context) error {
	cfg := m.Config.Documents
	dir := cfg.Dir
	if dir == "" {
		dir = filepath.Join(m.Config.DataDir, "documents")
	}
	var storage documents.Storage = documents.Disk{Dir: dir}
	if cfg.S3URL != "" {
		s3, err := documents.NewS3(documents.S3Options{URL: cfg.S3URL, AccessKey: cfg.S3AccessKey,
			SecretKey: cfg.S3SecretKey, Region: cfg.S3Region})
		if err != nil {
			return fmt.Errorf("SEP_DOCUMENTS_S3_URL: %w", err)
		}
		storage = s3
	}
	var scanner documents.Scanner
	if cfg.ClamdURL != "" {
		c, err := documents.ParseClamd(cfg.ClamdURL)
		if err != nil {
			return fmt.Errorf("SEP_CLAMD_URL: %w", err)
		}
		scanner = c
	}
	store, err := documents.New(documents.Options{DB: m.DB, Box: m.Seal.Box, Storage: storage,
		SpoolDir: filepath.Join(dir, ".spool"), Scanner: scanner, Journal: m.Audit, Logger: m.Logger})
	if err != nil {
		return err
	}
	m.Documents = store
	if scanner == nil {
		return nil
	}
	return m.Jobs.Every(ctx, jobScanQuarantine, time.Minute, func(ctx context.Context, _ *jobs.Job) error {
		_, err := store.ScanQuarantined(ctx)
		return err
	}, jobs.KindOptions{Timeout: 10 * time.Minute})
}
