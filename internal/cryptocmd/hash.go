package cryptocmd

import (
	"encoding/hex"
	"fmt"
	"hash"
	"io"

	"github.com/sep-platform/sep/gost/streebog"
)

// runHash prints the Streebog digest of a file as lowercase hex, the same
// string `openssl dgst -engine gost -md_gost12_256 FILE` prints after "= ".
func runHash(e *env, args []string) error {
	fs := newFlags("hash")
	alg := fs.String("alg", "streebog256", "digest: streebog256 or streebog512")
	pos, err := parse(e, fs, "hash", args, 1, 1)
	if err != nil {
		return err
	}
	var h hash.Hash
	switch *alg {
	case "streebog256":
		h = streebog.New256()
	case "streebog512":
		h = streebog.New512()
	default:
		return usageErr("unknown -alg %q; use streebog256 or streebog512", *alg)
	}
	if err := e.digestFile(h, pos[0]); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, hex.EncodeToString(h.Sum(nil)))
	return nil
}

// digestFile streams path ("-" is standard input) through h.
func (e *env) digestFile(h hash.Hash, path string) error {
	r, err := e.open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	if _, err := io.Copy(h, r); err != nil {
		return usageErr("cannot read %s: %v", label(path), describe(err))
	}
	return nil
}
