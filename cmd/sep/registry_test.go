package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/registry/passlist"
)

// passportFile writes a list of n passports of series 4510 and a junk row, and returns its path.
func passportFile(t *testing.T, n int) string {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("PASSP_SERIES,PASSP_NUMBER\r\n")
	for i := range n {
		fmt.Fprintf(&b, "4510,%06d\r\n", i)
	}
	b.WriteString("45А0,123456\r\n")
	path := filepath.Join(t.TempDir(), "list_of_expired_passports.csv")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRegistryImportInvalidPassports(t *testing.T) {
	for name, url := range map[string]func(testing.TB) string{"sqlite": dbtest.SQLiteURL, "postgres": dbtest.PostgresURL} {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{"SEP_DATABASE_URL": url(t), "SEP_DATA_DIR": t.TempDir()}
			code, out, _ := sep(t, env, "registry", "invalid-passports-status")
			if code != 0 || !strings.Contains(out, "no list of invalid passports has been imported") {
				t.Fatalf("status before import: %d %q", code, out)
			}

			file := passportFile(t, 1500)
			code, out, errOut := sep(t, env, "registry", "import-invalid-passports", file)
			if code != 0 {
				t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
			}
			for _, want := range []string{"imported list version 1 from list_of_expired_passports.csv (CSV",
				"rows read     1,501", "valid         1,500", "junk skipped  1", "entries       1,500", "bytes per entry", "rows/s"} {
				if !strings.Contains(out, want) {
					t.Errorf("summary lacks %q:\n%s", want, out)
				}
			}
			if !strings.Contains(errOut, "storing the list in the database") || strings.Contains(errOut, "\r") {
				t.Errorf("progress on a non-terminal: %q", errOut)
			}

			// A broken file: exit 1, and the list stays.
			bad := filepath.Join(t.TempDir(), "bad.csv")
			os.WriteFile(bad, []byte("<html>Service unavailable</html>\n"), 0o600)
			code, _, errOut = sep(t, env, "registry", "import-invalid-passports", bad)
			if code != exitFailure || !strings.Contains(errOut, "broken file") || !strings.Contains(errOut, "the list was not changed") {
				t.Errorf("broken file: exit %d, %q", code, errOut)
			}
			code, out, _ = sep(t, env, "registry", "invalid-passports-status")
			if code != 0 || !regexp.MustCompile(`version\s+1\n`).MatchString(out) || !regexp.MustCompile(`entries\s+1,500\n`).MatchString(out) ||
				!strings.Contains(out, "list_of_expired_passports.csv") {
				t.Errorf("status after a broken import: %d\n%s", code, out)
			}
		})
	}
}

func TestRegistryImportFromStdinAndBzip2(t *testing.T) {
	env := map[string]string{"SEP_DATABASE_URL": dbtest.SQLiteURL(t), "SEP_DATA_DIR": t.TempDir()}
	data, _ := os.ReadFile(passportFile(t, 300))
	var out, errb bytes.Buffer
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	if code := run([]string{"registry", "import-invalid-passports", "-"}, lookup, bytes.NewReader(data), &out, &errb); code != 0 ||
		!strings.Contains(out.String(), "entries       300") {
		t.Fatalf("from stdin: %d\n%s\n%s", code, out.String(), errb.String())
	}

	bz, err := exec.LookPath("bzip2")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("bzip2 (Debian package bzip2) is required when CI=true")
		}
		t.Skip("NOTICE: bzip2 is not installed (Debian package bzip2): the .bz2 import is not tested")
	}
	file := passportFile(t, 700)
	if err := exec.Command(bz, file).Run(); err != nil {
		t.Fatal(err)
	}
	code, stdout, errOut := sep(t, env, "registry", "import-invalid-passports", file+".bz2")
	if code != 0 || !strings.Contains(stdout, "imported list version 2") || !strings.Contains(stdout, "(bzip2 CSV") ||
		!strings.Contains(stdout, "entries       700") {
		t.Fatalf(".bz2: %d\n%s\n%s", code, stdout, errOut)
	}
	// Cut short, it is refused.
	packed, _ := os.ReadFile(file + ".bz2")
	cut := filepath.Join(t.TempDir(), "cut.csv.bz2")
	os.WriteFile(cut, packed[:len(packed)/2], 0o600)
	if code, _, errOut := sep(t, env, "registry", "import-invalid-passports", cut); code != exitFailure ||
		!strings.Contains(errOut, "the list was not changed") {
		t.Errorf("truncated .bz2: %d %q", code, errOut)
	}
}

