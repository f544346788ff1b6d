package audit

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sep-platform/sep/gost/streebog"
)

// Sink is a place outside the database where checkpoints are anchored. Writing the same
// checkpoint twice must be harmless: a job may run again after a crash.
type Sink interface {
	// ID names the sink in the job queue: stable across restarts, no credentials.
	ID() string
	// String names the sink in logs and errors, without credentials.
	String() string
	// Write anchors c; it returns only once c is durable there.
	Write(ctx context.Context, c *Checkpoint) error
}

// SinkOptions are what OpenSinks needs to check and open sinks.
type SinkOptions struct {
	// DataDir is sep's data directory: an anchor file inside it is refused.
	DataDir string
	// Production allows witnesses on other hosts (over https only); otherwise, as in demo
	// mode nothing leaves the machine, a witness must be on the loopback interface.
	Production bool
	// Client posts to witnesses; a client with a 30-second timeout by default.
	Client *http.Client
}

// OpenSinks checks and opens the sinks of SEP_AUDIT_ANCHORS: an absolute file path (or
// file:PATH), "syslog", or an http(s):// witness URL. Errors name the item by position, as an
// item may carry a witness's credentials.
func OpenSinks(specs []string, opt SinkOptions) ([]Sink, error) {
	var out []Sink
	seen := map[string]bool{}
	for i, spec := range specs {
		s, err := openSink(spec, opt)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i+1, err)
		}
		if seen[s.ID()] {
			return nil, fmt.Errorf("item %d: %s is listed twice", i+1, s)
		}
		seen[s.ID()] = true
		out = append(out, s)
	}
	return out, nil
}

func openSink(spec string, opt SinkOptions) (Sink, error) {
	switch {
	case spec == "syslog":
		return openSyslog(sinkID(spec))
	case strings.HasPrefix(spec, "http://"), strings.HasPrefix(spec, "https://"):
		return newWitness(spec, opt)
	case strings.HasPrefix(spec, "file:"), strings.HasPrefix(spec, "/"):
		return openFileSink(strings.TrimPrefix(spec, "file:"), opt.DataDir)
	}
	return nil, errors.New("not an anchor sink (want an absolute file path, syslog, or an https:// witness URL)")
}

// sinkID is a fingerprint of the sink's setting: the same setting on every instance gives the
// same id, and a URL's credentials never reach the job table.
func sinkID(spec string) string {
	sum := streebog.Sum256([]byte("sep audit sink\x00" + spec))
	return hex.EncodeToString(sum[:8])
}

// fileSink appends anchor lines to a file outside the data directory.
type fileSink struct{ id, path string }

func openFileSink(path, dataDir string) (*fileSink, error) {
	if !filepath.IsAbs(path) {
		return nil, errors.New("an anchor file needs an absolute path")
	}
	path = filepath.Clean(path)
	id := sinkID("file:" + path) // one file, however it is spelt
	if dataDir != "" && within(path, dataDir) {
		return nil, errors.New("the anchor file is inside SEP_DATA_DIR; whoever can rewrite the database can rewrite it there: put it on another disk, owned by another user, or use syslog or a witness")
	}
	s := &fileSink{id: id, path: path}
	// Fail at start-up, not at the first checkpoint, if the file cannot be written.
	f, err := s.open()
	if err != nil {
		return nil, fmt.Errorf("anchor file: %w", err)
	}
	return s, f.Close()
}

func (s *fileSink) ID() string     { return s.id }
func (s *fileSink) String() string { return "file " + s.path }

func (s *fileSink) open() (*os.File, error) {
	return os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
}

// Write appends the anchor line in one write (O_APPEND: never over an earlier line) and syncs
// it to disk.
func (s *fileSink) Write(ctx context.Context, c *Checkpoint) error {
	line, _ := c.MarshalText()
	f, err := s.open()
	if err != nil {
		return fmt.Errorf("anchor: %w", err)
	}
	_, err = f.Write(append(line, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("anchor %s: %w", s, err)
	}
	return nil
}

// within reports whether path is dir or below it, following symbolic links as far as the
// path exists.
func within(path, dir string) bool {
	p, d := resolve(path), resolve(dir)
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// resolve makes p absolute and resolves the symbolic links of its longest existing prefix.
func resolve(p string) string {
	p, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	rest := ""
	for cur := p; ; {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return p
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// witness posts each checkpoint as JSON to an HTTP service run by someone else.
type witness struct {
	id, label string
	url       *url.URL
	client    *http.Client
}

func newWitness(spec string, opt SinkOptions) (*witness, error) {
	u, err := url.Parse(spec)
	if err != nil || u.Host == "" {
		return nil, errors.New("the witness is not a URL")
	}
	loopback := isLoopback(u.Hostname())
	switch {
	case !opt.Production && !loopback:
		return nil, errors.New("in demo mode nothing leaves the machine: a witness must be on 127.0.0.1, ::1 or localhost")
	case u.Scheme != "https" && !loopback:
		return nil, errors.New("a witness on another host needs https")
	}
	where := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	// The id leaves out the credentials, so that changing them strands no queued job.
	w := &witness{id: sinkID(where), url: u, client: opt.Client, label: "witness " + where}
	if w.client == nil {
		w.client = &http.Client{Timeout: 30 * time.Second,
			// A redirect would turn the POST into a GET, or https into http: not delivered.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return w, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

func (w *witness) ID() string     { return w.id }
func (w *witness) String() string { return w.label }

// Write posts the checkpoint; any 2xx answer means the witness has it. The Idempotency-Key
// (the checkpoint's digest) lets the witness recognise a repeat.
func (w *witness) Write(ctx context.Context, c *Checkpoint) error {
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("anchor %s: %w", w, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", c.Digest().String())
	resp, err := w.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its URL may carry credentials
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			err = errors.New("no answer in time")
		}
		return fmt.Errorf("anchor %s: %w", w, err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("anchor %s: answered %s", w, resp.Status)
	}
	return nil
}
