package services

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// Whatever a service file holds, loading it returns a catalogue or errors, never panics, and
// every error names the file.
func FuzzLoad(f *testing.F) {
	for _, dir := range []string{"defs", "testdata/broken"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for _, file := range files {
			if filepath.Base(file) == CatalogueFile {
				continue
			}
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src := Source{Name: "fuzz", FS: fstest.MapFS{"e-passport.yaml": {Data: data}}}
		c, err := Load(Builtin(), src)
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "fuzz/e-passport.yaml: ") {
					t.Fatalf("an error that names no file: %q", line)
				}
			}
			return
		}
		if _, ok := c.Service("e-passport"); !ok {
			t.Fatal("loaded without the service")
		}
	})
}

// A stem is never longer than its word, and a Cyrillic word's stem begins it.
func FuzzStem(f *testing.F) {
	for _, w := range []string{"паспорта", "электронного", "Ёлками", "регистрации", "passports", "", "я", "ьъ", "аааа"} {
		f.Add(w)
	}
	f.Fuzz(func(t *testing.T, w string) {
		s := Stem(w)
		lw := strings.ReplaceAll(strings.ToLower(w), "ё", "е")
		if cyrillic([]rune(lw)) && !strings.HasPrefix(lw, s) {
			t.Fatalf("Stem(%q) = %q, not a beginning of %q", w, s, lw)
		}
		_ = queryStems(w)
	})
}
