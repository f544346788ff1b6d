package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/db/dbtest"
)

// sep runs the command in-process with the given environment.
func sep(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	code = run(args, lookup, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpListsEverySetting(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"migrate", "-h"}} {
		code, _, help := sep(t, nil, args...)
		if code != 0 {
			t.Errorf("%v: exit %d", args, code)
		}
		for _, want := range []string{"SEP_MODE", "SEP_DATA_DIR", "SEP_HTTP_ADDR", "SEP_DATABASE_URL", "SEP_DATABASE_URL_FILE",
			"SEP_LOG_LEVEL", "SEP_PUBLIC_URL", "SEP_SHUTDOWN_TIMEOUT", "default 127.0.0.1:8080", "default ./var"} {
			if !strings.Contains(help, want) {
				t.Errorf("%v: help lacks %s", args, want)
			}
		}
	}
	if code, _, _ := sep(t, nil); code != exitUsage {
		t.Errorf("no command: exit %d, want 2", code)
	}
	if code, _, msg := sep(t, nil, "frobnicate"); code != exitUsage || !strings.Contains(msg, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %q", code, msg)
	}
}

func TestBadSettingsStopStartupNamingTheSetting(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, []byte("x"), 0o600)
	cases := []struct {
		env     map[string]string
		args    []string
		setting string
	}{
		{map[string]string{"SEP_LOG_LEVEL": "verbose"}, nil, "SEP_LOG_LEVEL"},
		{map[string]string{"SEP_DATABASE_URL": "mysql://db/sep"}, nil, "SEP_DATABASE_URL"},
		{map[string]string{"SEP_DATABASE_URL": "postgres://%zz"}, nil, "SEP_DATABASE_URL"},
		{map[string]string{"SEP_HTTP_ADDR": "localhost"}, nil, "SEP_HTTP_ADDR"},
		{map[string]string{"SEP_PUBLIC_URL": "sep.example.ru"}, nil, "SEP_PUBLIC_URL"},
		{map[string]string{"SEP_SHUTDOWN_TIMEOUT": "soon"}, nil, "SEP_SHUTDOWN_TIMEOUT"},
		{map[string]string{"SEP_MODE": "staging"}, nil, "SEP_MODE"},
		{map[string]string{"SEP_TLS_MIN_VERSION": "1.1"}, nil, "SEP_TLS_MIN_VERSION"},
		{map[string]string{"SEP_DATA_DIR": file}, nil, "SEP_DATA_DIR"},
		{map[string]string{"SEP_DATABASE_URL_FILE": filepath.Join(t.TempDir(), "missing")}, nil, "SEP_DATABASE_URL_FILE"},
		{nil, []string{"-log-level", "loud"}, "SEP_LOG_LEVEL"},
	}
	for _, c := range cases {
		args := append([]string{"serve"}, c.args...)
		code, _, stderr := sep(t, c.env, args...)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code != exitUsage || len(lines) != 1 || !strings.Contains(lines[0], c.setting) {
			t.Errorf("%v %v: exit %d, stderr %q; want exit 2 and one line naming %s", c.env, c.args, code, stderr, c.setting)
		}
	}
}

func TestProductionNamesWhatIsMissing(t *testing.T) {
	code, _, stderr := sep(t, map[string]string{"SEP_MODE": "production", "SEP_DATA_DIR": t.TempDir()}, "serve")
	if code != exitUsage {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"SEP_PUBLIC_URL", "SEP_SMTP_URL or SEP_SMS_GATEWAY_URL", "SEP_SIGNING_KEY_FILE", "SEP_DATA_KEY_FILE"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("production refusal %q does not name %s", stderr, want)
		}
	}
	// With only the URL given, the rest is still named, and the URL no longer is.
	_, _, stderr = sep(t, map[string]string{"SEP_MODE": "production", "SEP_PUBLIC_URL": "https://sep.example.ru"}, "serve")
	if strings.Contains(stderr, "SEP_PUBLIC_URL") || !strings.Contains(stderr, "SEP_SIGNING_KEY_FILE") {
		t.Errorf("partial production settings: %q", stderr)
	}
}

