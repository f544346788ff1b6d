//go:build !windows && !plan9

package audit

import (
	"context"
	"fmt"
	"log/syslog"
)

// syslogSink sends each anchor line to the local syslog daemon (facility auth, priority
// notice, tag sep-audit), which should forward it to a log host sep's administrators cannot
// rewrite.
type syslogSink struct {
	id             string
	network, raddr string // empty: the local daemon; tests dial a socket of their own
}

func openSyslog(id string) (*syslogSink, error) {
	s := &syslogSink{id: id}
	// Fail at start-up, not at the first checkpoint, if there is no syslog daemon.
	w, err := s.dial()
	if err != nil {
		return nil, fmt.Errorf("syslog: %w", err)
	}
	return s, w.Close()
}

func (s *syslogSink) dial() (*syslog.Writer, error) {
	return syslog.Dial(s.network, s.raddr, syslog.LOG_AUTH|syslog.LOG_NOTICE, "sep-audit")
}

func (s *syslogSink) ID() string     { return s.id }
func (s *syslogSink) String() string { return "syslog" }

// Write hands the line to the daemon; a fresh connection each time, so that a restarted
// daemon is found again.
func (s *syslogSink) Write(ctx context.Context, c *Checkpoint) error {
	line, _ := c.MarshalText()
	w, err := s.dial()
	if err != nil {
		return fmt.Errorf("anchor to syslog: %w", err)
	}
	_, err = w.Write(line)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("anchor to syslog: %w", err)
	}
	return nil
}
