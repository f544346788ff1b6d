package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestNotifyCommand(t *testing.T) {
	env := map[string]string{"SEP_DATA_DIR": t.TempDir()}
	if code, _, errOut := sep(t, env, "migrate", "up"); code != exitOK {
		t.Fatalf("migrate up: %d %s", code, errOut)
	}
	code, out, errOut := sep(t, env, "notify", "test", "-phone", "+7 900 000-00-07", "-lang", "en")
	if code != exitOK || !regexp.MustCompile(`(?m)^\S+\s+sms\s+sent\s+1\s`).MatchString(out) {
		t.Fatalf("notify test: exit %d\n%s\n%s", code, out, errOut)
	}
	id := regexp.MustCompile(`message (\S+) queued`).FindStringSubmatch(out)
	if id == nil {
		t.Fatalf("no message id in %q", out)
	}
	code, out, _ = sep(t, env, "notify", "status", id[1])
	if code != exitOK || !strings.Contains(out, "sent") {
		t.Fatalf("notify status: %d %s", code, out)
	}
	code, out, _ = sep(t, env, "notify", "outbox", "-to", "89000000007")
	if code != exitOK || !strings.Contains(out, "+79000000007") || !strings.Contains(out, "SEP: test message. This channel works.") {
		t.Fatalf("notify outbox: %d %s", code, out)
	}
	if code, _, _ := sep(t, env, "notify", "status", "no-such-message"); code != exitFailure {
		t.Fatalf("status of an unknown message: exit %d", code)
	}
	if code, _, msg := sep(t, env, "notify", "test", "-phone", "12"); code != exitFailure || !strings.Contains(msg, "phone number is not written correctly") {
		t.Fatalf("a bad phone: exit %d %q", code, msg)
	}
	for _, args := range [][]string{{"notify"}, {"notify", "test"}, {"notify", "frob"}, {"notify", "status"}} {
		if code, _, _ := sep(t, env, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// In production, mail goes out only with a sender address: there is no default to fall back on.
func TestNotifyProductionNeedsASender(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "key")
	if err := os.WriteFile(key, []byte("the signing key is not read by these commands"), 0o600); err != nil {
		t.Fatal(err)
	}
	dataKey := filepath.Join(dir, "data.key")
	if err := os.WriteFile(dataKey, []byte(strings.Repeat("5a", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SEP_DATA_DIR": dir, "SEP_MODE": "production", "SEP_PUBLIC_URL": "https://sep.example.ru",
		"SEP_SMTP_URL": "smtp://127.0.0.1:9?tls=none", "SEP_SIGNING_KEY_FILE": key, "SEP_DATA_KEY_FILE": dataKey}
	if code, _, errOut := sep(t, env, "migrate", "up"); code != exitOK {
		t.Fatalf("migrate up: %d %s", code, errOut)
	}
	code, _, errOut := sep(t, env, "notify", "test", "-email", "anna@example.ru")
	if code != exitUsage || !strings.Contains(errOut, "SEP_SMTP_FROM") {
		t.Fatalf("production without SEP_SMTP_FROM: exit %d %q, want 2 naming SEP_SMTP_FROM", code, errOut)
	}
}

// status and outbox only read the database. Wrong gateway settings — often the reason an
// operator looks at a message — must not stop them; only test, which sends, needs the gateways.
func TestNotifyReadCommandsIgnoreBrokenGateways(t *testing.T) {
	dir := t.TempDir()
	demo := map[string]string{"SEP_DATA_DIR": dir}
	if code, _, errOut := sep(t, demo, "migrate", "up"); code != exitOK {
		t.Fatalf("migrate up: %d %s", code, errOut)
	}
	code, out, errOut := sep(t, demo, "notify", "test", "-phone", "+7 900 000-00-08")
	id := regexp.MustCompile(`message (\S+) queued`).FindStringSubmatch(out)
	if code != exitOK || id == nil {
		t.Fatalf("notify test: exit %d\n%s\n%s", code, out, errOut)
	}

	key := filepath.Join(dir, "key")
	if err := os.WriteFile(key, []byte("not read by this command"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The outbox is sealed with the data key the demo start generated.
	broken := map[string]string{"SEP_DATA_DIR": dir, "SEP_MODE": "production", "SEP_PUBLIC_URL": "https://sep.example.ru",
		"SEP_SIGNING_KEY_FILE": key, "SEP_DATA_KEY_FILE": filepath.Join(dir, "keys", "data.key"),
		"SEP_SMS_GATEWAY_URL": "https://127.0.0.1:9/send", "SEP_SMS_BODY": "{{.Phone"}
	code, out, errOut = sep(t, broken, "notify", "status", id[1])
	if code != exitOK || !regexp.MustCompile(`(?m)^\S+\s+sms\s+sent\s+1\s`).MatchString(out) {
		t.Fatalf("notify status with a broken SEP_SMS_BODY: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = sep(t, broken, "notify", "outbox", "-to", "89000000008")
	if code != exitOK || !strings.Contains(out, "+79000000008") {
		t.Fatalf("notify outbox with a broken SEP_SMS_BODY: exit %d\n%s\n%s", code, out, errOut)
	}
	// Sending still refuses the broken template, naming the setting.
	if code, _, errOut := sep(t, broken, "notify", "test", "-phone", "+7 900 000-00-08"); code != exitUsage || !strings.Contains(errOut, "SEP_SMS_BODY") {
		t.Fatalf("notify test with a broken SEP_SMS_BODY: exit %d %q, want 2 naming SEP_SMS_BODY", code, errOut)
	}
}