func TestRegistryUsage(t *testing.T) {
	env := map[string]string{"SEP_DATA_DIR": t.TempDir()}
	for _, args := range [][]string{{"registry"}, {"registry", "sideways"}, {"registry", "import-invalid-passports"},
		{"registry", "import-invalid-passports", "a", "b"}, {"registry", "import-invalid-passports", "-max-junk", "0", "f"},
		{"registry", "invalid-passports-status", "extra"}} {
		if code, _, _ := sep(t, env, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, errOut := sep(t, env, "registry", "import-invalid-passports", filepath.Join(t.TempDir(), "missing.csv")); code != exitFailure ||
		!strings.Contains(errOut, "missing.csv") {
		t.Errorf("a missing file: %d %q", code, errOut)
	}
	if code, _, help := sep(t, env, "registry", "--help"); code != 0 || !strings.Contains(help, "import-invalid-passports") {
		t.Errorf("help: %d %q", code, help)
	}
}

func TestProgressBarRedrawsOnATerminalOnly(t *testing.T) {
	var term bytes.Buffer
	b := &progressBar{w: &term, size: 1000, terminal: true, start: time.Now().Add(-time.Second)}
	b.update(passlist.Progress{Phase: passlist.PhaseRead, Bytes: 250, Rows: 2_000_000})
	b.update(passlist.Progress{Phase: passlist.PhaseBuild, Rows: 8_000_000})
	b.done()
	out := term.String()
	for _, want := range []string{"\r\033[K", "250 B / 1000 B [#####...............]  25%", "ETA ", "2,000,000 rows",
		"read 8,000,000 rows"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal progress lacks %q: %q", want, out)
		}
	}
	if strings.Contains(out, "\n") || !strings.HasSuffix(out, "\r\033[K") {
		t.Errorf("terminal progress must redraw one line and clear it at the end: %q", out)
	}

	var log bytes.Buffer
	b = &progressBar{w: &log, size: 1000, every: time.Hour, start: time.Now()}
	for i := range 5 {
		b.update(passlist.Progress{Phase: passlist.PhaseRead, Bytes: int64(100 * i), Rows: int64(1000 * i)})
	}
	b.done()
	if lines := strings.Count(log.String(), "\n"); lines != 1 || strings.Contains(log.String(), "\r") {
		t.Errorf("non-terminal progress: %d lines in %q; want one line per interval, no carriage returns", lines, log.String())
	}
}

// A file cut in the middle of a line and a list of fewer than half the current entries are
// refused with a message that says why and what to do; -allow-shrink lets the small one in.
func TestRegistryImportRefusesCutAndShrunkLists(t *testing.T) {
	env := map[string]string{"SEP_DATABASE_URL": dbtest.SQLiteURL(t), "SEP_DATA_DIR": t.TempDir()}
	full := passportFile(t, 1000)
	if code, out, errOut := sep(t, env, "registry", "import-invalid-passports", full); code != 0 {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	entries := func() string {
		t.Helper()
		_, out, _ := sep(t, env, "registry", "invalid-passports-status")
		return regexp.MustCompile(`entries\s+(\S+)\n`).FindStringSubmatch(out + "entries ?\n")[1]
	}

	data, _ := os.ReadFile(full)
	half := len(data) / 2
	for half-bytes.LastIndexByte(data[:half], '\n')-1 != 7 { // inside a row: "4510,00"
		half++
	}
	cut := filepath.Join(t.TempDir(), "cut.csv")
	os.WriteFile(cut, data[:half], 0o600)
	code, _, errOut := sep(t, env, "registry", "import-invalid-passports", cut)
	if want := fmt.Sprintf("looks cut off at byte %d", half); code != exitFailure || !strings.Contains(errOut, want) ||
		!strings.Contains(errOut, "the list was not changed") || entries() != "1,000" {
		t.Errorf("a file cut in a row: exit %d, %q, then %s entries; want exit 1 saying %q", code, errOut, entries(), want)
	}

	one := passportFile(t, 1)
	code, _, errOut = sep(t, env, "registry", "import-invalid-passports", one)
	if code != exitFailure || !strings.Contains(errOut, "the new list has 1 entries, the current one 1,000") ||
		!strings.Contains(errOut, "pass -allow-shrink if that is intended") || entries() != "1,000" {
		t.Errorf("a list of 1 for one of 1,000: exit %d, %q, then %s entries", code, errOut, entries())
	}
	if code, out, errOut := sep(t, env, "registry", "import-invalid-passports", "-allow-shrink", one); code != 0 ||
		!strings.Contains(out, "entries       1\n") || entries() != "1" {
		t.Errorf("-allow-shrink: exit %d\n%s\n%s", code, out, errOut)
	}
}
