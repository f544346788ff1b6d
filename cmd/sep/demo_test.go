package main

import (
	"bufio"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// serveOutput starts `sep serve` on dataDir, reads its standard output until a line matching
// until, stops it, and returns what it printed and logged.
func serveOutput(t *testing.T, dataDir string, until *regexp.Regexp) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = append(os.Environ(), "SEP_TEST_AS_SEP=1", "SEP_HTTP_ADDR=127.0.0.1:0", "SEP_DATA_DIR="+dataDir)
	pipe, _ := cmd.StdoutPipe()
	var errb syncBuilder // written by exec's copying goroutine while the test reads it
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	var out strings.Builder
	done := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			if until.MatchString(sc.Text()) {
				done <- true
				return
			}
		}
		done <- false
	}()
	select {
	case ok := <-done:
		if !ok {
			t.Fatalf("sep serve stopped printing:\n%s\nstderr:\n%s", out.String(), errb.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("sep serve did not print %s", until)
	}
	return out.String(), errb.String()
}

// Demo mode on an empty database makes a citizen at each level, an operator, an
// administrator and an auditor, and prints their logins and passwords under the address —
// on standard output, never in the log; the next start makes nothing and says so.
func TestServeMakesDemoUsersOnce(t *testing.T) {
	dir := t.TempDir()
	out, logged := serveOutput(t, dir, regexp.MustCompile(`passwords are shown this once`))
	lines := strings.Split(out, "\n")
	if !strings.Contains(lines[0], "running at http://127.0.0.1:") {
		t.Fatalf("the first line is not the address: %q", lines[0])
	}
	row := regexp.MustCompile(`^\s+(citizen|operator|admin|auditor)\s+(simplified|standard|confirmed|-)\s+(\+7900000\d{4})\s+(\S+@example\.ru)\s+(\S{20,})$`)
	var seen []string
	for _, l := range lines {
		if m := row.FindStringSubmatch(l); m != nil {
			seen = append(seen, m[1]+"/"+m[2])
			if strings.Contains(logged, m[5]) {
				t.Fatalf("the password of %s is in the log", m[4])
			}
		}
	}
	if got := strings.Join(seen, " "); got != "citizen/simplified citizen/standard citizen/confirmed operator/- admin/- auditor/-" {
		t.Fatalf("demo users: %s\n%s", got, out)
	}
	env := map[string]string{"SEP_DATA_DIR": dir}
	if code, list, _ := sep(t, env, "admin", "list-users", "-role", "citizen"); code != 0 || !regexp.MustCompile(`citizen\s+active\s+confirmed`).MatchString(list) {
		t.Fatalf("list-users: %s", list)
	}

	out, _ = serveOutput(t, dir, regexp.MustCompile(`^Demo users exist`))
	if strings.Contains(out, "PASSWORD") {
		t.Fatalf("the second start shows users again:\n%s", out)
	}
}

// syncBuilder is a strings.Builder safe to write and read from two goroutines.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