// Production refuses plain HTTP where it would leak: the public address and the SMS gateway.
func TestProductionRefusesPlainHTTP(t *testing.T) {
	key := filepath.Join(t.TempDir(), "key")
	os.WriteFile(key, []byte("not read before the check"), 0o600)
	for setting, value := range map[string]string{"SEP_PUBLIC_URL": "http://sep.example.ru",
		"SEP_SMS_GATEWAY_URL": "http://user:s3cr3t@sms.example.ru/send"} {
		env := map[string]string{"SEP_MODE": "production", "SEP_DATA_DIR": t.TempDir(), "SEP_PUBLIC_URL": "https://sep.example.ru",
			"SEP_SMTP_URL": "smtps://mail.example.ru", "SEP_SIGNING_KEY_FILE": key, "SEP_DATA_KEY_FILE": key, setting: value}
		code, _, stderr := sep(t, env, "serve")
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code != exitUsage || len(lines) != 1 || !strings.HasPrefix(lines[0], "sep: "+setting) ||
			!strings.Contains(stderr, "https://") || strings.Contains(stderr, "s3cr3t") {
			t.Errorf("%s=%s in production: exit %d, stderr %q; want 2 and one line naming it", setting, value, code, stderr)
		}
	}
}

func TestSecretsFromFilesAreNeverPrinted(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "db-url")
	dbURL := "sqlite:" + filepath.Join(dir, "secret.db")
	os.WriteFile(secret, []byte(dbURL+"\n"), 0o600)
	env := map[string]string{"SEP_DATABASE_URL_FILE": secret, "SEP_METRICS_TOKEN": "s3cr3t-token", "SEP_DATA_DIR": dir}
	code, out, _ := sep(t, env, "config")
	if code != 0 || !strings.Contains(out, "SEP_DATABASE_URL=(set)") || strings.Contains(out, "secret.db") || strings.Contains(out, "s3cr3t") {
		t.Fatalf("config dump: %d\n%s", code, out)
	}
	// The file's value is really used.
	if code, out, errOut := sep(t, env, "migrate", "up"); code != 0 || !strings.Contains(out, "applied 0001_jobs") {
		t.Fatalf("migrate up with the URL from a file: %d %s %s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "secret.db")); err != nil {
		t.Fatal("the database named in the _FILE secret was not used")
	}
	env["SEP_DATABASE_URL"] = dbURL
	if code, _, stderr := sep(t, env, "config"); code != exitUsage || !strings.Contains(stderr, "not both") {
		t.Fatalf("both a value and a _FILE: %d %q", code, stderr)
	}
}

func TestMigrateStatusAndUp(t *testing.T) {
	for name, url := range map[string]func(testing.TB) string{"sqlite": dbtest.SQLiteURL, "postgres": dbtest.PostgresURL} {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{"SEP_DATABASE_URL": url(t), "SEP_DATA_DIR": t.TempDir()}
			code, out, _ := sep(t, env, "migrate", "status")
			if code != exitFailure || !regexp.MustCompile(`0001\s+jobs\s+pending`).MatchString(out) {
				t.Fatalf("status on a new database: exit %d\n%s", code, out)
			}
			if code, out, _ = sep(t, env, "migrate", "up"); code != 0 || !strings.Contains(out, "applied 0001_jobs") {
				t.Fatalf("up: %d %s", code, out)
			}
			if code, out, _ = sep(t, env, "migrate", "up"); code != 0 || !strings.Contains(out, "up to date") {
				t.Fatalf("second up: %d %s", code, out)
			}
			code, out, _ = sep(t, env, "migrate", "status")
			if code != 0 || !strings.Contains(out, "applied") || !strings.Contains(out, "0 pending") {
				t.Fatalf("status after up: %d\n%s", code, out)
			}
			if code, _, _ = sep(t, env, "migrate", "sideways"); code != exitUsage {
				t.Fatalf("unknown migrate action: exit %d", code)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := sep(t, nil, "version")
	if code != 0 || strings.TrimSpace(out) == "" {
		t.Fatalf("version: %d %q", code, out)
	}
}

// sep crypto is wired to the GOST tools (they are tested in internal/cryptocmd).
func TestCryptoCommand(t *testing.T) {
	file := filepath.Join(t.TempDir(), "m1")
	os.WriteFile(file, []byte("012345678901234567890123456789012345678901234567890123456789012"), 0o600)
	code, out, _ := sep(t, nil, "crypto", "hash", file)
	// RFC 6986 M1, Streebog-256 in the byte order openssl dgst prints.
	if code != 0 || strings.TrimSpace(out) != "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500" {
		t.Fatalf("sep crypto hash: %d %q", code, out)
	}
	if code, _, _ := sep(t, nil, "crypto", "hash", filepath.Join(t.TempDir(), "missing")); code != exitUsage {
		t.Fatalf("unreadable file: exit %d, want 2", code)
	}
}
