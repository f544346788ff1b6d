package audit

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

// recompute checks an exported chain the way an outside auditor would: from the exported
// fields and the documented encoding only, without this package's code.
func recompute(t *testing.T, rows []map[string]any) {
	t.Helper()
	str := func(b []byte, s string) []byte {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		return append(b, s...)
	}
	prev := make([]byte, 32)
	for _, r := range rows {
		b := []byte{1}
		seq, _ := r["seq"].(float64)
		b = binary.BigEndian.AppendUint64(b, uint64(seq))
		for _, k := range []string{"time", "actor_kind", "actor_id", "org_id", "action", "object_type", "object_id", "ip", "user_agent", "outcome"} {
			b = str(b, r[k].(string))
		}
		details := r["details"].(map[string]any)
		keys := make([]string, 0, len(details))
		for k := range details {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b = binary.BigEndian.AppendUint32(b, uint32(len(keys)))
		for _, k := range keys {
			b = str(str(b, k), details[k].(string))
		}
		if r["prev_hash"] != hex.EncodeToString(prev) {
			t.Fatalf("entry %v: prev_hash %v, want %x", seq, r["prev_hash"], prev)
		}
		sum := streebog.Sum256(append(append([]byte{}, prev...), b...))
		if r["hash"] != hex.EncodeToString(sum[:]) {
			t.Fatalf("entry %v: the exported hash does not match the documented encoding", seq)
		}
		prev = sum[:]
	}
}

func TestExportsCanBeVerifiedFromTheDocumentation(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		j := newJournal(t, d)
		ctx := context.Background()
		appendN(t, j, 5)
		j.Record(ctx, ActionStart, "", "", map[string]string{"version": "v1"})
		e := citizenEntry(9)
		e.UserAgent, e.IP, e.Outcome = `=HYPERLINK("http://evil.example")`, "2001:db8::1", Denied
		j.Append(ctx, nil, e)

		var out bytes.Buffer
		n, err := j.Export(ctx, &out, Filter{}, JSON, nil)
		if err != nil || n != 7 {
			t.Fatalf("exported %d, %v", n, err)
		}
		var rows []map[string]any
		if err := json.Unmarshal(out.Bytes(), &rows); err != nil {
			t.Fatalf("the JSON export does not parse: %v\n%s", err, out.String())
		}
		recompute(t, rows)
		if rows[6]["user_agent"] != `=HYPERLINK("http://evil.example")` {
			t.Error("the JSON export altered a value")
		}

		out.Reset()
		if n, err := j.Export(ctx, &out, Filter{}, CSV, nil); err != nil || n != 7 {
			t.Fatalf("exported %d, %v", n, err)
		}
		recs, err := csv.NewReader(&out).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 8 || strings.Join(recs[0], ",") != strings.Join(exportColumns, ",") {
			t.Fatalf("CSV header %v, %d rows", recs[0], len(recs))
		}
		for i, rec := range recs[1:] {
			for c, v := range rec {
				if c != 9 && rows[i][exportColumns[c]] != nil && c != 11 && c != 0 && rows[i][exportColumns[c]] != v {
					t.Errorf("CSV row %d column %s = %q, JSON has %q", i+1, exportColumns[c], v, rows[i][exportColumns[c]])
				}
			}
			if seq, _ := strconv.Atoi(rec[0]); seq != i+1 {
				t.Errorf("CSV row %d has seq %q", i+1, rec[0])
			}
		}
		if ua := recs[7][9]; ua != `'=HYPERLINK("http://evil.example")` {
			t.Errorf("a formula in the CSV was not defused: %q", ua)
		}
		if recs[6][11] != `{"version":"v1"}` || recs[1][11] != `{"attempt_count":"0","service":"passport"}` {
			t.Errorf("CSV details %q %q", recs[6][11], recs[1][11])
		}
	})
}

func TestExportFiltersByTimeAndStreamsPages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		j := newJournal(t, d)
		day := time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC)
		i := 0
		// Three days, pageSize+5 entries on the middle one, so a page boundary falls inside.
		j.now = func() time.Time {
			i++
			switch {
			case i <= 3:
				return day.AddDate(0, 0, -1)
			case i <= 3+pageSize+5:
				return day
			}
			return day.AddDate(0, 0, 1)
		}
		ctx := context.Background()
		appendN(t, j, 3+pageSize+5+2)
		var calls int64
		var out bytes.Buffer
		n, err := j.Export(ctx, &out, Filter{From: day.Truncate(24 * time.Hour), To: day.Truncate(24*time.Hour).AddDate(0, 0, 1)}, JSON,
			func(n int64) { calls = n })
		if err != nil || n != pageSize+5 || calls != n {
			t.Fatalf("exported %d (progress %d), %v; want %d", n, calls, err, pageSize+5)
		}
		var rows []exported
		if err := json.Unmarshal(out.Bytes(), &rows); err != nil {
			t.Fatal(err)
		}
		if rows[0].Seq != 4 || rows[len(rows)-1].Seq != int64(3+pageSize+5) {
			t.Fatalf("exported seq %d…%d", rows[0].Seq, rows[len(rows)-1].Seq)
		}
		if c, _ := j.Count(ctx, Filter{From: day.AddDate(0, 0, 1).Truncate(24 * time.Hour)}); c != 2 {
			t.Fatalf("count from the last day: %d", c)
		}
	})
}

func TestEmptyExportIsValid(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		j := newJournal(t, d)
		var out bytes.Buffer
		if _, err := j.Export(context.Background(), &out, Filter{ActorID: "nobody"}, JSON, nil); err != nil {
			t.Fatal(err)
		}
		var rows []exported
		if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) != 0 {
			t.Fatalf("%q: %v", out.String(), err)
		}
		if _, err := ParseFormat("xml"); err == nil {
			t.Error("format xml accepted")
		}
	})
}
