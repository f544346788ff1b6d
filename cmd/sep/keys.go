package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/app"
	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/documents"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/keys"
	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/internal/seal/rotate"
)

const keysUsage = `Usage: sep keys status [-watch]
       sep keys rotate-data-key
       sep keys remove-data-key ID

The data keys that seal personal data at rest (SEP_DATA_KEY_FILE, a key ring; see
go doc ./internal/seal for its format). Settings come from the environment or from flags
before the subcommand: sep keys -data-dir DIR status.

  status           the keys of the ring, how many values each still seals, and the
                   re-sealing after the last rotation (a progress bar on a terminal;
                   -watch redraws it until the re-sealing ends).
  rotate-data-key  add a new key to the ring and make it current; a background job of the
                   running instances re-seals every value with it. Every instance must read
                   the same key file: they reload it within seconds of a change.
  remove-data-key  take an old key out of the ring once nothing is sealed with it any more
                   (refused, saying why, while anything is).`

// removalGrace is how long after a rotation finished its old key may still be in use by an
// instance that has not reloaded the key file (they look every few seconds).
var removalGrace = 15 * time.Minute

func cmdKeys(env *environment, args []string) int {
	help := func(w io.Writer) { fmt.Fprintln(w, keysUsage) }
	cfg, rest, code, ok := loadConfig(env, args, help)
	if !ok {
		return code
	}
	if len(rest) == 0 {
		help(env.stderr)
		return exitUsage
	}
	ctx, stop := signalContext()
	defer stop()
	k := &keysCmd{env: env, cfg: cfg}
	switch {
	case rest[0] == "status" && (len(rest) == 1 || len(rest) == 2 && rest[1] == "-watch"):
		return k.run(ctx, func() int { return k.status(ctx, len(rest) == 2) })
	case rest[0] == "rotate-data-key" && len(rest) == 1:
		return k.run(ctx, func() int { return k.rotate(ctx) })
	case rest[0] == "remove-data-key" && len(rest) == 2:
		id, err := seal.ParseKeyID(rest[1])
		if err != nil {
			fmt.Fprintf(env.stderr, "sep: %v\n", err)
			return exitUsage
		}
		return k.run(ctx, func() int { return k.remove(ctx, id) })
	}
	help(env.stderr)
	return exitUsage
}

type keysCmd struct {
	env     *environment
	cfg     *config.Config
	db      *db.DB
	schema  *seal.Schema
	rotator *rotate.Rotator
	journal *audit.Journal
}

// run opens what every subcommand needs — the key ring, the database (migrated), the
// rotator and the journal — and runs f.
func (k *keysCmd) run(ctx context.Context, f func() int) int {
	schema, code := loadSchema(k.env, k.cfg)
	if schema == nil {
		return code
	}
	d, code := openDatabase(ctx, k.env, k.cfg)
	if d == nil {
		return code
	}
	defer d.Close()
	if n, err := d.Pending(ctx); err != nil || n > 0 {
		fmt.Fprintln(k.env.stderr, "sep: the database is not migrated (run sep migrate up)")
		return exitFailure
	}
	j, err := audit.New(d, audit.Options{})
	if err != nil {
		fmt.Fprintf(k.env.stderr, "sep: %v\n", err)
		return exitFailure
	}
	k.db, k.schema, k.journal = d, schema, j
	k.rotator = rotate.New(rotate.Options{DB: d, Jobs: jobs.New(d), Schema: schema})
	return f()
}

func (k *keysCmd) fail(format string, args ...any) int {
	fmt.Fprintf(k.env.stderr, "sep: "+format+"\n", args...)
	return exitFailure
}

func (k *keysCmd) status(ctx context.Context, watch bool) int {
	ring := k.schema.Box.Ring()
	uses, err := k.rotator.Uses(ctx)
	if err != nil {
		return k.fail("%v", err)
	}
	w := k.env.stdout
	fmt.Fprintf(w, "Data keys (%s):\n", keys.DataKeyPath(app.KeyOptions(k.cfg, false)))
	var total, onCurrent int64
	for _, u := range rotate.PerKey(uses, ring.IDs()) {
		mark := ""
		switch {
		case u.Key == ring.Current():
			mark, onCurrent = "current", u.Values+u.Indexes
		case !ring.Has(u.Key):
			mark = "NOT IN THE RING: these values cannot be opened"
		case u.Values+u.Indexes == 0:
			mark = "nothing sealed: may be removed"
		}
		total += u.Values + u.Indexes
		fmt.Fprintf(w, "  %s  %9d values  %7d indexes  %s\n", u.Key, u.Values, u.Indexes, mark)
	}
	rs, err := k.rotator.Rotations(ctx)
	if err != nil {
		return k.fail("%v", err)
	}
	if len(rs) == 0 {
		fmt.Fprintln(w, "No rotation has been recorded by a running instance yet.")
		return exitOK
	}
	r := rs[0]
	state := "finished " + r.FinishedAt.Format(time.RFC3339)
	switch {
	case r.Finished():
	case r.Table == "":
		state = "running: waiting for a running instance (sep serve) to take the job"
	default:
		state = fmt.Sprintf("running: pass %d, at table %s", r.Passes+1, r.Table)
	}
	fmt.Fprintf(w, "Re-sealing to %s (from %s), started %s: %d rows re-sealed, %s\n", r.Key, r.Previous,
		r.StartedAt.Format(time.RFC3339), r.Resealed, state)
	bar := sealedBar(onCurrent, total)
	if !watch || !isTerminal(w) {
		fmt.Fprintln(w, bar)
		return exitOK
	}
	for {
		fmt.Fprintf(w, "\r%s", bar)
		if r.Finished() {
			fmt.Fprintln(w)
			return exitOK
		}
		select {
		case <-ctx.Done():
			fmt.Fprintln(w)
			return exitOK
		case <-time.After(time.Second):
		}
		if uses, err = k.rotator.Uses(ctx); err != nil {
			return k.fail("%v", err)
		}
		total, onCurrent = 0, 0
		for _, u := range rotate.PerKey(uses, ring.IDs()) {
			total += u.Values + u.Indexes
			if u.Key == ring.Current() {
				onCurrent = u.Values + u.Indexes
			}
		}
		if rs, err = k.rotator.Rotations(ctx); err != nil {
			return k.fail("%v", err)
		}
		r, bar = rs[0], sealedBar(onCurrent, total)
	}
}

