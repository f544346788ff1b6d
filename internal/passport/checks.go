package passport

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/seal"
)

// ActionChecksRecorded journals a batch of online verifications written to passport_checks:
// their count by outcome and the span of their times (the rows keep who and when, each).
const ActionChecksRecorded = "passport.checks_recorded"

// How the online verifications are recorded. A check's row is the holder's account of who
// checked their passport and when; it is no acknowledgement made to anyone (the checker has
// its answer already), so it need not be durable before the answer goes out. Rows are kept in
// memory and written together, one transaction (and one journal entry with the counts) per
// checkBatch rows or per checkFlushEvery, whichever comes first, and at shutdown (Close).
// A crash of the process loses the rows of the last checkFlushEvery at most: a holder would
// miss those few checks in their list. Writing each check in its own transaction, with its own
// journal entry, held verification to a few hundred per second on SQLite (one commit, and one
// fsync, per check).
const (
	checkBatch      = 500
	checkFlushEvery = 100 * time.Millisecond
	// checkBacklog bounds the rows kept while the database refuses them; older ones are then
	// dropped, counted in the log.
	checkBacklog = 100_000
	// checkRowsPerInsert keeps a multi-row INSERT under the databases' parameter limits.
	checkRowsPerInsert = 100
)

// checkRow is one online verification waiting to be written.
type checkRow struct {
	id, passportID, kind, checkerID string
	at                              time.Time
	outcome                         Outcome
	ip                              seal.Sealed
}

// checkRecorder buffers check rows and writes them in batches.
type checkRecorder struct {
	s *Service

	mu      sync.Mutex // guards the fields below
	rows    []checkRow
	timer   *time.Timer // the pending flush; nil when none
	closed  bool
	dropped int

	write sync.Mutex // one batch written at a time, in order
}

// add queues a row; a full batch or the timer writes it.
func (c *checkRecorder) add(row checkRow) {
	c.mu.Lock()
	if c.closed {
		// After Close (a request that outlived the shutdown): written at once.
		c.mu.Unlock()
		if err := c.writeRows(context.Background(), []checkRow{row}); err != nil {
			c.s.opt.Logger.Warn("a passport check could not be recorded", "err", err)
		}
		return
	}
	c.rows = append(c.rows, row)
	n := len(c.rows)
	if c.timer == nil {
		c.timer = time.AfterFunc(checkFlushEvery, c.flushLater)
	}
	c.mu.Unlock()
	if n == checkBatch {
		go c.flushLater()
	}
}

func (c *checkRecorder) flushLater() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.flush(ctx); err != nil {
		c.s.opt.Logger.Warn("passport checks could not be recorded; they are tried again shortly", "err", err)
	}
}

// flush writes every queued row now. Rows the database refused are queued again (up to
// checkBacklog) and tried at the next flush.
func (c *checkRecorder) flush(ctx context.Context) error {
	c.write.Lock()
	defer c.write.Unlock()
	c.mu.Lock()
	rows := c.rows
	c.rows = nil
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	c.mu.Unlock()
	if len(rows) == 0 {
		return nil
	}
	err := c.writeRows(ctx, rows)
	if err == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rows = append(rows, c.rows...)
	if over := len(c.rows) - checkBacklog; over > 0 {
		c.rows = c.rows[over:]
		c.dropped += over
		c.s.opt.Logger.Error("passport checks dropped: the database refused them for too long", "dropped", c.dropped)
	}
	if c.timer == nil && !c.closed {
		c.timer = time.AfterFunc(checkFlushEvery, c.flushLater)
	}
	return err
}

// close writes what is queued; later checks are written one by one.
func (c *checkRecorder) close(ctx context.Context) error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	err := c.flush(ctx)
	c.mu.Lock()
	if c.timer != nil { // put back by a failed flush
		c.timer.Stop()
		c.timer = nil
	}
	c.mu.Unlock()
	return err
}

// writeRows writes rows and their journal entry in one transaction.
func (c *checkRecorder) writeRows(ctx context.Context, rows []checkRow) error {
	s := c.s
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(rows); start += checkRowsPerInsert {
			part := rows[start:min(start+checkRowsPerInsert, len(rows))]
			var q strings.Builder
			q.WriteString(`INSERT INTO passport_checks (id, passport_id, checked_at, checker_kind, checker_id, result, ip) VALUES `)
			args := make([]any, 0, 7*len(part))
			for i, r := range part {
				if i > 0 {
					q.WriteString(", ")
				}
				n := 7 * i
				fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7)
				args = append(args, r.id, r.passportID, r.at, r.kind, nullString(r.checkerID), string(r.outcome), r.ip)
			}
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				return err
			}
		}
		counts := map[Outcome]int{}
		first, last := rows[0].at, rows[0].at
		for _, r := range rows {
			counts[r.outcome]++
			first, last = minTime(first, r.at), maxTime(last, r.at)
		}
		d := map[string]string{"checks_count": strconv.Itoa(len(rows)),
			"first_at": first.UTC().Format(time.RFC3339Nano), "last_at": last.UTC().Format(time.RFC3339Nano)}
		for o, n := range counts {
			d[string(o)+"_count"] = strconv.Itoa(n)
		}
		return s.record(ctx, tx, nil, audit.Entry{Action: ActionChecksRecorded, ObjectType: "passport_checks", Details: d})
	})
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// FlushChecks writes the online verifications recorded so far (Checks does it before it
// reads).
func (s *Service) FlushChecks(ctx context.Context) error { return s.checks.flush(ctx) }

// Close writes the online verifications still in memory; call it after the HTTP server has
// stopped taking requests and before the database closes. Checks recorded later are written
// one by one.
func (s *Service) Close(ctx context.Context) error { return s.checks.close(ctx) }
