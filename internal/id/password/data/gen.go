//go:build ignore

// Command gen rebuilds common.txt.gz from the list of the npm package @zxcvbn-ts/language-common
// (MIT; see README.md):
//
//	npm pack @zxcvbn-ts/language-common@4.1.3 && tar xzf zxcvbn-ts-language-common-4.1.3.tgz
//	go run gen.go package/src/passwords.json
//
// It writes the entries lower-cased, without duplicates, sorted, one a line, compressed with
// gzip at the best ratio (gzip's header carries no time or name, so the file is reproducible).
package main

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run gen.go passwords.json")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	for i, w := range list {
		list[i] = strings.ToLower(strings.TrimSpace(w))
	}
	slices.Sort(list)
	list = slices.Compact(list)
	if len(list) > 0 && list[0] == "" {
		list = list[1:]
	}
	f, err := os.Create("common.txt.gz")
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(f, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write([]byte(strings.Join(list, "\n") + "\n")); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	fmt.Printf("%d entries\n", len(list))
	return f.Close()
}