// sealedBar shows how much is sealed with the current key.
func sealedBar(done, total int64) string {
	if total == 0 {
		return bar(1, 30) + " nothing is sealed yet"
	}
	return fmt.Sprintf("%s %d%% of %d values and indexes on the current key", bar(float64(done)/float64(total), 30),
		done*100/total, total)
}

func (k *keysCmd) rotate(ctx context.Context) int {
	opt := app.KeyOptions(k.cfg, false)
	old := k.schema.Box.Ring()
	next := old.Rotate()
	if err := keys.WriteData(opt, next); err != nil {
		return k.fail("%v", err)
	}
	// The journal and the rotation's job, as a running instance does when it sees the file
	// change (whichever comes first records it; the other finds it recorded).
	// The old key first, in case no instance has journaled it yet: the new one then shows as a
	// rotation away from it.
	err := k.journal.RecordKey(ctx, keys.Data, old.Current().String(), "", false)
	if err == nil {
		err = k.journal.RecordKey(ctx, keys.Data, next.Current().String(), "", true)
	}
	if err != nil {
		return k.fail("the new key is in %s, but journaling it failed: %v (a running instance records it when it reloads the file)",
			keys.DataKeyPath(opt), err)
	}
	if _, err := k.rotator.Start(ctx, nil, next.Current(), old.Current()); err != nil {
		return k.fail("the new key is in %s, but starting the re-sealing failed: %v (a running instance starts it when it reloads the file)",
			keys.DataKeyPath(opt), err)
	}
	fmt.Fprintf(k.env.stdout, "data key %s is current (it replaces %s); running instances re-seal every value with it "+
		"in the background: sep keys status\n", next.Current(), old.Current())
	return exitOK
}

func (k *keysCmd) remove(ctx context.Context, id seal.KeyID) int {
	ring := k.schema.Box.Ring()
	switch {
	case !ring.Has(id):
		return k.fail("the key ring holds no key %s", id)
	case id == ring.Current():
		return k.fail("key %s is the current key: rotate to a new key first (sep keys rotate-data-key)", id)
	}
	uses, err := k.rotator.Uses(ctx)
	if err != nil {
		return k.fail("%v", err)
	}
	var where []string
	for _, u := range uses {
		if u.Key == id && u.Values+u.Indexes > 0 {
			where = append(where, fmt.Sprintf("%s: %d", u.Column, u.Values+u.Indexes))
		}
	}
	files, err := documents.KeyUses(ctx, k.db, id)
	if err != nil {
		return k.fail("%v", err)
	}
	if files > 0 {
		// Stored documents are not re-sealed by a rotation: their files open only with the key
		// that sealed them.
		return k.fail("key %s still seals %d stored documents, which only it opens; keep it in the ring", id, files)
	}
	if len(where) > 0 {
		return k.fail("key %s still seals values (%s); wait until the re-sealing is done (sep keys status)", id,
			strings.Join(where, ", "))
	}
	rs, err := k.rotator.Rotations(ctx)
	if err != nil {
		return k.fail("%v", err)
	}
	for _, r := range rs {
		if !r.Finished() {
			return k.fail("the re-sealing to %s has not finished yet; wait for it (sep keys status)", r.Key)
		}
		if r.Previous == id && time.Since(r.FinishedAt) < removalGrace {
			return k.fail("the rotation away from %s finished at %s; an instance that has not reloaded the key file "+
				"might still use the key: try again after %s", id, r.FinishedAt.Format(time.RFC3339),
				r.FinishedAt.Add(removalGrace).Format(time.RFC3339))
		}
	}
	next, err := ring.Without(id)
	if err != nil {
		return k.fail("%v", err)
	}
	opt := app.KeyOptions(k.cfg, false)
	if err := keys.WriteData(opt, next); err != nil {
		return k.fail("%v", err)
	}
	if _, err := k.journal.Record(ctx, app.ActionKeyRemoved, "key", id.String(), map[string]string{"purpose": keys.Data}); err != nil {
		return k.fail("key %s is removed from %s, but journaling it failed: %v", id, keys.DataKeyPath(opt), err)
	}
	fmt.Fprintf(k.env.stdout, "key %s is removed from the ring (%d keys left)\n", id, len(next.IDs()))
	return exitOK
}
