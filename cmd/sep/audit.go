package main

import (
	"context"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/keys"
)

const auditUsage = `Usage: sep audit verify [-trust FILE]… [-anchors FILE]…
       sep audit export -format csv|json [-from DATE] [-to DATE] [-actor ID] [-org ID] [-out FILE]
       sep audit checkpoint
       sep audit checkpoints [-format json|csv]

The tamper-evident audit journal. Settings (database, data directory, keys) come from the
environment or from flags before the subcommand: sep audit -data-dir DIR verify.

  verify       walk the hash chain and the signed checkpoints; report the first broken link.
               Exit 0: intact; 1: broken (or the check could not finish); 2: bad usage.
               Checkpoint signatures are checked against the instance key
               (SEP_SIGNING_KEY_FILE, or the one generated in the data directory) and
               every -trust FILE (a public key PEM, e.g. from sep crypto pubkey).
               -anchors FILE: checkpoints kept outside the database (the SEP_AUDIT_ANCHORS
               file, lines collected from syslog, a witness's JSON, or saved output of
               sep audit checkpoints); a journal that ends before an anchor, disagrees
               with one, or lost a checkpoint one records, is broken.
  export       write the entries (oldest first) as CSV with a header, or a JSON array, to
               stdout or -out FILE (mode 0600). DATE is YYYY-MM-DD in UTC; -to is inclusive.
               With more than 10000 entries, progress goes to stderr. The export is journaled.
  checkpoint   sign the journal's head now with the instance key.
  checkpoints  print every checkpoint, to publish or hand to a third party.`

// progressThreshold is the smallest total for which export and verify show progress.
var progressThreshold int64 = 10000

func cmdAudit(env *environment, args []string) int {
	help := func(w io.Writer) { fmt.Fprintln(w, auditUsage) }
	cfg, rest, code, ok := loadConfig(env, args, help)
	if !ok {
		return code
	}
	if len(rest) == 0 {
		help(env.stderr)
		return exitUsage
	}
	sub := map[string]func(*environment, *config.Config, []string) int{
		"verify": auditVerify, "export": auditExport, "checkpoint": auditCheckpoint, "checkpoints": auditCheckpoints,
	}[rest[0]]
	if sub == nil {
		fmt.Fprintf(env.stderr, "sep audit: unknown subcommand %q\n\n", rest[0])
		help(env.stderr)
		return exitUsage
	}
	return sub(env, cfg, rest[1:])
}

// openJournal opens the database and the journal; key is the signing key, or nil. On failure
// it prints one line and returns the exit status (not exitOK).
func openJournal(ctx context.Context, env *environment, cfg *config.Config, key *gost3410.PrivateKey) (*audit.Journal, func(), int) {
	d, code := openDatabase(ctx, env, cfg)
	if d == nil {
		return nil, nil, code
	}
	j, err := audit.New(d, audit.Options{SigningKey: key})
	if err != nil {
		d.Close()
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return nil, nil, exitFailure
	}
	return j, func() { d.Close() }, exitOK
}

func subFlags(env *environment, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("sep audit "+name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() { fmt.Fprintln(env.stderr, auditUsage) }
	return fs
}

// parseFlags parses a subcommand's flags; ok false means exit with code.
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "sep: unexpected argument %q\n", fs.Arg(0))
		return exitUsage, false
	}
	return 0, true
}

// signingKey loads the instance key without ever generating one.
func signingKey(cfg *config.Config) (*gost3410.PrivateKey, error) {
	k, _, err := keys.LoadSigning(keys.Options{SigningKeyFile: cfg.SigningKeyFile, DataDir: cfg.DataDir})
	return k, err
}

type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(v string) error { *f = append(*f, v); return nil }

