package main

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as sep: with SEP_TEST_AS_SEP=1 it runs main instead of the tests,
// so serve can be started as a real process and sent real signals.
func TestMain(m *testing.M) {
	if os.Getenv("SEP_TEST_AS_SEP") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// startSep starts `sep serve` as a process and returns it with its URL.
func startSep(t *testing.T, env ...string) (*exec.Cmd, string, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = append(os.Environ(), "SEP_TEST_AS_SEP=1", "SEP_HTTP_ADDR=127.0.0.1:0", "SEP_DATA_DIR="+t.TempDir())
	cmd.Env = append(cmd.Env, env...)
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	urlRE := regexp.MustCompile(`running at (http://127\.0\.0\.1:\d+)`)
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	select {
	case line, ok := <-lines:
		m := urlRE.FindStringSubmatch(line)
		if !ok || m == nil {
			t.Fatalf("sep serve printed %q; stderr:\n%s", line, stderr.String())
		}
		go func() {
			for range lines {
			}
		}()
		return cmd, m[1], &stderr
	case <-time.After(30 * time.Second):
		t.Fatalf("sep serve did not print its URL; stderr:\n%s", stderr.String())
	}
	return nil, "", nil
}

func TestServeFinishesInFlightRequestOnSIGTERM(t *testing.T) {
	cmd, base, stderr := startSep(t, "SEP_SHUTDOWN_TIMEOUT=20s")
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("home page: %d", res.StatusCode)
	}
	u, _ := url.Parse(base)
	var token string
	for _, c := range jar.Cookies(u) {
		if c.Name == "sep_csrf" {
			token = c.Value
		}
	}

	// A slow request: the form body trickles in over two seconds.
	body, w := io.Pipe()
	req, _ := http.NewRequest("POST", base+"/language", body)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	type result struct {
		res *http.Response
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := client.Do(req)
		done <- result{res, err}
	}()
	form := "csrf_token=" + token + "&lang=en&return=%2F"
	io.WriteString(w, form[:10])
	time.Sleep(300 * time.Millisecond) // the request is in flight now
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	io.WriteString(w, form[10:])
	w.Close()

	r := <-done
	if r.err != nil {
		t.Fatalf("the in-flight request failed during shutdown: %v\nstderr:\n%s", r.err, stderr)
	}
	r.res.Body.Close()
	if r.res.StatusCode != http.StatusSeeOther || !strings.Contains(r.res.Header.Get("Set-Cookie"), "sep_lang=en") {
		t.Fatalf("in-flight request: %d %v", r.res.StatusCode, r.res.Header)
	}

	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		var exit *exec.ExitError
		if errors.As(err, &exit) || err != nil {
			t.Fatalf("sep exited with %v after SIGTERM; stderr:\n%s", err, stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("sep did not exit after SIGTERM")
	}
	if !strings.Contains(stderr.String(), "shutting down") || !strings.Contains(stderr.String(), "sep stopped") {
		t.Errorf("shutdown not logged:\n%s", stderr)
	}
	// Nothing listens any more.
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("sep still answers after it exited")
	}
}
