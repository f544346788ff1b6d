package documents

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"
)

// Scanner is an antivirus. Scan reads the whole of r and tells whether it is infected, and
// with what (the signature's name, for the journal and the operator). An error means the
// file could not be scanned: the document stays quarantined and is scanned again later.
type Scanner interface {
	Scan(ctx context.Context, r io.Reader) (infected bool, signature string, err error)
}

// Clamd is a Scanner talking to ClamAV's daemon with the INSTREAM command: the file goes to
// clamd in chunks, each a 4-byte big-endian length and its bytes, a zero length ends it, and
// clamd answers "stream: OK" or "stream: NAME FOUND". The file never touches clamd's disk
// through a shared path, so clamd may run on another machine.
type Clamd struct {
	Network string // "tcp" or "unix"
	Address string // host:port or the socket's path
	// Timeout bounds one scan (default 2 minutes): clamd on a large file is slow, a hung one
	// must not hold an upload forever.
	Timeout time.Duration
}

// ParseClamd reads a clamd address: tcp://127.0.0.1:3310 or unix:///run/clamav/clamd.ctl.
func ParseClamd(s string) (*Clamd, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("documents: the clamd address must be tcp://host:port or unix:///path")
	}
	switch {
	case u.Scheme == "tcp" && u.Host != "":
		return &Clamd{Network: "tcp", Address: u.Host}, nil
	case u.Scheme == "unix" && u.Path != "":
		return &Clamd{Network: "unix", Address: u.Path}, nil
	}
	return nil, errors.New("documents: the clamd address must be tcp://host:port or unix:///path")
}

const clamChunk = 32 << 10

// Ping checks that clamd answers (PING → PONG).
func (c *Clamd) Ping(ctx context.Context) error {
	conn, err := c.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("zPING\x00")); err != nil {
		return fmt.Errorf("documents: clamd: %w", err)
	}
	reply, err := bufio.NewReader(conn).ReadString(0)
	if err != nil || strings.TrimRight(reply, "\x00") != "PONG" {
		return fmt.Errorf("documents: clamd did not answer PONG (%q, %v)", reply, err)
	}
	return nil
}

func (c *Clamd) dial(ctx context.Context) (net.Conn, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, c.Network, c.Address)
	if err != nil {
		return nil, fmt.Errorf("documents: clamd: %w", err)
	}
	deadline := time.Now().Add(timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	conn.SetDeadline(deadline)
	return conn, nil
}

// Scan implements Scanner.
func (c *Clamd) Scan(ctx context.Context, r io.Reader) (bool, string, error) {
	conn, err := c.dial(ctx)
	if err != nil {
		return false, "", err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()

	// clamd answers early (and closes) when the stream exceeds its StreamMaxLength; read the
	// answer concurrently so that a write failing because of it still reports the answer.
	answer := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(conn, 4096))
		answer <- string(bytes.TrimRight(b, "\x00\n"))
	}()
	werr := writeInstream(conn, r)
	reply := <-answer
	switch {
	case strings.HasSuffix(reply, " FOUND"):
		sig := strings.TrimSuffix(strings.TrimPrefix(reply, "stream: "), " FOUND")
		return true, sig, nil
	case reply == "stream: OK" && werr == nil:
		return false, "", nil
	case werr != nil && !isNetErr(werr):
		return false, "", werr // reading the file failed: not clamd's fault
	case reply != "":
		return false, "", fmt.Errorf("documents: clamd: %s", reply)
	}
	return false, "", fmt.Errorf("documents: clamd gave no answer: %v", werr)
}

func isNetErr(err error) bool {
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe)
}

func writeInstream(conn net.Conn, r io.Reader) error {
	if _, err := conn.Write([]byte("zINSTREAM\x00")); err != nil {
		return &net.OpError{Op: "write", Err: err}
	}
	buf := make([]byte, 4+clamChunk)
	for {
		n, rerr := io.ReadFull(r, buf[4:])
		if n > 0 {
			binary.BigEndian.PutUint32(buf, uint32(n))
			if _, err := conn.Write(buf[:4+n]); err != nil {
				return &net.OpError{Op: "write", Err: err}
			}
		}
		if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	if _, err := conn.Write([]byte{0, 0, 0, 0}); err != nil {
		return &net.OpError{Op: "write", Err: err}
	}
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	return nil
}