func auditVerify(env *environment, cfg *config.Config, args []string) int {
	fs := subFlags(env, "verify")
	var trust, anchorFiles fileList
	fs.Var(&trust, "trust", "a public key (PEM) whose checkpoint signatures to believe; repeatable")
	fs.Var(&anchorFiles, "anchors", "checkpoints kept outside the database to check the journal against; repeatable")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	var anchors []audit.Checkpoint
	for _, f := range anchorFiles {
		file, err := os.Open(f)
		if err != nil {
			fmt.Fprintf(env.stderr, "sep: -anchors %s: cannot read the file\n", f)
			return exitUsage
		}
		a, err := audit.ReadAnchors(file)
		file.Close()
		if err != nil {
			fmt.Fprintf(env.stderr, "sep: -anchors %s: %v\n", f, err)
			return exitUsage
		}
		anchors = append(anchors, a...)
	}
	var trusted []*gost3410.PublicKey
	switch k, err := signingKey(cfg); {
	case err == nil:
		trusted = append(trusted, k.PublicKey())
	case errors.Is(err, keys.ErrNoKey) && cfg.SigningKeyFile == "":
		// No instance key here (verifying a copy, say): only the -trust keys count.
	default:
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return exitUsage
	}
	for _, f := range trust {
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(env.stderr, "sep: -trust %s: cannot read the file\n", f)
			return exitUsage
		}
		pub, err := gostpkix.ParsePublicKeyPEM(b)
		if err != nil {
			fmt.Fprintf(env.stderr, "sep: -trust %s: not a GOST R 34.10-2012 public key PEM: %v\n", f, err)
			return exitUsage
		}
		trusted = append(trusted, pub)
	}
	ctx, stop := signalContext()
	defer stop()
	j, closeDB, code := openJournal(ctx, env, cfg, nil)
	if code != exitOK {
		return code
	}
	defer closeDB()
	p := newProgress(env.stderr, "checked")
	rep, err := j.Verify(ctx, audit.VerifyOptions{Trusted: trusted, Anchors: anchors, Progress: func(done, total int64) {
		p.total = total
		p.update(done)
	}})
	p.finish()
	if err != nil {
		fmt.Fprintf(env.stderr, "sep: verification could not finish: %v\n", err)
		return exitFailure
	}
	if !rep.Intact() {
		fmt.Fprintf(env.stdout, "BROKEN at entry %d: %s\n", rep.Problem.Seq, rep.Problem.Detail)
		if k := rep.Problem.Kind; k == audit.CheckpointUntrusted || k == audit.AnchorUntrusted {
			fmt.Fprintln(env.stdout, "(if that key is yours, pass its public key with -trust FILE)")
		}
		return exitFailure
	}
	fmt.Fprintf(env.stdout, "intact: %d entries (head %d, hash %s), %d signed checkpoints\n",
		rep.Entries, rep.Head, rep.HeadHash, rep.Checkpoints)
	if len(anchorFiles) > 0 {
		fmt.Fprintf(env.stdout, "%d anchors agree (the last covers entry %d)\n", rep.Anchors, rep.LastAnchor)
		if rep.LastAnchor < rep.Head {
			fmt.Fprintf(env.stdout, "entries %d–%d are not yet covered by an anchor (if they are older than a checkpoint interval, anchoring has stopped: see sep jobs list -state dead)\n",
				rep.LastAnchor+1, rep.Head)
		}
	} else if rep.Head > 0 {
		fmt.Fprintln(env.stdout, "not checked against anchors: entries cut from the end with the newest checkpoints would not show (pass -anchors FILE)")
	}
	switch {
	case rep.Checkpoints == 0 && rep.Head > 0:
		fmt.Fprintln(env.stdout, "warning: no checkpoint yet, so a rewrite of the whole journal would not show (run sep audit checkpoint)")
	case rep.LastCheckpoint < rep.Head:
		fmt.Fprintf(env.stdout, "entries %d–%d are not yet covered by a checkpoint\n", rep.LastCheckpoint+1, rep.Head)
	}
	return exitOK
}

func auditCheckpoint(env *environment, cfg *config.Config, args []string) int {
	fs := subFlags(env, "checkpoint")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	key, err := signingKey(cfg)
	if err != nil {
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return exitUsage
	}
	ctx, stop := signalContext()
	defer stop()
	j, closeDB, code := openJournal(ctx, env, cfg, key)
	if code != exitOK {
		return code
	}
	defer closeDB()
	c, made, err := j.MakeCheckpoint(ctx)
	switch {
	case err != nil:
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return exitFailure
	case c == nil:
		fmt.Fprintln(env.stdout, "the journal is empty: nothing to sign")
	case !made:
		fmt.Fprintf(env.stdout, "no new entries: checkpoint %d already covers entry %d\n", c.N, c.Seq)
	default:
		fmt.Fprintf(env.stdout, "checkpoint %d covers entry %d (hash %s), signed by key %s\n", c.N, c.Seq, c.Hash, c.KeyID)
	}
	return exitOK
}

func auditCheckpoints(env *environment, cfg *config.Config, args []string) int {
	fs := subFlags(env, "checkpoints")
	format := fs.String("format", "json", "json or csv")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	f, err := audit.ParseFormat(*format)
	if err != nil {
		fmt.Fprintf(env.stderr, "sep: -format: %v\n", err)
		return exitUsage
	}
	ctx, stop := signalContext()
	defer stop()
	j, closeDB, code := openJournal(ctx, env, cfg, nil)
	if code != exitOK {
		return code
	}
	defer closeDB()
	cps, err := j.Checkpoints(ctx)
	if err != nil {
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return exitFailure
	}
	if f == audit.JSON {
		// The JSON of audit.Checkpoint, which -anchors reads back.
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(cps); err != nil {
			return exitFailure
		}
		return exitOK
	}
	cw := csv.NewWriter(env.stdout)
	cw.Write([]string{"n", "seq", "hash", "time", "key_id", "prev_digest", "signature"})
	for _, c := range cps {
		cw.Write([]string{strconv.FormatInt(c.N, 10), strconv.FormatInt(c.Seq, 10), c.Hash.String(),
			c.At.UTC().Format(audit.TimeLayout), c.KeyID, c.PrevDigest.String(), hex.EncodeToString(c.Signature)})
	}
	cw.Flush()
	if cw.Error() != nil {
		return exitFailure
	}
	return exitOK
}
