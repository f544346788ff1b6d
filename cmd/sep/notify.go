package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sep-platform/sep/internal/app"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/notify"
)

func cmdNotify(env *environment, args []string) int {
	help := func(w io.Writer) {
		fmt.Fprintln(w, `Usage: sep notify test [-email ADDRESS] [-phone NUMBER] [-lang ru|en] [flags]
       sep notify status MESSAGE-ID [flags]
       sep notify outbox [-to ADDRESS] [-n N] [flags]

  test    send a test message through the configured gateways (or the outbox) and wait
          up to a minute for the outcome of each delivery (exit 1 if any failed)
  status  the deliveries of a message: state, attempts, failure reason
  outbox  the development outbox, newest first (demo mode, or SEP_NOTIFY_OUTBOX=true)`)
	}
	cfg, rest, code, ok := loadConfig(env, args, help)
	if !ok {
		return code
	}
	if len(rest) == 0 {
		help(env.stderr)
		return exitUsage
	}
	fs := flag.NewFlagSet("notify "+rest[0], flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	email := fs.String("email", "", "test: send to this e-mail address")
	phone := fs.String("phone", "", "test: send to this phone number")
	lang := fs.String("lang", "ru", "test: language of the message, ru or en")
	to := fs.String("to", "", "outbox: only messages to this phone or address")
	n := fs.Int("n", 20, "outbox: how many, newest first")
	if err := fs.Parse(rest[1:]); err != nil {
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, code := openDatabase(ctx, env, cfg)
	if d == nil {
		return code
	}
	defer d.Close()
	if pending, err := d.Pending(ctx); err != nil || pending > 0 {
		fmt.Fprintln(env.stderr, "sep: the database is not migrated (run sep migrate up)")
		return exitFailure
	}

	switch {
	case rest[0] == "test" && fs.NArg() == 0 && (*email != "" || *phone != ""):
		return notifyTest(ctx, env, cfg, d, notify.Recipient{Email: *email, Phone: *phone, Lang: *lang})
	case rest[0] == "status" && fs.NArg() == 1:
		// status and outbox only read the database: no notifier, so settings of the gateways
		// (perhaps the very thing being debugged) cannot stop them.
		ds, err := notify.Deliveries(ctx, d, fs.Arg(0))
		if err != nil {
			fmt.Fprintf(env.stderr, "sep: %v\n", err)
			return exitFailure
		}
		printDeliveries(env.stdout, ds)
		return exitOK
	case rest[0] == "outbox" && fs.NArg() == 0:
		box, code := loadBox(env, cfg)
		if box == nil {
			return code
		}
		list, err := notify.Outbox(ctx, d, box, notify.OutboxFilter{To: *to, Limit: *n})
		if err != nil {
			fmt.Fprintf(env.stderr, "sep: %v\n", err)
			return exitFailure
		}
		for _, e := range list {
			fmt.Fprintf(env.stdout, "%s  %s  %s  %s\n  %s\n  %s\n\n", e.CreatedAt.UTC().Format(time.RFC3339), e.Channel, e.Kind,
				e.Recipient, e.Subject, strings.ReplaceAll(e.Body, "\n", "\n  "))
		}
		return exitOK
	}
	help(env.stderr)
	return exitUsage
}

// notifyTest sends a test message and runs its deliveries in this process (an instance of
// sep serve on the same database may take some of them: either is fine).
func notifyTest(ctx context.Context, env *environment, cfg *config.Config, d *db.DB, to notify.Recipient) int {
	box, code := loadBox(env, cfg)
	if box == nil {
		return code
	}
	q := jobs.New(d)
	log := newLogger(cfg, env.stderr)
	nt, err := app.NewNotifier(cfg, d, q, box, log, prometheus.NewRegistry())
	if err != nil {
		fmt.Fprintf(env.stderr, "sep: %v\n", err)
		return exitUsage
	}
	id, err := nt.Send(ctx, nil, notify.Message{Kind: notify.TestMessage, To: to, Channels: []notify.Channel{notify.Email, notify.SMS}})
	if err != nil {
		fmt.Fprintf(env.stderr, "sep: %s\n", i18n.Default().Printer(i18n.EN).T(messageID(err)))
		return exitFailure
	}
	fmt.Fprintf(env.stdout, "message %s queued\n", id)
	wctx, stop := context.WithTimeout(ctx, time.Minute)
	defer stop()
	done := make(chan struct{})
	go func() {
		q.Run(wctx, jobs.RunOptions{Concurrency: 2, PollInterval: 100 * time.Millisecond, Logger: log})
		close(done)
	}()
	var ds []notify.DeliveryStatus
	for {
		if ds, err = nt.Deliveries(ctx, id); err != nil {
			fmt.Fprintf(env.stderr, "sep: %v\n", err)
			return exitFailure
		}
		if ended(ds) || wctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	<-done
	printDeliveries(env.stdout, ds)
	for _, s := range ds {
		if s.State != notify.Sent {
			return exitFailure
		}
	}
	return exitOK
}

func ended(ds []notify.DeliveryStatus) bool {
	for _, s := range ds {
		if s.State != notify.Sent && s.State != notify.Failed {
			return false
		}
	}
	return true
}

func messageID(err error) string {
	if id := errs.IDOf(err); id != "" {
		return id
	}
	return "error." + errs.KindOf(err).String()
}

func printDeliveries(w io.Writer, ds []notify.DeliveryStatus) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "DELIVERY\tCHANNEL\tSTATE\tATTEMPTS\tUPDATED\tRECEIPT / REASON\n")
	for _, s := range ds {
		note := s.Receipt
		if s.State != notify.Sent {
			note = s.Reason
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", s.ID, s.Channel, s.State, s.Attempts, s.UpdatedAt.UTC().Format(time.RFC3339), note)
	}
	tw.Flush()
}
