package config

import (
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
)

// DocumentSettings say where uploaded documents are kept and which antivirus checks them
// (internal/documents). Documents are sealed before they reach either storage.
type DocumentSettings struct {
	// Dir is the directory of the local document storage (default DATA_DIR/documents); the
	// spool of uploads in progress is in it too, even with S3.
	Dir string
	// S3URL, when set, keeps documents in an S3-compatible bucket instead:
	// https://host[:port]/bucket[/prefix].
	S3URL       string
	S3AccessKey string
	S3SecretKey string
	S3Region    string
	// ClamdURL, when set, scans every document with ClamAV's clamd (tcp://host:port or
	// unix:///path); documents stay quarantined until it finds them clean.
	ClamdURL string
}

var documentSettings = []setting{
	{flag: "documents-dir", env: "SEP_DOCUMENTS_DIR", arg: "DIR",
		usage: "directory of the uploaded documents (sealed) and of uploads in progress, an absolute path (default: DATA_DIR/documents)",
		apply: func(c *Config, v string) error {
			if v != "" && !filepath.IsAbs(v) {
				return reason("not an absolute path")
			}
			c.Documents.Dir = v
			return nil
		}},
	{flag: "documents-s3-url", env: "SEP_DOCUMENTS_S3_URL", arg: "URL",
		usage: "keep uploaded documents (sealed) in an S3-compatible bucket: https://host[:port]/bucket[/prefix]; empty: on local disk",
		apply: func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") == "" {
				return reason("not an http(s)://host/bucket address")
			}
			c.Documents.S3URL = v
			return nil
		}},
	{flag: "documents-s3-access-key", env: "SEP_DOCUMENTS_S3_ACCESS_KEY", arg: "KEY",
		usage: "access key id of the document bucket",
		apply: func(c *Config, v string) error { return parseToken(v, &c.Documents.S3AccessKey) }},
	{flag: "documents-s3-secret-key", env: "SEP_DOCUMENTS_S3_SECRET_KEY", arg: "SECRET", secret: true,
		usage: "secret access key of the document bucket",
		apply: func(c *Config, v string) error { return parseToken(v, &c.Documents.S3SecretKey) }},
	{flag: "documents-s3-region", env: "SEP_DOCUMENTS_S3_REGION", arg: "REGION",
		usage: "region of the document bucket, if the service needs one",
		apply: func(c *Config, v string) error {
			if !regionPattern.MatchString(v) {
				return reason("not a region name (e.g. ru-central1)")
			}
			c.Documents.S3Region = v
			return nil
		}},
	{flag: "clamd-url", env: "SEP_CLAMD_URL", arg: "URL",
		usage: "ClamAV daemon that scans every uploaded document: tcp://host:port or unix:///path/clamd.ctl; documents stay quarantined until it finds them clean (empty: no antivirus)",
		apply: func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			u, err := url.Parse(v)
			if err != nil || !(u.Scheme == "tcp" && u.Host != "" || u.Scheme == "unix" && u.Path != "") {
				return reason("not tcp://host:port or unix:///path")
			}
			c.Documents.ClamdURL = v
			return nil
		}},
}

func init() { settings = append(settings, documentSettings...) }

var regionPattern = regexp.MustCompile(`^[a-z0-9-]*$`)

// parseToken reads a key without spaces or control characters (what S3 keys are).
func parseToken(v string, dst *string) error {
	for _, r := range v {
		if r <= ' ' || r == 0x7f {
			return reason("holds a space or a control character")
		}
	}
	*dst = v
	return nil
}
