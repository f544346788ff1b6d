package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/passport"
	"github.com/sep-platform/sep/internal/passport/qr"
	"github.com/sep-platform/sep/internal/passport/vds"
)

func cmdPassport(env *environment, args []string) int {
	help := func(w io.Writer) {
		fmt.Fprint(w, `Usage: sep passport verify FILE.png|FILE.txt|PAYLOAD -trust ROOT.pem [-certs CERTS.pem]
                           [-status-list FILE] [-max-age 24h] [-lang ru|en] [-json]

  verify   check an electronic passport offline, with no instance: the QR code read from an
           image (PNG, JPEG, GIF), or its text from a file or the argument. The seal's signer
           must be among -certs (the instance's /.well-known/sep/passport-certs) and chain to a
           root in -trust (obtained by your own means, e.g. /.well-known/sep/passport-root
           compared with what the issuer publishes). With -status-list (the instance's
           /.well-known/sep/passport-status) annulled and suspended passports are caught; the
           answer says how old the list is, and is never «Действителен» with a list older than
           -max-age or without one. Exit status 0 when valid, 1 otherwise, 2 on bad usage.
`)
	}
	if len(args) == 0 || args[0] != "verify" {
		help(env.stderr)
		return exitUsage
	}
	fs := flag.NewFlagSet("passport verify", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() { help(env.stderr) }
	trustFile := fs.String("trust", "", "PEM file of the trusted root certificates")
	certsFile := fs.String("certs", "", "PEM file of the issuing certificates (as published)")
	listFile := fs.String("status-list", "", "the status list file (as published)")
	maxAge := fs.Duration("max-age", 24*time.Hour, "the oldest status list that may confirm validity")
	lang := fs.String("lang", "ru", "language of the answer: ru or en")
	asJSON := fs.Bool("json", false, "print the answer as the API's JSON")
	// The input may come before or after the flags.
	var input string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return exitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		if input != "" {
			fmt.Fprintln(env.stderr, "sep passport verify: give one QR code image or payload")
			return exitUsage
		}
		input, rest = fs.Arg(0), fs.Args()[1:]
	}
	if input == "" || *trustFile == "" {
		help(env.stderr)
		return exitUsage
	}
	readCerts := func(path string) ([]*gostx509.Certificate, bool) {
		b, err := os.ReadFile(path)
		if err == nil {
			var cs []*gostx509.Certificate
			if cs, err = gostx509.ParseCertificatesPEM(b); err == nil {
				return cs, true
			}
		}
		fmt.Fprintf(env.stderr, "sep passport verify: %s: %v\n", path, err)
		return nil, false
	}
	roots, ok := readCerts(*trustFile)
	if !ok {
		return exitUsage
	}
	var certs []*gostx509.Certificate
	if *certsFile != "" {
		if certs, ok = readCerts(*certsFile); !ok {
			return exitUsage
		}
	}
	var list *vds.StatusList
	if *listFile != "" {
		b, err := os.ReadFile(*listFile)
		if err == nil {
			list, err = vds.ParseStatusList(b)
		}
		if err != nil {
			fmt.Fprintf(env.stderr, "sep passport verify: %s: %v\n", *listFile, err)
			return exitUsage
		}
	}
	payload, err := readPayload(input)
	if err != nil {
		fmt.Fprintf(env.stderr, "sep passport verify: %s: %v\n", input, err)
		return exitFailure
	}
	now := time.Now()
	res := passport.Offline(payload, vds.NewTrust(roots, certs), list, *maxAge, now)
	p := i18n.Default().Printer(*lang)
	a := passport.Answer(res, p.T, now)
	if *asJSON {
		e := json.NewEncoder(env.stdout)
		e.SetIndent("", "  ")
		e.Encode(a)
	} else {
		printAnswer(env.stdout, p, a)
	}
	if res.Outcome != passport.OutcomeValid {
		return exitFailure
	}
	return exitOK
}

// readPayload takes the QR code's text from an image, a text file, or the argument itself.
func readPayload(input string) (string, error) {
	if strings.HasPrefix(input, vds.Prefix) {
		return input, nil
	}
	f, err := os.Open(input)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 64<<20))
	if err != nil {
		return "", err
	}
	if text := strings.TrimSpace(string(b)); strings.HasPrefix(text, vds.Prefix) {
		return text, nil
	}
	return qr.Read(strings.NewReader(string(b)))
}

func printAnswer(w io.Writer, p *i18n.Printer, a passport.VerifyAnswer) {
	fmt.Fprintf(w, "%s: %s\n", p.T("passport.verify.result"), a.Label)
	if a.Detail != "" {
		fmt.Fprintln(w, a.Detail)
	}
	if ps := a.Passport; ps != nil {
		for _, f := range [][2]string{{"number", ps.Number}, {"surname", ps.Surname}, {"given_names", ps.GivenNames},
			{"birth_date", ps.BirthDate}, {"issued", ps.Issued}, {"expires", ps.Expires}} {
			fmt.Fprintf(w, "  %s: %s\n", p.T("passport.field."+f[0]), f[1])
		}
	}
	if l := a.List; l != nil {
		fmt.Fprintln(w, p.T("passport.cli.list_age", "issued", l.Issued.Local().Format("02.01.2006 15:04"),
			"age", (time.Duration(l.AgeSeconds)*time.Second).String()))
	}
}
