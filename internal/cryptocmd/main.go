// Package cryptocmd implements `sep crypto`: Streebog digests, GOST
// R 34.10-2012 keys, raw signatures, X.509 certificates and CMS signatures
// that interoperate with OpenSSL's gost engine.
//
// cmd/sep calls Main with the arguments after "crypto". Exit status: 0 on
// success, 1 when a verification fails (a forged, damaged or mismatched
// signature), 2 on bad usage or input that cannot be read.
package cryptocmd

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Exit codes of Main.
const (
	ExitOK     = 0
	ExitFailed = 1 // a verification failed
	ExitUsage  = 2 // bad usage or unreadable input
)

// command is one subcommand of `sep crypto`.
type command struct {
	summary string
	usage   string // the line after "Usage: sep crypto "
	run     func(env *env, args []string) error
}

// commands is filled in init: the commands' code looks their usage up here,
// which a plain initializer would make a cycle.
var commands map[string]command

func init() {
	commands = map[string]command{
		"hash": {"print the Streebog digest of a file, as openssl dgst",
			"hash [-alg streebog256|streebog512] FILE", runHash},
		"keygen": {"generate a private key (PKCS#8 PEM, file mode 0600)",
			"keygen -curve NAME -out key.pem", runKeygen},
		"pubkey": {"write the public key of a private key (PEM)",
			"pubkey -in key.pem [-out pub.pem]", runPubkey},
		"cert": {"create a self-signed CA or a CA-signed end-entity certificate",
			`cert -key key.pem -subject "CN=…,O=…" [-days N] -out cert.pem [-ca ca.pem -ca-key ca.key]`, runCert},
		"sign": {"sign a file (raw s||r, as openssl dgst -sign)",
			"sign -key key.pem -in FILE -out sig.bin", runSign},
		"verify": {"verify a raw signature of a file",
			"verify (-cert cert.pem | -pub pub.pem) -in FILE -sig sig.bin", runVerify},
		"cms-sign": {"make a CMS signature (.p7s, DER)",
			"cms-sign -key key.pem -cert cert.pem -in FILE -out sig.p7s [-detached] [-noattr] [-certfile chain.pem]", runCMSSign},
		"cms-verify": {"verify a CMS signature",
			"cms-verify -in sig.p7s [-content FILE] [-ca ca.pem] [-cert signer.pem] [-out FILE]", runCMSVerify},
	}
}

// env is where a command reads and writes.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// exitError carries the exit code for an error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErr is bad usage or unreadable input: exit 2.
func usageErr(format string, args ...any) error {
	return &exitError{ExitUsage, fmt.Errorf(format, args...)}
}

// failed is a verification that did not pass: exit 1.
func failed(format string, args ...any) error {
	return &exitError{ExitFailed, fmt.Errorf(format, args...)}
}

// errHelp reports that help was asked for and printed.
var errHelp = errors.New("help printed")

// Main runs `sep crypto` with args (what follows "crypto" on the command
// line) and returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		printUsage(stderr)
		return ExitUsage
	}
	name := args[0]
	if name == "-h" || name == "-help" || name == "--help" || name == "help" {
		printUsage(stdout)
		return ExitOK
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "sep crypto: unknown command %q; run \"sep crypto -h\" for the list\n", name)
		return ExitUsage
	}
	err := cmd.run(e, args[1:])
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, errHelp):
		return ExitOK
	}
	fmt.Fprintf(stderr, "sep crypto %s: %s\n", name, oneLine(err.Error()))
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return ExitUsage
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func printUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: sep crypto COMMAND [options]

GOST cryptography compatible with OpenSSL's gost engine: Streebog digests,
GOST R 34.10-2012 keys and signatures, X.509 certificates, CMS signatures.

Commands:
`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-11s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, `
Run "sep crypto COMMAND -h" for a command's options. FILE "-" is standard
input (or output). Exit status: 0 success, 1 verification failed, 2 bad
usage or unreadable input.
`)
}

// newFlags returns a silent flag set for command name: parse reports its
// errors and prints the usage for -h.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("sep crypto "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parse parses args, allowing flags after positional arguments, and checks
// the number of positional arguments is within [min, max].
func parse(e *env, fs *flag.FlagSet, name string, args []string, min, max int) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printCommandUsage(e.stdout, fs, name)
				return nil, errHelp
			}
			return nil, usageErr("%v (run \"sep crypto %s -h\")", err, name)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	if len(positional) < min || len(positional) > max {
		return nil, usageErr("usage: sep crypto %s", commands[name].usage)
	}
	return positional, nil
}

func printCommandUsage(w io.Writer, fs *flag.FlagSet, name string) {
	fmt.Fprintf(w, "Usage: sep crypto %s\n\n%s.\n\nOptions:\n", commands[name].usage, upperFirst(commands[name].summary))
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// required checks that the named string flags were given.
func required(name string, flags map[string]string) error {
	var missing []string
	for f, v := range flags {
		if v == "" {
			missing = append(missing, "-"+f)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return usageErr("missing %s; usage: sep crypto %s", strings.Join(missing, ", "), commands[name].usage)
	}
	return nil
}
