package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Filter selects entries. The zero Filter selects all.
type Filter struct {
	From, To  time.Time // entries at or after From and before To; zero: unbounded
	ActorKind ActorKind // with ActorID: one principal's own entries
	ActorID   string
	OrgID     string
	// ObjectType with ObjectID: the entries about one object (e.g. an account's sign-ins,
	// which are journaled before anyone is signed in).
	ObjectType, ObjectID string
}

// where returns the SQL condition (with "seq > $1" for paging and, if upTo > 0,
// "seq <= upTo") and its arguments.
func (f Filter) where(after, upTo int64, desc bool) (string, []any) {
	var conds []string
	args := []any{}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if desc {
		if after > 0 {
			conds = append(conds, "seq < "+arg(after))
		}
	} else {
		conds = append(conds, "seq > "+arg(after))
	}
	if upTo > 0 {
		conds = append(conds, "seq <= "+arg(upTo))
	}
	if !f.From.IsZero() {
		conds = append(conds, "at >= "+arg(f.From.UTC()))
	}
	if !f.To.IsZero() {
		conds = append(conds, "at < "+arg(f.To.UTC()))
	}
	if f.ActorKind != "" {
		conds = append(conds, "actor_kind = "+arg(string(f.ActorKind)))
	}
	if f.ActorID != "" {
		conds = append(conds, "actor_id = "+arg(f.ActorID))
	}
	if f.OrgID != "" {
		conds = append(conds, "org_id = "+arg(f.OrgID))
	}
	if f.ObjectID != "" {
		conds = append(conds, "object_type = "+arg(f.ObjectType), "object_id = "+arg(f.ObjectID))
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

const entryColumns = `seq, at, actor_kind, actor_id, org_id, action, object_type, object_id, ip, user_agent,
	outcome, details, prev_hash, hash`

// row is an entry as stored, before its text columns are parsed: verify must see a damaged
// row, not fail on it.
type row struct {
	Entry
	details, prevHash, hash string
}

func scanRow(rows *sql.Rows) (*row, error) {
	var r row
	var kind, outcome string
	if err := rows.Scan(&r.Seq, &r.At, &kind, &r.ActorID, &r.OrgID, &r.Action, &r.ObjectType, &r.ObjectID,
		&r.IP, &r.UserAgent, &outcome, &r.details, &r.prevHash, &r.hash); err != nil {
		return nil, err
	}
	r.At = r.At.UTC()
	r.ActorKind, r.Outcome = ActorKind(kind), Outcome(outcome)
	return &r, nil
}

// parse fills the entry's details and hashes from their stored text.
func (r *row) parse() error {
	r.Details = nil
	if err := json.Unmarshal([]byte(r.details), &r.Details); err != nil {
		return fmt.Errorf("details are not a JSON object of strings")
	}
	if len(r.Details) == 0 {
		r.Details = nil
	}
	var err error
	if r.PrevHash, err = ParseHash(r.prevHash); err != nil {
		return fmt.Errorf("previous hash: %w", err)
	}
	if r.Hash, err = ParseHash(r.hash); err != nil {
		return fmt.Errorf("hash: %w", err)
	}
	return nil
}

// pageSize is how many rows one query of a scan reads: scans page by sequence number so that
// no long-running statement holds a snapshot (or SQLite's WAL) while a large range streams out.
const pageSize = 1000

// scanRows calls fn for every stored row matching f with after < seq <= upTo (upTo 0: no
// bound), in ascending order of seq.
func (j *Journal) scanRows(ctx context.Context, f Filter, after, upTo int64, fn func(*row) error) error {
	for {
		where, args := f.where(after, upTo, false)
		q := `SELECT ` + entryColumns + ` FROM audit_entries` + where + ` ORDER BY seq LIMIT ` + strconv.Itoa(pageSize)
		rows, err := j.db.Reader().QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("audit: read entries: %w", err)
		}
		n := 0
		for rows.Next() {
			r, err := scanRow(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("audit: read entries: %w", err)
			}
			n++
			after = r.Seq
			if err := fn(r); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("audit: read entries: %w", err)
		}
		if n < pageSize {
			return nil
		}
	}
}

// Scan calls fn for every entry matching f, oldest first, streaming page by page.
func (j *Journal) Scan(ctx context.Context, f Filter, fn func(*Entry) error) error {
	return j.scanRows(ctx, f, 0, 0, func(r *row) error {
		if err := r.parse(); err != nil {
			return fmt.Errorf("audit: entry %d is damaged (%v); run sep audit verify", r.Seq, err)
		}
		return fn(&r.Entry)
	})
}

// Count returns how many entries match f.
func (j *Journal) Count(ctx context.Context, f Filter) (int64, error) {
	where, args := f.where(0, 0, false)
	var n int64
	err := j.db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM audit_entries`+where, args...).Scan(&n)
	return n, err
}

// Page returns up to limit entries matching f, newest first, with seq below before (0: from
// the newest). The next page starts before the last entry returned.
func (j *Journal) Page(ctx context.Context, f Filter, before int64, limit int) ([]Entry, error) {
	where, args := f.where(before, 0, true)
	rows, err := j.db.Reader().QueryContext(ctx, `SELECT `+entryColumns+` FROM audit_entries`+where+
		` ORDER BY seq DESC LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, fmt.Errorf("audit: read entries: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, err
		}
		if err := r.parse(); err != nil {
			return nil, fmt.Errorf("audit: entry %d is damaged (%v); run sep audit verify", r.Seq, err)
		}
		out = append(out, r.Entry)
	}
	return out, rows.Err()
}

// Criteria are a Filter as people type it, on the auditors' page or as `sep audit export`
// flags: days as YYYY-MM-DD in UTC (To included), an actor id and an organisation id, each
// optional.
type Criteria struct {
	From, To, Actor, Org string
}

// Filter turns the criteria into a Filter. bad names each field in error ("from", "to",
// "actor", "org") with the catalog message that explains it; the Filter is usable only when
// bad is empty.
func (c Criteria) Filter() (f Filter, bad map[string]string) {
	bad = map[string]string{}
	day := func(field, s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			bad[field] = "audit.error.date"
		}
		return t
	}
	f.From = day("from", c.From)
	if to := day("to", c.To); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1) // the "to" day is included
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		bad["to"] = "audit.error.date_order"
	}
	if checkID("actor", c.Actor, false) != nil {
		bad["actor"] = "audit.error.id"
	}
	if checkID("org", c.Org, false) != nil {
		bad["org"] = "audit.error.id"
	}
	f.ActorID, f.OrgID = c.Actor, c.Org
	return f, bad
}

// fields are the criteria that are set, by field name.
func (c Criteria) fields() map[string]string {
	m := map[string]string{}
	for k, v := range map[string]string{"from": c.From, "to": c.To, "actor": c.Actor, "org": c.Org} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// ExportEntry is the journal entry of an export of the entries matching c in format f, for the
// caller to complete with the actor and append before the first byte is written. The days
// are journaled as the times the filter selects, from (included) and before (excluded), since
// a detail is never a bare date (see the package documentation).
func (c Criteria) ExportEntry(f Format) Entry {
	filter, _ := c.Filter()
	details := map[string]string{"format": string(f)}
	for name, v := range map[string]string{"actor": filter.ActorID, "org": filter.OrgID} {
		if v != "" {
			details[name] = v
		}
	}
	for name, t := range map[string]time.Time{"from": filter.From, "before": filter.To} {
		if !t.IsZero() {
			details[name] = t.UTC().Format(time.RFC3339)
		}
	}
	return Entry{Action: ActionExport, ObjectType: "audit_journal", Details: details}
}
