package esia

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// CommandSigner signs by running an external program, typically CryptoPro's
//
//	csptest -keyset -sign GOST12_256 -container NAME -keytype exchange -in {in} -out {out} -password PIN
//
// The message is written to a temporary file; in Args, "{in}" becomes its
// path and "{out}" the path the program must write the signature to. Without
// "{out}" the signature is read from standard output.
type CommandSigner struct {
	// Path is the program; Args its arguments with the placeholders.
	Path string
	Args []string
	// Reverse reverses the output's bytes: csptest writes raw signatures
	// little-endian and ЕСИА wants them reversed. Leave false for OpenSSL
	// (`openssl dgst -md_gost12_256 -sign key.pem -out {out} {in}`) and for
	// CMS output.
	Reverse bool
	// Timeout bounds one run; zero means 30 seconds.
	Timeout time.Duration
	// Dir holds the temporary files; empty means os.TempDir().
	Dir string
	// Env is the program's environment; nil inherits this process's.
	Env []string
}

// Sign implements Signer. Errors name the program and the first line of its
// standard error, never the arguments (they may carry a PIN).
func (s *CommandSigner) Sign(ctx context.Context, message []byte) ([]byte, error) {
	if s.Path == "" {
		return nil, errors.New("esia: CommandSigner has no Path")
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	dir, err := os.MkdirTemp(s.Dir, "esia-sign-*")
	if err != nil {
		return nil, fmt.Errorf("esia: command signer: %w", err)
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "message"), filepath.Join(dir, "signature")
	if err := os.WriteFile(in, message, 0o600); err != nil {
		return nil, fmt.Errorf("esia: command signer: %w", err)
	}
	toFile := false
	args := make([]string, len(s.Args))
	for i, a := range s.Args {
		if strings.Contains(a, "{out}") {
			toFile = true
		}
		args[i] = strings.NewReplacer("{in}", in, "{out}", out).Replace(a)
	}
	cmd := exec.CommandContext(ctx, s.Path, args...)
	cmd.Env = s.Env
	// A killed program's children may keep the output pipes open; stop
	// waiting for them soon after the timeout.
	cmd.WaitDelay = 500 * time.Millisecond
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	name := filepath.Base(s.Path)
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("esia: %s: %w", name, ctx.Err())
		}
		return nil, fmt.Errorf("esia: %s: %v: %s", name, err, firstLine(stderr.String()))
	}
	sig := stdout.Bytes()
	if toFile {
		if sig, err = os.ReadFile(out); err != nil {
			return nil, fmt.Errorf("esia: %s wrote no signature: %w", name, err)
		}
	}
	if len(sig) == 0 {
		return nil, fmt.Errorf("esia: %s returned an empty signature", name)
	}
	if s.Reverse {
		sig = reverse(sig)
	}
	return sig, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
