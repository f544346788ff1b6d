package esia

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsOnlyStandardAndGOST keeps the package usable by any Go program:
// its non-test files import the standard library and the repository's gost
// packages, nothing else (no internal/..., no third-party modules).
func TestImportsOnlyStandardAndGOST(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			std := !strings.Contains(first, ".")
			gost := strings.HasPrefix(path, "github.com/sep-platform/sep/gost/") && !strings.Contains(path, "/internal/")
			if !std && !gost {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}
