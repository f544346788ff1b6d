package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// Format is an export format.
type Format string

// The export formats.
const (
	CSV  Format = "csv"
	JSON Format = "json"
)

// ParseFormat reads "csv" or "json".
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case CSV, JSON:
		return Format(s), nil
	}
	return "", fmt.Errorf("unknown format %q (want csv or json)", s)
}

// ContentType is the media type of the format.
func (f Format) ContentType() string {
	if f == JSON {
		return "application/json; charset=utf-8"
	}
	return "text/csv; charset=utf-8"
}

// Columns of the CSV export, and the keys of the JSON one, in order.
var exportColumns = []string{"seq", "time", "actor_kind", "actor_id", "org_id", "action", "object_type", "object_id",
	"ip", "user_agent", "outcome", "details", "prev_hash", "hash"}

// exported is an entry as the JSON export writes it: every field needed to recompute its hash.
type exported struct {
	Seq        int64             `json:"seq"`
	Time       string            `json:"time"`
	ActorKind  ActorKind         `json:"actor_kind"`
	ActorID    string            `json:"actor_id"`
	OrgID      string            `json:"org_id"`
	Action     string            `json:"action"`
	ObjectType string            `json:"object_type"`
	ObjectID   string            `json:"object_id"`
	IP         string            `json:"ip"`
	UserAgent  string            `json:"user_agent"`
	Outcome    Outcome           `json:"outcome"`
	Details    map[string]string `json:"details"`
	PrevHash   string            `json:"prev_hash"`
	Hash       string            `json:"hash"`
}

// Export writes the entries matching f to w, oldest first, streaming: CSV with a header row,
// or a JSON array of objects. Time is written exactly as the hash encodes it. In CSV a cell
// that a spreadsheet would run as a formula (starting with = + - @, tab or carriage return) is
// prefixed with an apostrophe; the JSON export carries every value exactly. progress, if set,
// is called after every entry with the count so far. It returns the number of entries
// written.
func (j *Journal) Export(ctx context.Context, w io.Writer, f Filter, format Format, progress func(n int64)) (int64, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	var (
		n   int64
		err error
	)
	switch format {
	case CSV:
		n, err = j.exportCSV(ctx, bw, f, progress)
	case JSON:
		n, err = j.exportJSON(ctx, bw, f, progress)
	default:
		return 0, fmt.Errorf("unknown format %q", format)
	}
	if err != nil {
		return n, err
	}
	return n, bw.Flush()
}

func (j *Journal) exportCSV(ctx context.Context, w io.Writer, f Filter, progress func(int64)) (int64, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(exportColumns); err != nil {
		return 0, err
	}
	var n int64
	rec := make([]string, len(exportColumns))
	err := j.Scan(ctx, f, func(e *Entry) error {
		details, err := json.Marshal(detailsOrEmpty(e.Details))
		if err != nil {
			return err
		}
		rec[0], rec[1] = strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(TimeLayout)
		rec[2], rec[3], rec[4] = string(e.ActorKind), e.ActorID, e.OrgID
		rec[5], rec[6], rec[7] = e.Action, e.ObjectType, e.ObjectID
		rec[8], rec[9], rec[10] = e.IP, e.UserAgent, string(e.Outcome)
		rec[11], rec[12], rec[13] = string(details), e.PrevHash.String(), e.Hash.String()
		for i := range rec {
			rec[i] = defuse(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
		n++
		if progress != nil {
			progress(n)
		}
		return nil
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	return n, err
}

// defuse keeps spreadsheet programs from evaluating a cell as a formula (CSV injection).
func defuse(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}

func detailsOrEmpty(d map[string]string) map[string]string {
	if d == nil {
		return map[string]string{}
	}
	return d
}

func (j *Journal) exportJSON(ctx context.Context, w io.Writer, f Filter, progress func(int64)) (int64, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if _, err := io.WriteString(w, "["); err != nil {
		return 0, err
	}
	var n int64
	err := j.Scan(ctx, f, func(e *Entry) error {
		buf.Reset()
		if n > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
		if err := enc.Encode(exported{Seq: e.Seq, Time: e.At.UTC().Format(TimeLayout), ActorKind: e.ActorKind,
			ActorID: e.ActorID, OrgID: e.OrgID, Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID,
			IP: e.IP, UserAgent: e.UserAgent, Outcome: e.Outcome, Details: detailsOrEmpty(e.Details),
			PrevHash: e.PrevHash.String(), Hash: e.Hash.String()}); err != nil {
			return err
		}
		if _, err := w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))); err != nil {
			return err
		}
		n++
		if progress != nil {
			progress(n)
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	_, err = io.WriteString(w, "\n]\n")
	return n, err
}
